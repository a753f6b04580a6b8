//! HY020 remove-tf-function: a `tf.function` with no tensor computation, a
//! recursive one, or one whose Python side effects no codemod can repair is
//! made eager again.

use ruff_python_ast::Expr;
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::analyze::preconditions::reason_to_remove;
use crate::checker::Checker;
use crate::codemod::{Codemod, DependsOn, FixSafety};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::semantic::GraphOrigin;

pub const CODEMOD: Codemod = Codemod {
    code: "HY020",
    name: "remove-tf-function",
    summary: "Remove `tf.function` where it can only hurt",
    safety: FixSafety::Unsafe,
    doc: include_str!("remove_tf_function.md"),
    informational: &[],
    // It looks at graph functions and their effects, which callees in other
    // modules can add.
    depends_on: &[DependsOn::GraphCode],
    run,
};

fn run(checker: &mut Checker) {
    let semantic = checker.semantic;
    for (id, function) in semantic.functions.iter().enumerate() {
        let Some(origin) = function.graph else {
            continue;
        };
        let Some(reason) = reason_to_remove(&semantic.facts[id]) else {
            continue;
        };
        let name = &function.qualified_name;
        let diagnostic = CODEMOD
            .diagnostic(
                format!("`{name}` {reason}; `tf.function` can only hurt here"),
                function.def.name.range(),
            )
            .with_function(name.clone());
        match removal(checker.source, origin) {
            Some(edit) => checker.report(diagnostic.with_fix(
                "Remove `tf.function`",
                Fix::applicable_edit(edit, Applicability::Unsafe),
            )),
            None => checker.report(diagnostic.with_note(
                "no fix offered: the `tf.function` wrapping cannot be removed on its own",
            )),
        }
    }
}

/// The edit that removes the decoration: the whole decorator line, or the
/// `tf.function(f)` call replaced by `f`.
fn removal(source: &str, origin: GraphOrigin) -> Option<Edit> {
    match origin {
        GraphOrigin::Decorator(range) => {
            let start = range.start().to_usize();
            let line_start = source[..start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
            if !source[line_start..start].trim().is_empty() {
                return None;
            }
            let end = range.end().to_usize();
            let rest = &source[end..];
            let line_end = rest.find(['\n', '\r']).map_or(source.len(), |i| end + i);
            let after = &source[end..line_end];
            if !after.trim().is_empty() && !after.trim_start().starts_with('#') {
                return None;
            }
            let line_end = if source[line_end..].starts_with("\r\n") {
                line_end + 2
            } else if line_end < source.len() {
                line_end + 1
            } else {
                line_end
            };
            Some(Edit::range_deletion(TextRange::new(
                TextSize::try_from(line_start).ok()?,
                TextSize::try_from(line_end).ok()?,
            )))
        }
        GraphOrigin::Wrapped(range) => {
            let text = &source[range.start().to_usize()..range.end().to_usize()];
            let parsed = ruff_python_parser::parse_expression(text).ok()?;
            let Expr::Call(call) = parsed.expr() else {
                return None;
            };
            if call.arguments.args.len() != 1 || !call.arguments.keywords.is_empty() {
                return None;
            }
            let argument = &call.arguments.args[0];
            let argument = &text[argument.start().to_usize()..argument.end().to_usize()];
            Some(Edit::range_replacement(argument.to_string(), range))
        }
    }
}
