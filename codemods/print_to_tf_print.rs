//! HY011 print-to-tf-print: `print` in graph code runs once per trace;
//! `tf.print` runs on every call.

use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ExprCall, Operator, Stmt};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::codemod::{Codemod, DependsOn, FixSafety};
use crate::diagnostic::{Applicability, Edit, Fix};

pub const CODEMOD: Codemod = Codemod {
    code: "HY011",
    name: "print-to-tf-print",
    summary: "Replace `print` in graph code with `tf.print`",
    safety: FixSafety::UnsafeOrDisplayOnly,
    doc: include_str!("print_to_tf_print.md"),
    informational: &[],
    // It looks at `print` in code that runs under graph, here or through a
    // caller in another module.
    depends_on: &[DependsOn::GraphCode],
    run,
};

fn run(checker: &mut Checker) {
    // A module that defines or imports its own `print` means something else by it.
    if checker.semantic.imports.is_bound("print") {
        return;
    }
    for id in checker.semantic.graph_code() {
        let function = &checker.semantic.functions[id];
        let mut prints = PrintCalls::default();
        prints.visit_body(&function.def.body);
        let context = match checker.semantic.graph_caller(id) {
            Some(caller) if caller != id => format!(
                "in `{}` (called from graph function `{}`)",
                function.qualified_name, checker.semantic.functions[caller].qualified_name
            ),
            _ => format!("in graph function `{}`", function.qualified_name),
        };
        let qualified_name = function.qualified_name.clone();
        for call in prints.calls {
            // A print that announces tracing is meant to run only while tracing.
            if reports_tracing(call) {
                continue;
            }
            let mut diagnostic = CODEMOD
                .diagnostic(
                    format!("`print` {context} runs only while tracing, not on every call"),
                    call.range(),
                )
                .with_function(qualified_name.clone());
            let Some((replacement, import)) = checker.importer.tensorflow_attribute("print") else {
                checker.report(
                    diagnostic.with_note(
                        "no fix offered: the names `tf` and `tensorflow` are both taken",
                    ),
                );
                continue;
            };
            let applicability = match not_one_to_one(call) {
                Some(reason) => {
                    diagnostic = diagnostic.with_note(format!("fix is display-only: {reason}"));
                    Applicability::DisplayOnly
                }
                None => Applicability::Unsafe,
            };
            let edit = Edit::range_replacement(replacement.clone(), call.func.range());
            let fix = Fix::applicable_edits(edit, import, applicability);
            checker.report(diagnostic.with_fix(format!("Replace with `{replacement}`"), fix));
        }
    }
}

/// Why a `print` call's arguments cannot be passed to `tf.print` unchanged.
fn not_one_to_one(call: &ExprCall) -> Option<String> {
    for keyword in &call.arguments.keywords {
        match keyword.arg.as_ref().map(|arg| arg.id.as_str()) {
            Some("sep" | "end") => {}
            Some(other) => {
                return Some(format!(
                    "`tf.print` has no `{other}=` argument that means the same"
                ))
            }
            None => return Some("`**kwargs` cannot be checked".to_string()),
        }
    }
    call.arguments.args.iter().find_map(|arg| {
        formats_in_python(arg)
            .then(|| "the text is formatted in Python, once, at trace time".to_string())
    })
}

/// Whether an argument formats values into text in Python.
fn formats_in_python(arg: &Expr) -> bool {
    match arg {
        Expr::FString(fstring) => fstring
            .value
            .elements()
            .any(|element| element.is_interpolation()),
        Expr::BinOp(binop) => binop.op == Operator::Mod && binop.left.is_string_literal_expr(),
        Expr::Call(call) => match call.func.as_ref() {
            Expr::Attribute(attribute) => {
                attribute.attr.id.as_str() == "format" || attribute.attr.id.as_str() == "join"
            }
            Expr::Name(name) => matches!(name.id.as_str(), "str" | "repr" | "format"),
            _ => false,
        },
        Expr::Starred(starred) => formats_in_python(&starred.value),
        _ => false,
    }
}

/// Whether the printed text says it reports tracing ("Tracing with", "retracing").
fn reports_tracing(call: &ExprCall) -> bool {
    call.arguments.args.iter().any(|arg| {
        let text = match arg {
            Expr::StringLiteral(literal) => literal.value.to_str().to_ascii_lowercase(),
            Expr::FString(fstring) => fstring
                .value
                .elements()
                .filter_map(|element| element.as_literal())
                .map(|literal| literal.value.to_ascii_lowercase())
                .collect(),
            _ => return false,
        };
        text.contains("trac")
    })
}

/// The `print(...)` calls of one function's own body; nested functions,
/// classes and lambdas are functions of their own.
#[derive(Default)]
struct PrintCalls<'a> {
    calls: Vec<&'a ExprCall>,
}

impl<'a> Visitor<'a> for PrintCalls<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            walk_stmt(self, stmt);
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Lambda(_) => return,
            Expr::Call(call) if matches!(call.func.as_ref(), Expr::Name(name) if name.id.as_str() == "print") =>
            {
                self.calls.push(call);
            }
            _ => {}
        }
        walk_expr(self, expr);
    }
}
