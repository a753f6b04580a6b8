//! HY014 list-append-in-graph-loop: appending to a Python list inside a
//! loop that AutoGraph turns into a `tf.while_loop` does not collect one
//! element per iteration.

use std::collections::{HashMap, HashSet};

use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ExprCall, Stmt, StmtFunctionDef};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::codemod::{Codemod, DependsOn, FixSafety};
use crate::semantic::kinds::ParamKind;
use crate::semantic::{FunctionId, SemanticModel};

pub const CODEMOD: Codemod = Codemod {
    code: "HY014",
    name: "list-append-in-graph-loop",
    summary: "Report appends to a Python list inside a graph loop (use `tf.TensorArray`)",
    safety: FixSafety::NoFix,
    doc: include_str!("list_append_in_graph_loop.md"),
    informational: &[],
    // It looks at loops in code that runs under graph.
    depends_on: &[DependsOn::GraphCode],
    run,
};

fn run(checker: &mut Checker) {
    let semantic = checker.semantic;
    for id in semantic.graph_code() {
        let function = &semantic.functions[id];
        let lists = python_lists(function.def);
        if lists.is_empty() {
            continue;
        }
        let mut finder = Appends {
            model: semantic,
            params: tensor_params(semantic, id),
            lists: &lists,
            graph_loops: Vec::new(),
            found: Vec::new(),
        };
        finder.visit_body(&function.def.body);
        for (call, list, graph_loop) in finder.found {
            let when = match graph_loop {
                GraphLoop::Tensor => String::new(),
                GraphLoop::IfTensor(param) => format!(" when `{param}` is a tensor"),
            };
            checker.report(
                CODEMOD.diagnostic(format!(
                        "`{list}.append(...)` inside a loop of `{}` that AutoGraph turns into a `tf.while_loop`{when}: the Python list does not get one element per iteration",
                        function.qualified_name
                    ),
                    call.range(),
                )
                .with_function(function.qualified_name.clone())
                .with_note("no fix offered: collect the values in a `tf.TensorArray` (`ta = ta.write(i, value)`, then `ta.stack()`)"),
            );
        }
    }
}

/// Whether a loop is one AutoGraph converts.
#[derive(Debug, Clone, PartialEq, Eq)]
enum GraphLoop {
    /// It iterates (or tests) a TensorFlow value, or a parameter every call
    /// site passes a tensor.
    Tensor,
    /// It depends on a parameter that nothing says is a Python value.
    IfTensor(String),
}

/// The parameters of `id` that may be tensors, each with whether every
/// call site passes one (`true`) or nothing says (`false`). A parameter is
/// a Python value, and left out, when its call sites pass Python values or
/// objects, or when nothing is known from them and it is annotated `int`,
/// `float`, `bool` or `str`, or defaults to a number or a `bool`.
fn tensor_params(semantic: &SemanticModel, id: FunctionId) -> HashMap<String, bool> {
    let function = &semantic.functions[id];
    let kinds = &semantic.facts[id].params;
    let mut params = HashMap::new();
    for parameter in function.def.parameters.iter_non_variadic_params() {
        let name = parameter.parameter.name.id.as_str();
        let Some((_, kind)) = kinds.iter().find(|(param, _)| param == name) else {
            continue;
        };
        let python = match kind {
            ParamKind::Tensor(_) => {
                params.insert(name.to_string(), true);
                continue;
            }
            ParamKind::Unknown => {
                let annotated = parameter.parameter.annotation.as_deref().is_some_and(|a| {
                    matches!(a, Expr::Name(n) if matches!(n.id.as_str(), "int" | "float" | "bool" | "str"))
                });
                let defaults_to_number = parameter
                    .default
                    .as_deref()
                    .is_some_and(|d| matches!(d, Expr::NumberLiteral(_) | Expr::BooleanLiteral(_)));
                annotated || defaults_to_number
            }
            _ => true,
        };
        if !python {
            params.insert(name.to_string(), false);
        }
    }
    params
}

