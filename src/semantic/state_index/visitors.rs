//! The walks that fill the state index: every occurrence of a name that
//! can be state, the write statements and bindings of a body, the names
//! Python looks up through strings, and the families of classes.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use ruff_python_ast::statement_visitor::{walk_stmt, StatementVisitor};
use ruff_python_ast::visitor::source_order::{self, SourceOrderVisitor, TraversalSignal};
use ruff_python_ast::{AnyNodeRef, Expr, Operator, Stmt};
use ruff_text_size::{Ranged, TextSize};

use super::{Index, Occurrence, Occurrences};
use crate::semantic::{ClassId, FunctionId, SemanticModel};

/// Finds every occurrence of the names that can be state, in one walk.
pub(super) struct Walker<'i, 'm, 'a> {
    pub(super) index: &'i Index<'a>,
    pub(super) model: &'m SemanticModel<'a>,
    pub(super) attributes: &'i HashSet<&'i str>,
    pub(super) globals: &'i HashSet<&'i str>,
    pub(super) ancestors: Vec<AnyNodeRef<'a>>,
    pub(super) statements: Vec<&'a Stmt>,
    pub(super) functions: Vec<FunctionId>,
    pub(super) found: Occurrences<'a>,
}

impl<'a> Walker<'_, '_, 'a> {
    fn occurrence(&self, expr: &'a Expr) -> Occurrence<'a> {
        Occurrence {
            expr,
            ancestors: self.ancestors.clone(),
            stmt: self.statements.last().copied(),
            function: self.functions.last().copied(),
        }
    }
}

impl<'a> SourceOrderVisitor<'a> for Walker<'_, '_, 'a> {
    fn enter_node(&mut self, node: AnyNodeRef<'a>) -> TraversalSignal {
        if let AnyNodeRef::StmtFunctionDef(def) = node {
            if let Some(id) = self.index.function_at(def.start()) {
                self.functions.push(id);
            }
        }
        self.ancestors.push(node);
        TraversalSignal::Traverse
    }

    fn leave_node(&mut self, node: AnyNodeRef<'a>) {
        self.ancestors.pop();
        if let AnyNodeRef::StmtFunctionDef(def) = node {
            if self.index.function_at(def.start()).is_some() {
                self.functions.pop();
            }
        }
    }

    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::Global(global) = stmt {
            if let Some(&function) = self.functions.last() {
                for name in &global.names {
                    if self.globals.contains(name.id.as_str()) {
                        let decls = self.found.global_decls.entry(name.id.as_str()).or_default();
                        // Once per statement, as the statement is one use.
                        if decls
                            .last()
                            .is_none_or(|(last, _)| !std::ptr::eq(*last, global))
                        {
                            decls.push((global, function));
                        }
                    }
                }
            }
        }
        self.statements.push(stmt);
        source_order::walk_stmt(self, stmt);
        self.statements.pop();
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Attribute(attribute) if self.attributes.contains(attribute.attr.id.as_str()) => {
                let occurrence = self.occurrence(expr);
                let family = occurrence
                    .function
                    .and_then(|f| self.index.self_binding(f))
                    .map(|(_, class)| self.index.family(self.model, class)[0]);
                let not_self =
                    !matches!(attribute.value.as_ref(), Expr::Name(r) if r.id.as_str() == "self");
                let found = self
                    .found
                    .attributes
                    .entry(attribute.attr.id.as_str())
                    .or_default();
                let at = found.all.len() as u32;
                found.all.push(occurrence);
                if let Some(family) = family {
                    found.by_family.entry(family).or_default().push(at);
                }
                if not_self {
                    found.not_self.push(at);
                }
            }
            Expr::Name(name) if self.globals.contains(name.id.as_str()) => {
                let occurrence = self.occurrence(expr);
                self.found
                    .globals
                    .entry(name.id.as_str())
                    .or_default()
                    .push(occurrence);
            }
            _ => {}
        }
        source_order::walk_expr(self, expr);
    }
}

