//! HY014 list-append-in-graph-loop: appending to a Python list inside a
//! loop that AutoGraph turns into a `tf.while_loop` does not collect one
//! element per iteration.

use std::collections::HashSet;

use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ExprCall, Stmt, StmtFunctionDef};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::codemod::{Codemod, DependsOn, FixSafety};
use crate::semantic::SemanticModel;

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
            params: function
                .def
                .parameters
                .iter()
                .map(|p| p.name().id.to_string())
                .collect(),
            lists: &lists,
            graph_loops: 0,
            found: Vec::new(),
        };
        finder.visit_body(&function.def.body);
        for (call, list) in finder.found {
            checker.report(
                CODEMOD.diagnostic(format!(
                        "`{list}.append(...)` inside a loop of `{}` that AutoGraph turns into a `tf.while_loop`: the Python list does not get one element per iteration",
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
    params: HashSet<String>,
    lists: &'l HashSet<String>,
    /// How many enclosing loops AutoGraph converts to graph loops.
    graph_loops: usize,
    found: Vec<(&'a ExprCall, String)>,
}

impl Appends<'_, '_, '_> {
    /// Whether AutoGraph turns a loop over `iter` (or while `test`) into a
    /// graph loop: it iterates a TensorFlow value (`tf.range(n)`, a
    /// dataset) or depends on a parameter that may be a tensor.
    fn is_graph_loop(&self, expr: &Expr) -> bool {
        struct Tensorish<'x, 'm, 'a, 'l> {
            appends: &'x Appends<'m, 'a, 'l>,
            found: bool,
        }
        impl<'a> Visitor<'a> for Tensorish<'_, '_, '_, '_> {
            fn visit_expr(&mut self, expr: &'a Expr) {
                match expr {
                    Expr::Call(call) if self.appends.model.imports.is_tensorflow(&call.func) => {
                        self.found = true;
                    }
                    Expr::Name(name) if self.appends.params.contains(name.id.as_str()) => {
                        self.found = true;
                    }
                    _ => {}
                }
                walk_expr(self, expr);
            }
        }
        let mut tensorish = Tensorish {
            appends: self,
            found: false,
        };
        tensorish.visit_expr(expr);
        tensorish.found
    }
}

impl<'a> Visitor<'a> for Appends<'_, 'a, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let graph_loop = match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::For(for_) => self.is_graph_loop(&for_.iter),
            Stmt::While(while_) => self.is_graph_loop(&while_.test),
            _ => false,
        };
        self.graph_loops += usize::from(graph_loop);
        walk_stmt(self, stmt);
        self.graph_loops -= usize::from(graph_loop);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            if let Expr::Attribute(attribute) = call.func.as_ref() {
                if let Expr::Name(list) = attribute.value.as_ref() {
                    if self.graph_loops > 0
                        && attribute.attr.id.as_str() == "append"
                        && self.lists.contains(list.id.as_str())
                    {
                        self.found.push((call, list.id.to_string()));
                    }
                }
            }
        }
        walk_expr(self, expr);
    }
}
