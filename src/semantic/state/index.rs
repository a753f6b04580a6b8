//! The state analysis's tables over one module, each built once, on first
//! use, and shared by every question asked of the module (HY010's states,
//! and HY001's repair asked once per candidate function). Asking about a
//! state then costs the size of its uses, not the size of the module:
//! modules with hundreds of states would otherwise cost the square of
//! their size.

use std::cell::{OnceCell, RefCell};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use ruff_python_ast::statement_visitor::{walk_stmt, StatementVisitor};
use ruff_python_ast::visitor::source_order::{self, SourceOrderVisitor, TraversalSignal};
use ruff_python_ast::{AnyNodeRef, Expr, Operator, Stmt, StmtGlobal};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::{creates_variable, StateTarget};
use crate::semantic::{ClassId, FunctionId, SemanticModel};

/// One place a state's name appears.
pub(super) struct Occurrence<'a> {
    pub expr: &'a Expr,
    /// The enclosing nodes, outermost first.
    pub ancestors: Vec<AnyNodeRef<'a>>,
    /// The innermost enclosing statement.
    pub stmt: Option<&'a Stmt>,
    /// The function whose code this is; `None` at module level.
    pub function: Option<FunctionId>,
}

/// A write a function's own body makes to something that can be state.
pub(super) struct Write<'a> {
    pub target: StateTarget,
    pub stmt: &'a Stmt,
    /// `x = tf.Variable(...)`: a variable stored, HY012's business.
    pub creates_variable: bool,
}

/// The names a function's own body declares `global` or binds.
struct ScopeNames<'a> {
    declared_global: HashSet<&'a str>,
    /// Parameters and every binding.
    bound: HashSet<&'a str>,
    /// Parameters and the bindings a rewrite does not replace (all but
    /// `name = v`, `name += v`, `name -= v`).
    bound_kept: HashSet<&'a str>,
}

/// The occurrences of one attribute name, in source order, with the
/// subsets a family's state looks at.
#[derive(Default)]
struct AttributeOccurrences<'a> {
    all: Vec<Occurrence<'a>>,
    /// By the family (its first class) of the method the occurrence is in.
    by_family: HashMap<ClassId, Vec<u32>>,
    /// Those whose receiver is not written `self`.
    not_self: Vec<u32>,
}

#[derive(Default)]
struct Occurrences<'a> {
    attributes: HashMap<&'a str, AttributeOccurrences<'a>>,
    globals: HashMap<&'a str, Vec<Occurrence<'a>>>,
    global_decls: HashMap<&'a str, Vec<(&'a StmtGlobal, FunctionId)>>,
}

/// Bindings of module-level code and of class bodies.
struct ModuleNames<'a> {
    /// Every module-level binding of a name, in order.
    bindings: HashMap<&'a str, Vec<TextSize>>,
    /// The first module-level `name = value`.
    inits: HashMap<&'a str, (&'a Stmt, &'a Expr)>,
    /// The first class (in order) whose body binds a name, and where.
    class_bindings: HashMap<&'a str, (TextSize, ClassId)>,
    class_names: HashSet<&'a str>,
}

pub struct Index<'a> {
    /// Function id by the start of its `def`.
    by_start: HashMap<TextSize, FunctionId>,
    /// The name `self` has in each function, with its class.
    self_bindings: Vec<Option<(&'a str, ClassId)>>,
    families: OnceCell<Vec<Vec<ClassId>>>,
    own_writes: Vec<OnceCell<Vec<(&'a Expr, &'a Stmt)>>>,
    writes: Vec<OnceCell<Vec<Write<'a>>>>,
    scope_names: Vec<OnceCell<ScopeNames<'a>>>,
    occurrences: OnceCell<Occurrences<'a>>,
    module_names: OnceCell<ModuleNames<'a>>,
    named_in_strings: OnceCell<HashMap<String, TextSize>>,
    /// For each state, its first write in functions that run under
    /// `tf.function` (function, position among its writes, statement).
    graph_first_writes: OnceCell<HashMap<StateTarget, (FunctionId, usize, TextRange)>>,
    /// By attribute name, the functions whose code (nested code included)
    /// reads `<x>.<name>`.
    attribute_readers: RefCell<HashMap<&'a str, Vec<FunctionId>>>,
}