/// Names a body declares `global` (not in nested functions).
pub(super) fn declared_globals(body: &[Stmt]) -> HashSet<&str> {
    #[derive(Default)]
    struct Globals<'a>(HashSet<&'a str>);
    impl<'a> StatementVisitor<'a> for Globals<'a> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::Global(global) => {
                    self.0.extend(global.names.iter().map(|n| n.id.as_str()));
                }
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                _ => walk_stmt(self, stmt),
            }
        }
    }
    let mut globals = Globals::default();
    globals.visit_body(body);
    globals.0
}

/// The write statements of one body (`x = v` with one target, `x op= v`),
/// not looking into nested functions or classes.
#[derive(Default)]
pub(super) struct OwnWrites<'a> {
    pub(super) writes: Vec<(&'a Expr, &'a Stmt)>,
}

impl<'a> StatementVisitor<'a> for OwnWrites<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    self.writes.push((target, stmt));
                }
            }
            Stmt::AugAssign(aug) => self.writes.push((&aug.target, stmt)),
            Stmt::AnnAssign(ann) if ann.value.is_some() => self.writes.push((&ann.target, stmt)),
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            _ => walk_stmt(self, stmt),
        }
    }
}

/// Where a scope binds each name (in order), not looking into nested
/// scopes.
#[derive(Default)]
pub(super) struct Bindings<'a> {
    pub(super) found: Vec<Binding<'a>>,
}

pub(super) struct Binding<'a> {
    pub(super) name: &'a str,
    pub(super) offset: TextSize,
    /// `name = v`, `name += v` or `name -= v`: an assignment, or an update
    /// by addition or subtraction (what a variable's `assign`, `assign_add`
    /// and `assign_sub` also do).
    pub(super) rewritable: bool,
}

impl<'a> Bindings<'a> {
    pub(super) fn names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.found.iter().map(|binding| binding.name)
    }

    fn target(&mut self, expr: &'a Expr, offset: TextSize, rewritable: bool) {
        match expr {
            Expr::Name(n) => self.found.push(Binding {
                name: n.id.as_str(),
                offset,
                rewritable,
            }),
            Expr::Tuple(t) => t
                .elts
                .iter()
                .for_each(|e| self.target(e, offset, rewritable)),
            Expr::List(l) => l
                .elts
                .iter()
                .for_each(|e| self.target(e, offset, rewritable)),
            Expr::Starred(s) => self.target(&s.value, offset, rewritable),
            _ => {}
        }
    }

    fn bind(&mut self, name: &'a str, offset: TextSize) {
        self.found.push(Binding {
            name,
            offset,
            rewritable: false,
        });
    }
}

impl<'a> StatementVisitor<'a> for Bindings<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let offset = stmt.start();
        match stmt {
            Stmt::FunctionDef(def) => self.bind(def.name.id.as_str(), offset),
            Stmt::ClassDef(def) => self.bind(def.name.id.as_str(), offset),
            Stmt::Assign(assign) => {
                let single = assign.targets.len() == 1 && assign.targets[0].is_name_expr();
                assign
                    .targets
                    .iter()
                    .for_each(|t| self.target(t, offset, single));
            }
            Stmt::AugAssign(aug) => {
                let rewritable = matches!(aug.op, Operator::Add | Operator::Sub);
                self.target(&aug.target, offset, rewritable);
            }
            Stmt::AnnAssign(ann) => self.target(&ann.target, offset, false),
            Stmt::For(for_) => {
                self.target(&for_.target, offset, false);
                walk_stmt(self, stmt);
            }
            Stmt::With(with) => {
                for item in &with.items {
                    if let Some(vars) = &item.optional_vars {
                        self.target(vars, offset, false);
                    }
                }
                walk_stmt(self, stmt);
            }
            Stmt::Delete(delete) => delete
                .targets
                .iter()
                .for_each(|t| self.target(t, offset, false)),
            Stmt::Import(import) => {
                for alias in &import.names {
                    let local = alias.asname.as_ref().map_or_else(
                        || alias.name.id.split('.').next().unwrap_or_default(),
                        |a| a.id.as_str(),
                    );
                    self.bind(local, offset);
                }
            }
            Stmt::ImportFrom(import) => {
                for alias in &import.names {
                    self.bind(
                        alias.asname.as_ref().unwrap_or(&alias.name).id.as_str(),
                        offset,
                    );
                }
            }
            Stmt::Try(try_) => {
                for handler in &try_.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(h) = handler;
                    if let Some(name) = &h.name {
                        self.bind(name.id.as_str(), offset);
                    }
                }
                walk_stmt(self, stmt);
            }
            _ => walk_stmt(self, stmt),
        }
    }
}

