//! HY013 python-iterator-in-graph: `next()` on a Python iterator in graph
//! code runs while tracing only; the element it returns is frozen into the
//! graph.

use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ExprCall, Stmt};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::codemod::{Codemod, DependsOn, FixSafety};
use crate::semantic::SemanticModel;

pub const CODEMOD: Codemod = Codemod {
    code: "HY013",
    name: "python-iterator-in-graph",
    summary: "Report `next()` on a Python iterator inside graph code",
    safety: FixSafety::NoFix,
    doc: include_str!("python_iterator_in_graph.md"),
    informational: &[],
    // It looks at `next()` in code that runs under graph.
    depends_on: &[DependsOn::GraphCode],
    run,
};

fn run(checker: &mut Checker) {
    let semantic = checker.semantic;
    // A module that binds its own `next` means something else by it.
    if semantic.imports.is_bound("next") {
        return;
    }
    for id in semantic.graph_code() {
        let function = &semantic.functions[id];
        let mut calls = NextCalls::default();
        calls.visit_body(&function.def.body);
        for call in calls.calls {
            let Some(iterator) = call.arguments.args.first() else {
                continue;
            };
            // A parameter may be a `tf.data` iterator, which works in graph code.
            if let Expr::Name(name) = iterator {
                if function
                    .def
                    .parameters
                    .iter()
                    .any(|p| p.name().as_str() == name.id.as_str())
                {
                    continue;
                }
            }
            // An iterator over a `tf.data.Dataset` produces a new element on every call.
            if is_dataset_iterator(semantic, iterator) {
                continue;
            }
            checker.report(
                CODEMOD.diagnostic(format!(
                        "`next({})` in graph code of `{}` runs only while tracing: every call reuses the element it returned then",
                        &checker.source[iterator.range()],
                        function.qualified_name
                    ),
                    call.range(),
                )
                .with_function(function.qualified_name.clone())
                .with_note("no fix offered: pass the element in as an argument, or iterate a `tf.data.Dataset` (`iter(dataset)`)"),
            );
        }
    }
}

/// Whether `expr` is (bound, anywhere in the module, to) `iter(<a tf.data
/// dataset>)`.
fn is_dataset_iterator(model: &SemanticModel, expr: &Expr) -> bool {
    let mut values = Vec::new();
    collect_assigned(model.module_body(), expr, &mut values);
    !values.is_empty()
        && values.iter().all(|value| match value {
            Expr::Call(call)
                if matches!(call.func.as_ref(), Expr::Name(n) if n.id.as_str() == "iter") =>
            {
                call.arguments
                    .args
                    .first()
                    .is_some_and(|dataset| is_dataset(model, dataset, 0))
            }
            _ => false,
        })
}

/// Whether `expr` is a `tf.data` pipeline: a chain of calls rooted in
/// `tf.data`, or a name bound to one.
fn is_dataset(model: &SemanticModel, expr: &Expr, depth: usize) -> bool {
    if depth > 4 {
        return false;
    }
    match expr {
        Expr::Call(call) => is_dataset(model, &call.func, depth),
        Expr::Attribute(attribute) => {
            model
                .imports
                .resolve(expr)
                .is_some_and(|q| q.starts_with("tensorflow.data"))
                || is_dataset(model, &attribute.value, depth)
        }
        Expr::Name(_) => {
            let mut values = Vec::new();
            collect_assigned(model.module_body(), expr, &mut values);
            !values.is_empty() && values.iter().all(|v| is_dataset(model, v, depth + 1))
        }
        _ => false,
    }
}

/// The values assigned anywhere in the module to a target spelled like
/// `target` (`it`, `self.it`).
fn collect_assigned<'a>(body: &'a [Stmt], target: &Expr, out: &mut Vec<&'a Expr>) {
    struct Finder<'t, 'a> {
        target: &'t Expr,
        out: &'t mut Vec<&'a Expr>,
    }
    impl<'a> Visitor<'a> for Finder<'_, 'a> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if let Stmt::Assign(assign) = stmt {
                if assign.targets.iter().any(|t| same_target(t, self.target)) {
                    self.out.push(&assign.value);
                }
            }
            walk_stmt(self, stmt);
        }
    }
    let mut finder = Finder { target, out };
    finder.visit_body(body);
}

fn same_target(a: &Expr, b: &Expr) -> bool {
    match (a, b) {
        (Expr::Name(a), Expr::Name(b)) => a.id == b.id,
        (Expr::Attribute(a), Expr::Attribute(b)) => {
            a.attr.id == b.attr.id && same_target(&a.value, &b.value)
        }
        _ => false,
    }
}

/// The `next(...)` calls of one function's own body.
#[derive(Default)]
struct NextCalls<'a> {
    calls: Vec<&'a ExprCall>,
}

impl<'a> Visitor<'a> for NextCalls<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            walk_stmt(self, stmt);
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if matches!(expr, Expr::Lambda(_)) {
            return;
        }
        if let Expr::Call(call) = expr {
            if matches!(call.func.as_ref(), Expr::Name(n) if n.id.as_str() == "next") {
                self.calls.push(call);
            }
        }
        walk_expr(self, expr);
    }
}