impl<'a> Index<'a> {
    pub(super) fn new(model: &SemanticModel<'a>) -> Self {
        let n = model.functions.len();
        let by_start = model
            .functions
            .iter()
            .enumerate()
            .map(|(id, f)| (f.def.start(), id))
            .collect();
        let mut self_bindings = vec![None; n];
        let mut known = vec![false; n];
        for id in 0..n {
            self_binding(model, id, &mut self_bindings, &mut known);
        }
        fn cells<T>(n: usize) -> Vec<OnceCell<T>> {
            std::iter::repeat_with(OnceCell::new).take(n).collect()
        }
        Self {
            by_start,
            self_bindings,
            families: OnceCell::new(),
            own_writes: cells(n),
            writes: cells(n),
            scope_names: cells(n),
            occurrences: OnceCell::new(),
            module_names: OnceCell::new(),
            named_in_strings: OnceCell::new(),
            graph_first_writes: OnceCell::new(),
            attribute_readers: RefCell::default(),
        }
    }

    /// The name `self` has in function `id` and the class it is an instance
    /// of: the first parameter of a plain method, or the same binding seen by
    /// a function nested in one.
    pub(super) fn self_binding(&self, id: FunctionId) -> Option<(&'a str, ClassId)> {
        self.self_bindings[id]
    }

    /// The classes of this module connected to `class` through inheritance
    /// (a base named like one of them, either way), in order.
    pub(super) fn family(&self, model: &SemanticModel<'a>, class: ClassId) -> &[ClassId] {
        &self.families.get_or_init(|| families(&model.classes))[class]
    }

    /// The write statements of a function's own body (`x = v` with one
    /// target, `x op= v`), not looking into nested functions or classes.
    pub(super) fn own_writes(
        &self,
        model: &SemanticModel<'a>,
        id: FunctionId,
    ) -> &[(&'a Expr, &'a Stmt)] {
        self.own_writes[id].get_or_init(|| {
            let mut writes = OwnWrites::default();
            writes.visit_body(&model.functions[id].def.body);
            writes.writes
        })
    }

    /// The writes of function `id` to `self.<name>` or to a global it
    /// declares, in order.
    pub(super) fn writes(&self, model: &SemanticModel<'a>, id: FunctionId) -> &[Write<'a>] {
        self.writes[id].get_or_init(|| {
            let mut writes = Vec::new();
            for &(target, stmt) in self.own_writes(model, id) {
                let target = match target {
                    Expr::Attribute(attribute) => {
                        let Expr::Name(receiver) = attribute.value.as_ref() else {
                            continue;
                        };
                        let Some((self_name, class)) = self.self_binding(id) else {
                            continue;
                        };
                        if receiver.id.as_str() != self_name {
                            continue;
                        }
                        StateTarget::Attribute {
                            family: self.family(model, class).to_vec(),
                            name: attribute.attr.id.to_string(),
                        }
                    }
                    Expr::Name(name) if self.declares_global(model, id, name.id.as_str()) => {
                        StateTarget::Global {
                            name: name.id.to_string(),
                        }
                    }
                    _ => continue,
                };
                let creates_variable = matches!(stmt, Stmt::Assign(assign)
                    if creates_variable(model, &assign.value));
                writes.push(Write {
                    target,
                    stmt,
                    creates_variable,
                });
            }
            writes
        })
    }

    /// The first write of each state among the functions that run under
    /// `tf.function` (by function, then position).
    pub(super) fn graph_first_writes(
        &self,
        model: &SemanticModel<'a>,
    ) -> &HashMap<StateTarget, (FunctionId, usize, TextRange)> {
        self.graph_first_writes.get_or_init(|| {
            let mut first = HashMap::default();
            for id in (0..model.functions.len()).filter(|&id| model.runs_under_graph(id)) {
                for (at, write) in self.writes(model, id).iter().enumerate() {
                    if !write.creates_variable {
                        first
                            .entry(write.target.clone())
                            .or_insert((id, at, write.stmt.range()));
                    }
                }
            }
            first
        })
    }

