//! HY010 state-to-variable: a Python number or boolean that graph code
//! mutates changes only while tracing; kept in a `tf.Variable`, it changes on
//! every call.

use ruff_python_ast::StmtGlobal;
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::analyze::state::{python_states, PythonState, StateUse};
use crate::checker::Checker;
use crate::codemod::{Codemod, DependsOn, FixSafety};
use crate::diagnostic::{Applicability, Edit, Fix};

pub const CODEMOD: Codemod = Codemod {
    code: "HY010",
    name: "state-to-variable",
    summary: "Keep Python counters and flags that graph code mutates in `tf.Variable`s",
    safety: FixSafety::Unsafe,
    doc: include_str!("state_to_variable.md"),
    informational: &[],
    // It looks at the state that code running under graph mutates.
    depends_on: &[DependsOn::GraphCode],
    run,
};

fn run(checker: &mut Checker) {
    for state in python_states(checker.semantic) {
        let (function, range) = state.graph_write;
        let function_name = checker.semantic.functions[function].qualified_name.clone();
        let shown = state.target.display();
        let kind = state.kind.map_or("a Python value".to_string(), |kind| {
            format!("a Python {}", kind.python_name())
        });
        let context = match checker.semantic.graph_caller(function) {
            Some(caller) if caller != function => format!(
                "`{function_name}` (called from graph function `{}`)",
                checker.semantic.functions[caller].qualified_name
            ),
            _ => format!("graph function `{function_name}`"),
        };
        let diagnostic = CODEMOD.diagnostic(format!(
                "`{shown}` is {kind} changed in {context}: the change happens only while tracing, and every call sees the value it had then"
            ),
            range,
        )
        .with_function(function_name);
        if let Some(refusal) = &state.refusal {
            let at = if refusal.offset == TextSize::default() {
                String::new()
            } else {
                format!(" (line {})", checker.line_number(refusal.offset))
            };
            checker.report(
                diagnostic.with_note(format!("no fix offered: `{shown}` {}{at}", refusal.reason)),
            );
            continue;
        }
        match fix(checker, &state) {
            Some(fix) => checker
                .report(diagnostic.with_fix(format!("Keep `{shown}` in a `tf.Variable`"), fix)),
            None => checker.report(
                diagnostic
                    .with_note("no fix offered: the names `tf` and `tensorflow` are both taken"),
            ),
        }
    }
}

/// The one change: the variable created where the value was initialised,
/// every write an `assign*`, every eager read converted back to a Python
/// value, and `global` declarations that are no longer needed removed.
fn fix(checker: &Checker, state: &PythonState) -> Option<Fix> {
    let (_, import) = checker.importer.tensorflow_attribute("Variable")?;
    let mut edits = import.into_iter().chain(state_edits(checker, state)?);
    let first = edits.next()?;
    Some(Fix::applicable_edits(first, edits, Applicability::Unsafe))
}

/// The edits of [`fix`] without the import.
pub(crate) fn state_edits(checker: &Checker, state: &PythonState) -> Option<Vec<Edit>> {
    states_edits(checker, std::slice::from_ref(state))
}

/// The edits that keep every state of `states` in a `tf.Variable`, as one
/// change without the import (HY001 uses them to decorate a function and
/// repair the state it writes): a `global` statement that declares several
/// of them is rewritten once, and a cast two of them need is made once.
pub(crate) fn states_edits(checker: &Checker, states: &[PythonState]) -> Option<Vec<Edit>> {
    let mut edits = Vec::new();
    let mut globals: Vec<(&StmtGlobal, Vec<&str>)> = Vec::new();
    for state in states {
        edits.extend(edits_of(checker, state)?);
        for use_ in &state.uses {
            if let StateUse::GlobalDecl { stmt } = use_ {
                match globals
                    .iter_mut()
                    .find(|(known, _)| std::ptr::eq(*known, *stmt))
                {
                    Some((_, names)) => names.push(state.target.name()),
                    None => globals.push((stmt, vec![state.target.name()])),
                }
            }
        }
    }
    for (stmt, names) in globals {
        edits.extend(remove_globals(checker.source, stmt, &names));
    }
    edits.sort_by_key(|edit| (edit.start(), edit.end()));
    edits.dedup();
    Some(edits)
}