/// Strings the module names something with where Python looks it up
/// dynamically: `getattr(obj, "name")` (and `setattr`, `hasattr`,
/// `delattr`) or `globals()["name"]` (and `vars()`, `locals()`,
/// `__dict__`); each with the first place it does.
#[derive(Default)]
pub(super) struct Strings {
    pub(super) first: HashMap<String, TextSize>,
}

impl Strings {
    fn named(&mut self, expr: &Expr, at: TextSize) {
        if let Expr::StringLiteral(literal) = expr {
            self.first
                .entry(literal.value.to_str().to_string())
                .or_insert(at);
        }
    }
}

impl<'a> SourceOrderVisitor<'a> for Strings {
    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(call)
                if matches!(call.func.as_ref(), Expr::Name(n)
                    if matches!(n.id.as_str(), "getattr" | "setattr" | "hasattr" | "delattr")) =>
            {
                for arg in &call.arguments.args {
                    self.named(arg, expr.start());
                }
            }
            Expr::Subscript(subscript) => {
                let namespace = match subscript.value.as_ref() {
                    Expr::Call(call) => matches!(call.func.as_ref(), Expr::Name(n)
                        if matches!(n.id.as_str(), "globals" | "vars" | "locals")),
                    Expr::Attribute(a) => a.attr.id.as_str() == "__dict__",
                    _ => false,
                };
                if namespace {
                    self.named(&subscript.slice, expr.start());
                }
            }
            _ => {}
        }
        source_order::walk_expr(self, expr);
    }
}

/// Each class's family: the classes connected to it through bases named
/// like classes of the module (the first class of that name), either way;
/// in order of the classes.
pub(super) fn families(classes: &[crate::semantic::Class]) -> Vec<Vec<ClassId>> {
    let mut first_named: HashMap<&str, ClassId> = HashMap::default();
    for (id, class) in classes.iter().enumerate() {
        first_named.entry(class.def.name.id.as_str()).or_insert(id);
    }
    // Union-find over the base relation.
    let mut parent: Vec<ClassId> = (0..classes.len()).collect();
    fn root(parent: &mut [ClassId], mut id: ClassId) -> ClassId {
        while parent[id] != id {
            parent[id] = parent[parent[id]];
            id = parent[id];
        }
        id
    }
    for (id, class) in classes.iter().enumerate() {
        for base in &class.bases {
            if let Some(&base_id) = first_named.get(base.as_str()) {
                let (a, b) = (root(&mut parent, id), root(&mut parent, base_id));
                parent[a] = b;
            }
        }
    }
    let mut members: HashMap<ClassId, Vec<ClassId>> = HashMap::default();
    for id in 0..classes.len() {
        let r = root(&mut parent, id);
        members.entry(r).or_default().push(id);
    }
    (0..classes.len())
        .map(|id| members[&root(&mut parent, id)].clone())
        .collect()
}

/// Whether any `<x>.<name>` appears.
pub(super) struct AttributeReads<'n> {
    pub(super) name: &'n str,
    pub(super) found: bool,
}

impl<'a> SourceOrderVisitor<'a> for AttributeReads<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if matches!(expr, Expr::Attribute(a) if a.attr.id.as_str() == self.name) {
            self.found = true;
        }
        source_order::walk_expr(self, expr);
    }
}