/// Local names bound to a list literal (`xs = []`) in the function's body.
fn python_lists(def: &StmtFunctionDef) -> HashSet<String> {
    struct Lists(HashSet<String>);
    impl<'a> Visitor<'a> for Lists {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::Assign(assign) => {
                    if assign.value.is_list_expr() {
                        for target in &assign.targets {
                            if let Expr::Name(name) = target {
                                self.0.insert(name.id.to_string());
                            }
                        }
                    }
                }
                _ => walk_stmt(self, stmt),
            }
        }
    }
    let mut lists = Lists(HashSet::new());
    lists.visit_body(&def.body);
    lists.0
}

struct Appends<'m, 'a, 'l> {
    model: &'m SemanticModel<'a>,
    /// Parameters that may be tensors (see [`tensor_params`]).
    params: HashMap<String, bool>,
    lists: &'l HashSet<String>,
    /// The enclosing loops AutoGraph converts, innermost last.
    graph_loops: Vec<GraphLoop>,
    found: Vec<(&'a ExprCall, String, GraphLoop)>,
}

impl Appends<'_, '_, '_> {
    /// Whether AutoGraph turns a loop over `iter` (or while `test`) into a
    /// graph loop: it calls TensorFlow (`tf.range(n)`, a dataset,
    /// `range(tf.shape(x)[0])`) or depends on a parameter that may be a
    /// tensor. A loop over `range(n)` of a Python `n` stays a Python loop,
    /// unrolled while tracing.
    fn graph_loop(&self, expr: &Expr) -> Option<GraphLoop> {
        struct Tensorish<'x, 'm, 'a, 'l> {
            appends: &'x Appends<'m, 'a, 'l>,
            found: Option<GraphLoop>,
        }
        impl<'a> Visitor<'a> for Tensorish<'_, '_, '_, '_> {
            fn visit_expr(&mut self, expr: &'a Expr) {
                if self.found == Some(GraphLoop::Tensor) {
                    return;
                }
                match expr {
                    Expr::Call(call) if self.appends.model.imports.is_tensorflow(&call.func) => {
                        self.found = Some(GraphLoop::Tensor);
                    }
                    Expr::Name(name) => match self.appends.params.get(name.id.as_str()) {
                        Some(true) => self.found = Some(GraphLoop::Tensor),
                        Some(false) if self.found.is_none() => {
                            self.found = Some(GraphLoop::IfTensor(name.id.to_string()));
                        }
                        _ => {}
                    },
                    _ => {}
                }
                walk_expr(self, expr);
            }
        }
        let mut tensorish = Tensorish {
            appends: self,
            found: None,
        };
        tensorish.visit_expr(expr);
        tensorish.found
    }
}

impl<'a> Visitor<'a> for Appends<'_, 'a, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let graph_loop = match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::For(for_) => self.graph_loop(&for_.iter),
            Stmt::While(while_) => self.graph_loop(&while_.test),
            _ => None,
        };
        let pushed = graph_loop.is_some();
        if let Some(graph_loop) = graph_loop {
            self.graph_loops.push(graph_loop);
        }
        walk_stmt(self, stmt);
        if pushed {
            self.graph_loops.pop();
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            if let Expr::Attribute(attribute) = call.func.as_ref() {
                if let Expr::Name(list) = attribute.value.as_ref() {
                    if attribute.attr.id.as_str() == "append"
                        && self.lists.contains(list.id.as_str())
                    {
                        // A loop that surely converts wins over one that may.
                        let graph_loop = self
                            .graph_loops
                            .iter()
                            .find(|l| **l == GraphLoop::Tensor)
                            .or(self.graph_loops.last());
                        if let Some(graph_loop) = graph_loop {
                            self.found
                                .push((call, list.id.to_string(), graph_loop.clone()));
                        }
                    }
                }
            }
        }
        walk_expr(self, expr);
    }
}