    fn scope_names(&self, model: &SemanticModel<'a>, id: FunctionId) -> &ScopeNames<'a> {
        self.scope_names[id].get_or_init(|| {
            let def = model.functions[id].def;
            let params: Vec<&'a str> = def.parameters.iter().map(|p| p.name().as_str()).collect();
            let mut bindings = Bindings::default();
            bindings.visit_body(&def.body);
            let kept = bindings
                .found
                .iter()
                .filter(|binding| !binding.rewritable)
                .map(|binding| binding.name);
            ScopeNames {
                declared_global: declared_globals(&def.body),
                bound: params.iter().copied().chain(bindings.names()).collect(),
                bound_kept: params.iter().copied().chain(kept).collect(),
            }
        })
    }

    /// Whether function `id` declares `name` global (not in nested
    /// functions).
    pub(super) fn declares_global(
        &self,
        model: &SemanticModel<'a>,
        id: FunctionId,
        name: &str,
    ) -> bool {
        self.scope_names(model, id).declared_global.contains(name)
    }

    /// Whether function `id` binds `name` itself: parameters, imports,
    /// nested definitions, and assignments (all of them when
    /// `count_assignments`, otherwise only those a rewrite does not replace:
    /// every binding but `name = v` / `name += v` / `name -= v`).
    pub(super) fn function_binds(
        &self,
        model: &SemanticModel<'a>,
        id: FunctionId,
        name: &str,
        count_assignments: bool,
    ) -> bool {
        let names = self.scope_names(model, id);
        if count_assignments {
            names.bound.contains(name)
        } else {
            names.bound_kept.contains(name)
        }
    }

    /// Whether `name` refers to the module global inside function `id`.
    pub(super) fn resolves_to_global(
        &self,
        model: &SemanticModel<'a>,
        id: FunctionId,
        name: &str,
    ) -> bool {
        if self.declares_global(model, id, name) {
            return true;
        }
        if self.function_binds(model, id, name, true) {
            return false;
        }
        match model.functions[id].parent {
            Some(parent) => self.resolves_to_global(model, parent, name),
            None => true,
        }
    }

    fn occurrences(&self, model: &SemanticModel<'a>) -> &Occurrences<'a> {
        self.occurrences.get_or_init(|| {
            // Only names some function writes as state are looked for.
            let mut attributes = HashSet::default();
            let mut globals = HashSet::default();
            for id in 0..model.functions.len() {
                for write in self.writes(model, id) {
                    match &write.target {
                        StateTarget::Attribute { name, .. } => attributes.insert(name.as_str()),
                        StateTarget::Global { name } => globals.insert(name.as_str()),
                    };
                }
            }
            let mut walker = Walker {
                index: self,
                model,
                attributes: &attributes,
                globals: &globals,
                ancestors: Vec::new(),
                statements: Vec::new(),
                functions: Vec::new(),
                found: Occurrences::default(),
            };
            for stmt in model.module_body() {
                SourceOrderVisitor::visit_stmt(&mut walker, stmt);
            }
            walker.found
        })
    }

    /// Every occurrence of `self.<name>` of a family, in source order, with
    /// the receiver as written when it is not the family's `self` (an
    /// attribute reached through an object the analysis cannot identify).
    /// `self.<name>` in a method of an unrelated class is another attribute.
    pub(super) fn attribute_occurrences<'i>(
        &'i self,
        model: &SemanticModel<'a>,
        family: &[ClassId],
        name: &str,
    ) -> Vec<(&'i Occurrence<'a>, Option<String>)> {
        let Some(found) = self.occurrences(model).attributes.get(name) else {
            return Vec::new();
        };
        let key = family[0];
        let in_family = found.by_family.get(&key).map_or(&[][..], Vec::as_slice);
        let mut picked: Vec<u32> = Vec::with_capacity(in_family.len() + found.not_self.len());
        let (mut i, mut j) = (0, 0);
        while i < in_family.len() || j < found.not_self.len() {
            let next = match (in_family.get(i), found.not_self.get(j)) {
                (Some(&a), Some(&b)) if a == b => {
                    i += 1;
                    j += 1;
                    a
                }
                (Some(&a), Some(&b)) if a < b => {
                    i += 1;
                    a
                }
                (Some(&a), None) => {
                    i += 1;
                    a
                }
                (_, Some(&b)) => {
                    j += 1;
                    b
                }
                (None, None) => unreachable!(),
            };
            picked.push(next);
        }
        picked
            .into_iter()
            .map(|at| {
                let occurrence = &found.all[at as usize];
                let Expr::Attribute(attribute) = occurrence.expr else {
                    unreachable!("attribute occurrences are attributes")
                };
                let own = matches!(
                    (attribute.value.as_ref(), occurrence.function.and_then(|f| self.self_binding(f))),
                    (Expr::Name(receiver), Some((self_name, class)))
                        if receiver.id.as_str() == self_name && family.contains(&class)
                );
                let foreign = (!own).then(|| super::callee_text(&attribute.value));
                (occurrence, foreign)
            })
            .collect()
    }

    /// Every occurrence of the module global `name`, in source order.
    pub(super) fn global_occurrences(
        &self,
        model: &SemanticModel<'a>,
        name: &str,
    ) -> Vec<&Occurrence<'a>> {
        let found = self.occurrences(model).globals.get(name);
        found
            .into_iter()
            .flatten()
            .filter(|occurrence| {
                occurrence
                    .function
                    .is_none_or(|id| self.resolves_to_global(model, id, name))
            })
            .collect()
    }

