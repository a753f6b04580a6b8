//! HY021 deprecated-tf-function-args: `experimental_relax_shapes` →
//! `reduce_retracing`, `experimental_compile` → `jit_compile`.

use ruff_python_ast::visitor::{walk_expr, Visitor};
use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::codemod::{Codemod, FixSafety};
use crate::diagnostic::{Edit, Fix};
use crate::version::TfVersion;

pub const CODEMOD: Codemod = Codemod {
    code: "HY021",
    name: "deprecated-tf-function-args",
    summary: "Rename deprecated `tf.function` arguments",
    safety: FixSafety::Safe,
    doc: include_str!("deprecated_tf_function_args.md"),
    informational: &[],
    // The arguments it renames are read from the decorator alone.
    depends_on: &[],
    run,
};

/// Deprecated argument, its replacement, and the version that introduced it.
const RENAMES: &[(&str, &str, TfVersion)] = &[
    (
        "experimental_relax_shapes",
        "reduce_retracing",
        TfVersion::new(2, 9),
    ),
    ("experimental_compile", "jit_compile", TfVersion::new(2, 5)),
];

fn run(checker: &mut Checker) {
    if checker.semantic.tf_function_calls == 0 {
        return;
    }
    let mut calls = TfFunctionCalls {
        checker_calls: Vec::new(),
        imports: &checker.semantic.imports,
    };
    calls.visit_body(&checker.module.body);
    let calls = calls.checker_calls;
    for call in calls {
        for keyword in &call.arguments.keywords {
            let Some(arg) = &keyword.arg else { continue };
            let Some(&(old, new, needs)) = RENAMES.iter().find(|(old, ..)| arg.id.as_str() == *old)
            else {
                continue;
            };
            let mut diagnostic = CODEMOD.diagnostic(
                format!("`{old}` is deprecated; use `{new}`"),
                keyword.range(),
            );
            if let Some(function) = decorated_function(checker, call) {
                diagnostic = diagnostic.with_function(function);
            }
            // When both names are given, renaming would repeat a keyword.
            if call.arguments.find_keyword(new).is_some() {
                diagnostic = diagnostic.with_note(format!(
                    "no fix offered: `{new}` is already given; remove `{old}`"
                ));
            } else if let Some(note) = checker.missing_api(new, needs) {
                diagnostic = diagnostic.with_note(note);
            } else {
                let edit = Edit::range_replacement(new.to_string(), arg.range());
                diagnostic =
                    diagnostic.with_fix(format!("Rename to `{new}`"), Fix::safe_edit(edit));
            }
            checker.report(diagnostic);
        }
    }
}

/// The function a `@tf.function(...)` decorator call decorates.
fn decorated_function(checker: &Checker, call: &ExprCall) -> Option<String> {
    checker
        .semantic
        .functions
        .iter()
        .find(|f| {
            f.def
                .decorator_list
                .iter()
                .any(|d| d.range().contains_range(call.range()))
        })
        .map(|f| f.qualified_name.clone())
}

/// Every call of `tf.function(...)` in the module, decorators included.
struct TfFunctionCalls<'a, 'm> {
    checker_calls: Vec<&'a ExprCall>,
    imports: &'m crate::names::ImportMap<'m>,
}

impl<'a> Visitor<'a> for TfFunctionCalls<'a, '_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            if self.imports.is_tf_function(&call.func) {
                self.checker_calls.push(call);
            }
        }
        walk_expr(self, expr);
    }
}
