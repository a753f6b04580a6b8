//! Names inside one function: where each is bound, where it is read, and
//! which names a nested function takes from its enclosing function (its
//! free variables). They tell whether a nested function can be lifted out
//! with its free variables as parameters, and how a parameter is used.

use std::collections::BTreeSet;

use rustc_hash::FxHashSet as HashSet;

use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ExprCall, ExprContext, Stmt, StmtFunctionDef};
use ruff_text_size::{Ranged, TextSize};

/// One binding of a name in a function's own scope.
#[derive(Debug, Clone)]
pub struct Binding {
    pub name: String,
    pub offset: TextSize,
    /// Bound by a `for` target (a loop variable).
    pub loop_target: bool,
    /// Bound inside a `for` or `while` body.
    pub in_loop: bool,
}

/// A read of a name.
#[derive(Debug, Clone)]
pub struct Use<'a> {
    pub name: String,
    pub offset: TextSize,
    /// The call whose callee this name is (`name(...)`), if any.
    pub called: Option<&'a ExprCall>,
    /// Whether the read is inside a nested function, lambda or class.
    pub nested: bool,
}

/// The bindings and reads of one function's body (its parameters
/// included), not looking into nested functions except to record reads.
#[derive(Debug, Default)]
pub struct FunctionNames<'a> {
    pub params: Vec<String>,
    pub bindings: Vec<Binding>,
    pub uses: Vec<Use<'a>>,
    /// Names bound only inside nested scopes (lambda and nested function
    /// parameters, comprehension variables, nested assignments).
    pub nested_bindings: HashSet<String>,
    /// Whether the body has `global` or `nonlocal` statements.
    pub declares_scope: bool,
}

impl<'a> FunctionNames<'a> {
    pub fn of(def: &'a StmtFunctionDef) -> Self {
        let mut names = Collector {
            out: FunctionNames::default(),
            nesting: 0,
            loop_depth: 0,
            pending_call: None,
        };
        for parameter in def.parameters.iter() {
            names.out.params.push(parameter.name().id.to_string());
        }
        names.visit_body(&def.body);
        names.out
    }

    /// The bindings and reads of module-level code.
    pub fn of_module(body: &'a [Stmt]) -> Self {
        let mut names = Collector {
            out: FunctionNames::default(),
            nesting: 0,
            loop_depth: 0,
            pending_call: None,
        };
        names.visit_body(body);
        names.out
    }

    /// Whether `name` is bound in this scope (a parameter or a binding).
    pub fn binds(&self, name: &str) -> bool {
        self.params.iter().any(|p| p == name) || self.bindings.iter().any(|b| b.name == name)
    }

    /// Names read here (or in nested scopes) that this scope does not bind:
    /// they come from an enclosing scope, the module or the builtins.
    pub fn free_names(&self) -> BTreeSet<String> {
        self.uses
            .iter()
            .filter(|u| !self.binds(&u.name))
            .map(|u| u.name.clone())
            .collect()
    }
}

struct Collector<'a> {
    out: FunctionNames<'a>,
    nesting: usize,
    loop_depth: usize,
    pending_call: Option<&'a ExprCall>,
}

impl<'a> Collector<'a> {
    fn bind(&mut self, target: &'a Expr, loop_target: bool) {
        match target {
            Expr::Name(name) => self.bind_name(name.id.as_str(), name.start(), loop_target),
            Expr::Tuple(tuple) => tuple.elts.iter().for_each(|e| self.bind(e, loop_target)),
            Expr::List(list) => list.elts.iter().for_each(|e| self.bind(e, loop_target)),
            Expr::Starred(starred) => self.bind(&starred.value, loop_target),
            other => self.visit_expr(other),
        }
    }

    fn bind_name(&mut self, name: &str, offset: TextSize, loop_target: bool) {
        if self.nesting > 0 {
            self.out.nested_bindings.insert(name.to_string());
            return;
        }
        self.out.bindings.push(Binding {
            name: name.to_string(),
            offset,
            loop_target,
            in_loop: self.loop_depth > 0,
        });
    }

    fn nested(&mut self, visit: impl FnOnce(&mut Self)) {
        self.nesting += 1;
        visit(self);
        self.nesting -= 1;
    }
}

