//! Where the new step function goes (module level, or a method of the
//! loop's class), what it is called, and the edits that write it and call
//! it from the loop.

use ruff_text_size::{Ranged, TextSize};

use super::flow::Flow;
use super::{Context, Statement};
use crate::checker::Checker;
use crate::diagnostic::{Edit, Fix};
use crate::lines::{
    before_indented_comments, before_leading_comments, indentation, line_start, next_line_start,
};
use crate::semantic::ClassId;

/// The step a loop's tensor work becomes.
pub struct Step {
    pub name: String,
    /// Its parameters besides the receiver, in order of first use.
    pub params: Vec<String>,
    /// The names it returns.
    pub returns: Vec<String>,
    /// Indexes (in the loop body) of the statements it takes, and of those
    /// between them that stay in the loop, after the call.
    pub extracted: Vec<usize>,
    pub moved: Vec<usize>,
    pub placement: Placement,
    /// What the analysis had to assume, for the note.
    pub doubts: Vec<String>,
}

impl Step {
    /// `train_step(self, x, y)`.
    pub fn signature(&self) -> String {
        let receiver = match &self.placement {
            Placement::Method { receiver, .. } => Some(receiver.as_str()),
            Placement::Module { .. } => None,
        };
        let params: Vec<&str> = receiver
            .into_iter()
            .chain(self.params.iter().map(String::as_str))
            .collect();
        format!("{}({})", self.name, params.join(", "))
    }

    /// " returning `loss`", or nothing.
    pub fn returning(&self) -> String {
        if self.returns.is_empty() {
            return String::new();
        }
        let names: Vec<String> = self.returns.iter().map(|n| format!("`{n}`")).collect();
        format!(" returning {}", names.join(", "))
    }
}

/// Where the step goes.
pub enum Placement {
    /// A function at module level, before the top-level statement that
    /// holds the loop.
    Module { name: String },
    /// A method of `class`, before the method that holds the loop;
    /// `receiver` (its `self`) is its first parameter.
    Method {
        name: String,
        class: ClassId,
        receiver: String,
    },
}

impl Placement {
    pub fn name(&self) -> &str {
        match self {
            Placement::Module { name } | Placement::Method { name, .. } => name,
        }
    }
}

/// The first parameter of the method that holds the loop (its `self`),
/// when the step reads it.
pub fn receiver<'c>(context: &Context<'c, '_>, flow: &Flow) -> Option<&'c str> {
    let function = &context.semantic.functions[context.function?];
    function.class?;
    let parameters = &function.def.parameters;
    let first = parameters
        .posonlyargs
        .iter()
        .chain(&parameters.args)
        .next()?
        .parameter
        .name
        .id
        .as_str();
    flow.free
        .iter()
        .any(|(name, _)| name == first)
        .then_some(first)
}

/// Where the step goes and its name (`base`, or a variant no name of the
/// module takes), or why it has nowhere to go.
pub fn place(
    checker: &Checker,
    context: &Context,
    receiver: Option<&str>,
    base: &str,
    taken: &[String],
) -> Result<Placement, String> {
    let semantic = context.semantic;
    let Some(receiver) = receiver else {
        return Ok(Placement::Module {
            name: free_name(checker.source, base, taken),
        });
    };
    let id = context.function.expect("a receiver is a method's");
    let function = &semantic.functions[id];
    let qualified = &function.qualified_name;
    let class = function.class.expect("a receiver is a method's");
    if function.parent.is_some() || !function.def.decorator_list.is_empty() {
        return Err(format!(
            "the step reads `{receiver}`, and `{qualified}` is decorated or nested, so `{receiver}` may not be an instance of its class"
        ));
    }
    if let Some(binding) = super::FunctionNames::of(function.def)
        .bindings
        .iter()
        .find(|b| b.name == receiver)
    {
        return Err(format!(
            "the step reads `{receiver}`, which `{qualified}` rebinds at line {}",
            checker.line_number(binding.offset)
        ));
    }
    // A base class of another module may define the name: a Keras base
    // defines `train_step` (which `fit` calls), so a method for it takes a
    // private name; any other base may define anything.
    let mut family = vec![class];
    let mut private = false;
    while let Some(current) = family.pop() {
        for base_class in &semantic.classes[current].bases {
            if let Some(local) = semantic
                .classes
                .iter()
                .position(|c| c.qualified_name == *base_class)
            {
                family.push(local);
            } else if base_class == "object" {
            } else if semantic.is_tf_class(class)
                && (base_class.starts_with("tensorflow.") || crate::names::is_keras(base_class))
            {
                private = true;
            } else {
                return Err(format!(
                    "the step reads `{receiver}`, so it would be a method of `{}`, whose base `{base_class}` is defined in another module and may already have a method of that name",
                    semantic.classes[class].qualified_name
                ));
            }
        }
    }
    let base = if private {
        format!("_{base}")
    } else {
        base.to_string()
    };
    Ok(Placement::Method {
        name: free_name(checker.source, &base, taken),
        class,
        receiver: receiver.to_string(),
    })
}

