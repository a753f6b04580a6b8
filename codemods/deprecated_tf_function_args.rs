//! HY021 deprecated-tf-function-args: `experimental_relax_shapes` →
//! `reduce_retracing`, `experimental_compile` → `jit_compile`.

use ruff_python_ast::visitor::{walk_expr, Visitor};
use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::{Ranged, TextRange};

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
    // Built at the first question, for every decorator at once.
    let decorators = std::cell::OnceCell::new();
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
            if let Some(function) = decorated_function(checker, &decorators, call) {
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

/// The function a `@tf.function(...)` decorator call decorates: the first
/// (in the model's order) with a decorator around the call.
fn decorated_function(
    checker: &Checker,
    decorators: &std::cell::OnceCell<Vec<(TextRange, usize)>>,
    call: &ExprCall,
) -> Option<String> {
    let functions = &checker.semantic.functions;
    // Every decorator with its function, by start: decorators do not nest
    // in one another (no `def` is inside a decorator), so the one that may
    // hold the call is the last to start at or before it. A scan of every
    // function per call made a module of N decorated functions quadratic.
    let decorators = decorators.get_or_init(|| {
        let mut all: Vec<(TextRange, usize)> = functions
            .iter()
            .enumerate()
            .flat_map(|(id, f)| f.def.decorator_list.iter().map(move |d| (d.range(), id)))
            .collect();
        all.sort_by_key(|&(range, id)| (range.start(), id));
        all
    });
    let before = decorators.partition_point(|(range, _)| range.start() <= call.start());
    let last = decorators[..before].last()?.0.start();
    decorators[..before]
        .iter()
        .rev()
        .take_while(|(range, _)| range.start() == last)
        .filter(|(range, _)| range.contains_range(call.range()))
        .map(|&(_, id)| id)
        .min()
        .map(|id| functions[id].qualified_name.clone())
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
