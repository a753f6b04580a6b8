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

/// The edits of [`fix`] without the import (HY001 uses them to decorate a
/// function and repair the state it writes in one change).
pub(crate) fn state_edits(checker: &Checker, state: &PythonState) -> Option<Vec<Edit>> {
    let kind = state.kind?;
    let (variable, _) = checker.importer.tensorflow_attribute("Variable")?;
    let (dtype, _) = checker.importer.tensorflow_attribute(kind.dtype())?;
    let source = checker.source;
    let text = |range: TextRange| &source[range];
    let mut edits: Vec<Edit> = Vec::new();
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
            } => edits.push(Edit::range_replacement(
                format!(
                    "{}.{}({})",
                    text(target.range()),
                    op.method(),
                    text(value.range())
                ),
                stmt.range(),
            )),
            StateUse::EagerRead { expr } => edits.push(Edit::range_replacement(
                format!("{}({})", kind.converter(), text(expr.range())),
                expr.range(),
            )),
            StateUse::GlobalDecl { stmt } => {
                edits.extend(remove_global(source, stmt, state.target.name()));
            }
        }
    }
    Some(edits)
}

/// The edit that takes `name` out of a `global` statement: the whole line
/// when it declared only `name` and stands alone on its line, otherwise the
/// statement rewritten without it. `None` when removing it cleanly is not
/// possible (`global step; step += 1` on one line); the declaration is then
/// kept, which is harmless.
fn remove_global(source: &str, stmt: &StmtGlobal, name: &str) -> Option<Edit> {
    let rest: Vec<&str> = stmt
        .names
        .iter()
        .map(|n| n.id.as_str())
        .filter(|n| *n != name)
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