/// `base`, or `base_fn`, `base_2`, ...: the first that the module's text
/// does not mention as a word and that no other step of this pass took.
fn free_name(source: &str, base: &str, taken: &[String]) -> String {
    let candidates = [base.to_string(), format!("{base}_fn")]
        .into_iter()
        .chain((2..).map(|n| format!("{base}_{n}")));
    for candidate in candidates {
        if !taken.contains(&candidate) && !mentions_word(source, &candidate) {
            return candidate;
        }
    }
    unreachable!("the candidates are endless")
}

/// Whether `word` occurs in `source` as a whole identifier.
fn mentions_word(source: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    source.match_indices(word).any(|(at, _)| {
        let before = source[..at].chars().next_back();
        let after = source[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// The fix: the step written before the loop's top-level statement (or
/// before its method), and the loop's statements replaced by a call of it
/// followed by the Python statements that stay; with its title and note.
pub fn fix(
    checker: &Checker,
    context: &Context,
    statements: &[Statement],
    step: &Step,
) -> Result<(Fix, String, String), String> {
    let source = checker.source;
    let semantic = context.semantic;
    let Some((decorator, import)) = checker.importer.tensorflow_attribute("function") else {
        return Err("the names `tf` and `tensorflow` are both taken".to_string());
    };
    let line_ending = checker.stylist.line_ending().as_str();
    let unit = checker.stylist.indentation().as_str();
    let mut span: Vec<usize> = step.extracted.iter().chain(&step.moved).copied().collect();
    span.sort_unstable();
    let span_first = statements[span[0]].stmt;
    let span_last = statements[span[span.len() - 1]].stmt;
    let span_start = line_start(source, span_first.start());
    let body_indent = indentation(source, span_start);
    // Each statement's lines, with the comments and blank lines above it.
    let mut body = String::new();
    let mut kept = String::new();
    let mut cursor = span_start;
    for index in span {
        let stmt = statements[index].stmt;
        let line = checker.line_number(stmt.start());
        let starts_line = source
            [line_start(source, stmt.start()).to_usize()..stmt.start().to_usize()]
            .trim()
            .is_empty();
        let line_end = next_line_start(source, stmt.end());
        let rest = source[stmt.end().to_usize()..line_end.to_usize()].trim();
        if !starts_line || !(rest.is_empty() || rest.starts_with('#')) {
            return Err(format!("line {line} holds more than one statement"));
        }
        let chunk = &source[cursor.to_usize()..line_end.to_usize()];
        cursor = line_end;
        if !step.extracted.contains(&index) {
            kept.push_str(chunk);
            continue;
        }
        if chunk.contains("\"\"\"") || chunk.contains("'''") {
            return Err(format!(
                "line {line} holds a multi-line string, which re-indenting would change"
            ));
        }
        for text in chunk.split_inclusive('\n') {
            if let Some(rest) = text.strip_prefix(body_indent) {
                body.push_str(unit);
                body.push_str(rest);
            } else if text.trim().is_empty() {
                body.push_str(text.trim_start_matches([' ', '\t']));
            } else {
                return Err(format!(
                    "a line of the statement at line {line} is indented less than the loop's body"
                ));
            }
        }
    }
    if !body.ends_with('\n') {
        body.push_str(line_ending);
    }
    let returns = step.returns.join(", ");
    if !returns.is_empty() {
        body.push_str(&format!("{unit}return {returns}{line_ending}"));
    }
    let signature = step.signature();
    let function = format!("@{decorator}{line_ending}def {signature}:{line_ending}{body}");
    // The call, then what stays in the loop.
    let callee = match &step.placement {
        Placement::Module { name } => name.clone(),
        Placement::Method { name, receiver, .. } => format!("{receiver}.{name}"),
    };
    let assigned = if returns.is_empty() {
        String::new()
    } else {
        format!("{returns} = ")
    };
    let call = format!(
        "{body_indent}{assigned}{callee}({}){line_ending}{kept}",
        step.params.join(", ")
    );
    let span_end = next_line_start(source, span_last.end());
    let replacement =
        Edit::range_replacement(call, ruff_text_size::TextRange::new(span_start, span_end));
    let (insertion, where_note) = match &step.placement {
        Placement::Module { .. } => {
            let holder = context.function.map_or(context.loop_range.start(), |id| {
                let mut outermost = id;
                while let Some(parent) = semantic.functions[outermost].parent {
                    outermost = parent;
                }
                semantic.functions[outermost].def.start()
            });
            let top = semantic
                .module_body()
                .iter()
                .find(|stmt| stmt.range().contains(holder) || stmt.start() == holder)
                .ok_or_else(|| "the loop is not inside a top-level statement".to_string())?;
            let at = before_leading_comments(source, line_start(source, top.start()));
            let blank_above = blank_lines_above(source, at);
            let padding = if at == TextSize::from(0) {
                0
            } else {
                2usize.saturating_sub(blank_above)
            };
            let text = format!(
                "{}{function}{line_ending}{line_ending}",
                line_ending.repeat(padding)
            );
            (Edit::insertion(text, at), None)
        }
        Placement::Method { class, .. } => {
            let id = context.function.expect("a method");
            let method = &semantic.functions[id].def;
            let method_start = line_start(source, method.start());
            let method_indent = indentation(source, method_start);
            let mut text = String::new();
            for line in function.split_inclusive('\n') {
                if !line.trim().is_empty() {
                    text.push_str(method_indent);
                }
                text.push_str(line);
            }
            text.push_str(line_ending);
            let at = before_indented_comments(source, method_start, method_indent);
            (
                Edit::insertion(text, at),
                Some(format!(
                    "`{}` becomes a `@{decorator}` method of `{}`, traced once per object",
                    step.name, semantic.classes[*class].qualified_name
                )),
            )
        }
    };
    let first_line = checker.line_number(span_first.start());
    let last_line = checker.line_number(span_last.end());
    let title = if first_line == last_line {
        format!("Extract line {first_line} into `{}`", step.name)
    } else {
        format!(
            "Extract lines {first_line}-{last_line} into `{}`",
            step.name
        )
    };
    let mut notes: Vec<String> = Vec::new();
    notes.extend(where_note);
    for &index in &step.moved {
        let stmt = statements[index].stmt;
        let text = source[stmt.range()]
            .lines()
            .next()
            .unwrap_or_default()
            .trim();
        notes.push(format!(
            "`{text}` (line {}) stays in the loop, after the call",
            checker.line_number(stmt.start())
        ));
    }
    notes.extend(step.doubts.iter().cloned());
    notes.push(
        "the step's Python code runs only while it is traced, and it is traced again for each new input shape or dtype".to_string(),
    );
    let note = format!("unsafe fix: {}", notes.join("; "));
    Ok((
        Fix::unsafe_edits(insertion, std::iter::once(replacement).chain(import)),
        title,
        note,
    ))
}

/// How many blank lines are directly above the line starting at `at`.
fn blank_lines_above(source: &str, mut at: TextSize) -> usize {
    let mut count = 0;
    while at > TextSize::from(0) {
        let previous = line_start(source, at - TextSize::from(1));
        if !source[previous.to_usize()..at.to_usize()].trim().is_empty() {
            break;
        }
        count += 1;
        at = previous;
    }
    count
}
