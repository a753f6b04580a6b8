//! The names a function body binds before the walker reads it (Python
//! makes every name assigned anywhere in a function local to it), and the
//! calls inside an assignment target.

use rustc_hash::FxHashSet as HashSet;

use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ExprCall, Stmt};

/// Calls inside an expression (used for assignment targets).
#[derive(Default)]
pub(super) struct CallsIn<'a> {
    pub(super) calls: Vec<&'a ExprCall>,
}

impl<'a> Visitor<'a> for CallsIn<'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            self.calls.push(call);
        }
        if !matches!(expr, Expr::Lambda(_)) {
            walk_expr(self, expr);
        }
    }
}

/// Every name a function body binds, and its `global`/`nonlocal` names.
#[derive(Default)]
pub(super) struct LocalNames<'a> {
    pub(super) assigned: HashSet<&'a str>,
    pub(super) globals: HashSet<&'a str>,
    pub(super) nonlocals: HashSet<&'a str>,
    /// Whether the module has an assignment expression (`:=`) at all; if
    /// not, expressions bind nothing and are not walked.
    pub(super) walrus: bool,
}

impl<'a> LocalNames<'a> {
    pub(super) fn new(walrus: bool) -> Self {
        Self {
            assigned: HashSet::default(),
            globals: HashSet::default(),
            nonlocals: HashSet::default(),
            walrus,
        }
    }

    pub(super) fn bind(&mut self, target: &'a Expr) {
        match target {
            Expr::Name(name) => {
                self.assigned.insert(name.id.as_str());
            }
            Expr::Tuple(tuple) => tuple.elts.iter().for_each(|e| self.bind(e)),
            Expr::List(list) => list.elts.iter().for_each(|e| self.bind(e)),
            Expr::Starred(starred) => self.bind(&starred.value),
            _ => {}
        }
    }
}

impl<'a> Visitor<'a> for LocalNames<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                self.assigned.insert(def.name.id.as_str());
                return;
            }
            Stmt::ClassDef(def) => {
                self.assigned.insert(def.name.id.as_str());
                return;
            }
            Stmt::Assign(assign) => assign.targets.iter().for_each(|t| self.bind(t)),
            Stmt::AnnAssign(assign) => self.bind(&assign.target),
            Stmt::AugAssign(assign) => self.bind(&assign.target),
            Stmt::For(for_stmt) => self.bind(&for_stmt.target),
            Stmt::With(with) => {
                for item in &with.items {
                    if let Some(vars) = &item.optional_vars {
                        self.bind(vars);
                    }
                }
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let name = alias.asname.as_ref().unwrap_or(&alias.name);
                    let first = name.id.split('.').next().unwrap_or_default();
                    self.assigned.insert(first);
                }
            }
            Stmt::ImportFrom(import) => {
                for alias in &import.names {
                    let name = alias.asname.as_ref().unwrap_or(&alias.name);
                    self.assigned.insert(name.id.as_str());
                }
            }
            Stmt::Global(global) => {
                for name in &global.names {
                    self.globals.insert(name.id.as_str());
                }
            }
            Stmt::Nonlocal(nonlocal) => {
                for name in &nonlocal.names {
                    self.nonlocals.insert(name.id.as_str());
                }
            }
            _ => {}
        }
        // Without assignment expressions, only statements with a body bind
        // more names below them.
        if self.walrus
            || matches!(
                stmt,
                Stmt::For(_)
                    | Stmt::While(_)
                    | Stmt::If(_)
                    | Stmt::With(_)
                    | Stmt::Try(_)
                    | Stmt::Match(_)
            )
        {
            walk_stmt(self, stmt);
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if !self.walrus {
            return;
        }
        if let Expr::Named(named) = expr {
            self.bind(&named.target);
        }
        if !matches!(
            expr,
            Expr::Lambda(_)
                | Expr::ListComp(_)
                | Expr::SetComp(_)
                | Expr::DictComp(_)
                | Expr::Generator(_)
        ) {
            walk_expr(self, expr);
        }
    }
}