/// The edits of one state, but for its `global` declarations.
fn edits_of(checker: &Checker, state: &PythonState) -> Option<Vec<Edit>> {
    let kind = state.kind?;
    let (variable, _) = checker.importer.tensorflow_attribute("Variable")?;
    let (dtype, _) = checker.importer.tensorflow_attribute(kind.dtype())?;
    let source = checker.source;
    let mut casts: Vec<(TextRange, String)> = Vec::new();
    for use_ in &state.uses {
        if let StateUse::Cast { range, dtype } = use_ {
            let (dtype, _) = checker.importer.tensorflow_attribute(dtype)?;
            casts.push((*range, dtype));
        }
    }
    let casts = Casts {
        source,
        cast: checker.importer.tensorflow_attribute("cast")?.0,
        casts,
    };
    let text = |range: TextRange| casts.render(range);
    let mut edits: Vec<Edit> = Vec::new();
    let mut inside_writes: Vec<TextRange> = Vec::new();
    for use_ in &state.uses {
        match use_ {
            StateUse::Init { value } => edits.push(Edit::range_replacement(
                format!(
                    "{variable}({}, dtype={dtype}, trainable=False)",
                    text(value.range())
                ),
                value.range(),
            )),
            StateUse::Write {
                stmt,
                target,
                op,
                value,
                ..
            } => {
                inside_writes.push(stmt.range());
                edits.push(Edit::range_replacement(
                    format!(
                        "{}.{}({})",
                        text(target.range()),
                        op.method(),
                        text(value.range())
                    ),
                    stmt.range(),
                ));
            }
            StateUse::EagerRead { expr } => edits.push(Edit::range_replacement(
                format!("{}({})", kind.converter(), text(expr.range())),
                expr.range(),
            )),
            StateUse::GlobalDecl { .. } | StateUse::Cast { .. } => {}
        }
    }
    // Each outermost cast is one edit, with the casts inside it (and those
    // inside a rewritten write are part of the write's edit).
    for &(range, _) in &casts.casts {
        let outermost = !casts
            .casts
            .iter()
            .any(|&(other, _)| other != range && other.contains_range(range))
            && !inside_writes
                .iter()
                .any(|write| write.contains_range(range));
        if outermost {
            edits.push(Edit::range_replacement(casts.render(range), range));
        }
    }
    Some(edits)
}

/// The casts a state's rewrite adds, rendered into the text they are in.
struct Casts<'s> {
    source: &'s str,
    /// `tf.cast`.
    cast: String,
    /// Each expression cast, with the dtype as written (`tf.float32`).
    casts: Vec<(TextRange, String)>,
}

impl Casts<'_> {
    /// The text of `range` with the casts in it applied: the cast of
    /// `range` itself, and those inside it, innermost first.
    fn render(&self, range: TextRange) -> String {
        let inner = self.render_inside(range);
        match self.casts.iter().find(|(cast, _)| *cast == range) {
            Some((_, dtype)) => format!("{}({inner}, {dtype})", self.cast),
            None => inner,
        }
    }

    /// The text of `range` with the casts strictly inside it applied.
    fn render_inside(&self, range: TextRange) -> String {
        let mut inside: Vec<TextRange> = self
            .casts
            .iter()
            .map(|(cast, _)| *cast)
            .filter(|&cast| cast != range && range.contains_range(cast))
            .collect();
        inside.sort_by_key(|cast| (cast.start(), std::cmp::Reverse(cast.end())));
        let mut out = String::new();
        let mut cursor = range.start();
        for cast in inside {
            if cast.start() < cursor {
                // Inside one rendered already.
                continue;
            }
            out.push_str(&self.source[TextRange::new(cursor, cast.start())]);
            out.push_str(&self.render(cast));
            cursor = cast.end();
        }
        out.push_str(&self.source[TextRange::new(cursor, range.end())]);
        out
    }
}

/// The edit that takes `names` out of a `global` statement: the whole line
/// when it declared only them and stands alone on its line, otherwise the
/// statement rewritten without them. `None` when removing it cleanly is not
/// possible (`global step; step += 1` on one line); the declaration is then
/// kept, which is harmless.
fn remove_globals(source: &str, stmt: &StmtGlobal, names: &[&str]) -> Option<Edit> {
    let rest: Vec<&str> = stmt
        .names
        .iter()
        .map(|n| n.id.as_str())
        .filter(|n| !names.contains(n))
        .collect();
    if !rest.is_empty() {
        return Some(Edit::range_replacement(
            format!("global {}", rest.join(", ")),
            stmt.range(),
        ));
    }
    let start = stmt.start().to_usize();
    let end = stmt.end().to_usize();
    let line_start = source[..start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    if !source[line_start..start]
        .chars()
        .all(|c| c == ' ' || c == '\t')
    {
        return None;
    }
    let after = &source[end..];
    let line_end = after.find(['\n', '\r']).map_or(source.len(), |i| end + i);
    let trailing = source[end..line_end].trim_start();
    if !(trailing.is_empty() || trailing.starts_with('#')) {
        return None;
    }
    let mut delete_to = line_end;
    if source[delete_to..].starts_with("\r\n") {
        delete_to += 2;
    } else if delete_to < source.len() {
        delete_to += 1;
    }
    Some(Edit::range_deletion(TextRange::new(
        TextSize::try_from(line_start).ok()?,
        TextSize::try_from(delete_to).ok()?,
    )))
}