    /// The `global <name>` statements of functions, with their function.
    pub(super) fn global_decls(
        &self,
        model: &SemanticModel<'a>,
        name: &str,
    ) -> &[(&'a StmtGlobal, FunctionId)] {
        self.occurrences(model)
            .global_decls
            .get(name)
            .map_or(&[], Vec::as_slice)
    }

    fn module_names(&self, model: &SemanticModel<'a>) -> &ModuleNames<'a> {
        self.module_names.get_or_init(|| {
            let body = model.module_body();
            let mut module = Bindings::default();
            module.visit_body(body);
            let mut bindings: HashMap<&'a str, Vec<TextSize>> = HashMap::default();
            for binding in module.found {
                bindings
                    .entry(binding.name)
                    .or_default()
                    .push(binding.offset);
            }
            let mut inits = HashMap::default();
            for stmt in body {
                if let Stmt::Assign(assign) = stmt {
                    if let [Expr::Name(name)] = assign.targets.as_slice() {
                        inits
                            .entry(name.id.as_str())
                            .or_insert((stmt, assign.value.as_ref()));
                    }
                }
            }
            let mut class_bindings = HashMap::default();
            for (id, class) in model.classes.iter().enumerate() {
                let mut names = Bindings::default();
                names.visit_body(&class.def.body);
                for binding in names.found {
                    class_bindings
                        .entry(binding.name)
                        .or_insert((binding.offset, id));
                }
            }
            ModuleNames {
                bindings,
                inits,
                class_bindings,
                class_names: model
                    .classes
                    .iter()
                    .map(|c| c.def.name.id.as_str())
                    .collect(),
            }
        })
    }

    /// Where module-level code binds `name`, in order.
    pub(super) fn module_bindings(&self, model: &SemanticModel<'a>, name: &str) -> &[TextSize] {
        self.module_names(model)
            .bindings
            .get(name)
            .map_or(&[], Vec::as_slice)
    }

    /// The first module-level `name = value`.
    pub(super) fn module_init(
        &self,
        model: &SemanticModel<'a>,
        name: &str,
    ) -> Option<(&'a Stmt, &'a Expr)> {
        self.module_names(model).inits.get(name).copied()
    }

    /// The first class whose body binds `name`, and where.
    pub(super) fn class_binding(
        &self,
        model: &SemanticModel<'a>,
        name: &str,
    ) -> Option<(TextSize, ClassId)> {
        self.module_names(model).class_bindings.get(name).copied()
    }

    /// Whether the module defines a class named `name`.
    pub(super) fn defines_class(&self, model: &SemanticModel<'a>, name: &str) -> bool {
        self.module_names(model).class_names.contains(name)
    }

    /// Strings the module names something with where Python looks it up
    /// dynamically, each with the first place it does (see [`Strings`]).
    pub(super) fn named_in_string(
        &self,
        model: &SemanticModel<'a>,
        name: &str,
    ) -> Option<TextSize> {
        self.named_in_strings
            .get_or_init(|| {
                let mut strings = Strings::default();
                for stmt in model.module_body() {
                    SourceOrderVisitor::visit_stmt(&mut strings, stmt);
                }
                strings.first
            })
            .get(name)
            .copied()
    }

    /// The functions whose code (nested code included) reads
    /// `<x>.<name>`.
    pub(super) fn attribute_readers(
        &self,
        model: &SemanticModel<'a>,
        name: &'a str,
    ) -> Vec<FunctionId> {
        self.attribute_readers
            .borrow_mut()
            .entry(name)
            .or_insert_with(|| {
                (0..model.functions.len())
                    .filter(|&f| {
                        let mut reads = AttributeReads { name, found: false };
                        for stmt in &model.functions[f].def.body {
                            SourceOrderVisitor::visit_stmt(&mut reads, stmt);
                        }
                        reads.found
                    })
                    .collect()
            })
            .clone()
    }

    /// The function whose `def` starts at `offset`.
    fn function_at(&self, offset: TextSize) -> Option<FunctionId> {
        self.by_start.get(&offset).copied()
    }
}

fn self_binding<'a>(
    model: &SemanticModel<'a>,
    id: FunctionId,
    bindings: &mut [Option<(&'a str, ClassId)>],
    known: &mut [bool],
) -> Option<(&'a str, ClassId)> {
    if known[id] {
        return bindings[id];
    }
    let function = &model.functions[id];
    let binding = if let Some(class) = function.class {
        let is_plain = function.def.decorator_list.iter().all(|d| {
            !matches!(&d.expression, Expr::Name(n) if matches!(n.id.as_str(), "staticmethod" | "classmethod"))
        });
        function
            .def
            .parameters
            .iter_non_variadic_params()
            .next()
            .filter(|_| is_plain)
            .map(|first| (first.parameter.name.id.as_str(), class))
    } else {
        function.parent.and_then(|parent| {
            let (name, class) = self_binding(model, parent, bindings, known)?;
            let rebinds = function
                .def
                .parameters
                .iter()
                .any(|p| p.name().as_str() == name);
            (!rebinds).then_some((name, class))
        })
    };
    known[id] = true;
    bindings[id] = binding;
    binding
}

/// Finds every occurrence of the names that can be state, in one walk.
struct Walker<'i, 'm, 'a> {
    index: &'i Index<'a>,
    model: &'m SemanticModel<'a>,
    attributes: &'i HashSet<&'i str>,
    globals: &'i HashSet<&'i str>,
    ancestors: Vec<AnyNodeRef<'a>>,
    statements: Vec<&'a Stmt>,
    functions: Vec<FunctionId>,
    found: Occurrences<'a>,
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
fn declared_globals(body: &[Stmt]) -> HashSet<&str> {
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
struct OwnWrites<'a> {
    writes: Vec<(&'a Expr, &'a Stmt)>,
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
struct Bindings<'a> {
    found: Vec<Binding<'a>>,
}

struct Binding<'a> {
    name: &'a str,
    offset: TextSize,
    /// `name = v`, `name += v` or `name -= v`: a binding a rewrite into a
    /// `tf.Variable` replaces.
    rewritable: bool,
}

impl<'a> Bindings<'a> {
    fn names(&self) -> impl Iterator<Item = &'a str> + '_ {
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
struct Strings {
    first: HashMap<String, TextSize>,
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
fn families(classes: &[crate::semantic::Class]) -> Vec<Vec<ClassId>> {
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
struct AttributeReads<'n> {
    name: &'n str,
    found: bool,
}

impl<'a> SourceOrderVisitor<'a> for AttributeReads<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if matches!(expr, Expr::Attribute(a) if a.attr.id.as_str() == self.name) {
            self.found = true;
        }
        source_order::walk_expr(self, expr);
    }
}