impl<'a> Visitor<'a> for Collector<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                for decorator in &def.decorator_list {
                    self.visit_expr(&decorator.expression);
                }
                for parameter in def.parameters.iter() {
                    if let Some(default) = parameter.default() {
                        self.visit_expr(default);
                    }
                }
                self.bind_name(def.name.id.as_str(), def.name.start(), false);
                self.nested(|this| {
                    for parameter in def.parameters.iter() {
                        this.bind_name(parameter.name().id.as_str(), parameter.start(), false);
                    }
                    this.visit_body(&def.body);
                });
            }
            Stmt::ClassDef(class) => {
                self.bind_name(class.name.id.as_str(), class.name.start(), false);
                self.nested(|this| walk_stmt(this, stmt));
            }
            Stmt::Assign(assign) => {
                self.visit_expr(&assign.value);
                for target in &assign.targets {
                    self.bind(target, false);
                }
            }
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value {
                    self.visit_expr(value);
                }
                self.bind(&assign.target, false);
            }
            Stmt::AugAssign(assign) => {
                self.visit_expr(&assign.value);
                self.visit_expr(&assign.target);
                self.bind(&assign.target, false);
            }
            Stmt::For(for_stmt) => {
                self.visit_expr(&for_stmt.iter);
                self.loop_depth += 1;
                self.bind(&for_stmt.target, true);
                self.visit_body(&for_stmt.body);
                self.loop_depth -= 1;
                self.visit_body(&for_stmt.orelse);
            }
            Stmt::While(while_stmt) => {
                self.visit_expr(&while_stmt.test);
                self.loop_depth += 1;
                self.visit_body(&while_stmt.body);
                self.loop_depth -= 1;
                self.visit_body(&while_stmt.orelse);
            }
            Stmt::With(with) => {
                for item in &with.items {
                    self.visit_expr(&item.context_expr);
                    if let Some(vars) = &item.optional_vars {
                        self.bind(vars, false);
                    }
                }
                self.visit_body(&with.body);
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let name = alias.asname.as_ref().unwrap_or(&alias.name);
                    let first = name.id.split('.').next().unwrap_or_default();
                    self.bind_name(first, alias.start(), false);
                }
            }
            Stmt::ImportFrom(import) => {
                for alias in &import.names {
                    let name = alias.asname.as_ref().unwrap_or(&alias.name);
                    self.bind_name(name.id.as_str(), alias.start(), false);
                }
            }
            Stmt::Global(_) | Stmt::Nonlocal(_) => self.out.declares_scope = true,
            Stmt::Try(try_stmt) => {
                for handler in &try_stmt.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(handler) = handler;
                    if let Some(name) = &handler.name {
                        self.bind_name(name.id.as_str(), name.start(), false);
                    }
                }
                walk_stmt(self, stmt);
            }
            _ => walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Name(name) => match name.ctx {
                ExprContext::Load => {
                    let called = self
                        .pending_call
                        .take()
                        .filter(|call| call.func.range() == name.range());
                    self.out.uses.push(Use {
                        name: name.id.to_string(),
                        offset: name.start(),
                        called,
                        nested: self.nesting > 0,
                    });
                }
                _ => self.bind_name(name.id.as_str(), name.start(), false),
            },
            Expr::Call(call) => {
                self.pending_call = Some(call);
                walk_expr(self, expr);
                self.pending_call = None;
            }
            Expr::Named(named) => {
                self.visit_expr(&named.value);
                self.bind(&named.target, false);
            }
            Expr::Lambda(lambda) => self.nested(|this| {
                if let Some(parameters) = &lambda.parameters {
                    for parameter in parameters.iter() {
                        this.bind_name(parameter.name().id.as_str(), parameter.start(), false);
                    }
                }
                this.visit_expr(&lambda.body);
            }),
            Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::Generator(_) => {
                let generators = match expr {
                    Expr::ListComp(c) => &c.generators,
                    Expr::SetComp(c) => &c.generators,
                    Expr::DictComp(c) => &c.generators,
                    Expr::Generator(c) => &c.generators,
                    _ => unreachable!("matched above"),
                };
                self.nested(|this| {
                    for generator in generators {
                        let mut targets = Collector {
                            out: FunctionNames::default(),
                            nesting: 1,
                            loop_depth: 0,
                            pending_call: None,
                        };
                        targets.bind(&generator.target, true);
                        this.out.nested_bindings.extend(targets.out.nested_bindings);
                    }
                    walk_expr(this, expr);
                });
            }
            _ => {
                // A call's callee is only the name directly in `func`.
                if !matches!(expr, Expr::Name(_)) {
                    self.pending_call = self
                        .pending_call
                        .filter(|call| call.func.range() == expr.range());
                }
                walk_expr(self, expr);
            }
        }
    }
}

/// The names module-level code reads other than to call them (a function
/// so named may be called from anywhere), found once per module. Reading
/// how often a graph function was traced (`name.experimental_get_tracing_count`)
/// neither calls it nor lets it escape.
pub fn names_used_as_values(body: &[Stmt]) -> rustc_hash::FxHashSet<Box<str>> {
    struct Reads {
        offsets: std::collections::HashSet<TextSize>,
    }
    impl<'a> Visitor<'a> for Reads {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Attribute(attribute) = expr {
                if attribute.attr.id.as_str() == "experimental_get_tracing_count"
                    && attribute.value.is_name_expr()
                {
                    self.offsets.insert(attribute.value.start());
                }
            }
            walk_expr(self, expr);
        }
    }
    let mut introspection = Reads {
        offsets: std::collections::HashSet::new(),
    };
    introspection.visit_body(body);
    FunctionNames::of_module(body)
        .uses
        .into_iter()
        .filter(|u| u.called.is_none() && !introspection.offsets.contains(&u.offset))
        .map(|u| u.name.into_boxed_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_of(source: &str, check: impl FnOnce(&FunctionNames)) {
        let parsed = ruff_python_parser::parse_module(source).unwrap();
        let Stmt::FunctionDef(def) = &parsed.syntax().body[0] else {
            panic!("not a function")
        };
        check(&FunctionNames::of(def));
    }

    #[test]
    fn free_names_exclude_parameters_and_locals() {
        names_of(
            "def f(v):\n    y = v * w + scale\n    return [y * k for k in range(n)]\n",
            |names| {
                let free: Vec<String> = names.free_names().into_iter().collect();
                assert_eq!(free, vec!["k", "n", "range", "scale", "w"]);
                assert!(names.nested_bindings.contains("k"));
            },
        );
    }

    #[test]
    fn loop_targets_and_calls_are_marked() {
        names_of(
            "def f():\n    for i in range(3):\n        g(i)\n    h = g\n",
            |names| {
                let i = names.bindings.iter().find(|b| b.name == "i").unwrap();
                assert!(i.loop_target && i.in_loop);
                let g: Vec<bool> = names
                    .uses
                    .iter()
                    .filter(|u| u.name == "g")
                    .map(|u| u.called.is_some())
                    .collect();
                assert_eq!(g, vec![true, false]);
            },
        );
    }
}
