//! Where one module's long-lived Python state is bound, written and read:
//! attributes of `self` (shared by a family of classes related through
//! inheritance) and module globals. Each table is built once, on first use,
//! and shared by every question asked of the module, so that asking about
//! one piece of state costs the size of its uses, not the size of the
//! module: modules with hundreds of pieces of state would otherwise cost
//! the square of their size.

use std::cell::{OnceCell, RefCell};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use ruff_python_ast::statement_visitor::StatementVisitor;
use ruff_python_ast::visitor::source_order::SourceOrderVisitor;
use ruff_python_ast::{AnyNodeRef, Expr, Stmt, StmtGlobal};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::{ClassId, FunctionId, SemanticModel};
use visitors::{declared_globals, families, AttributeReads, Bindings, OwnWrites, Strings, Walker};

mod visitors;

/// Where the state lives.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StateTarget {
    /// `self.<name>` on instances of a family of classes related by
    /// inheritance (every class of the family shares the attribute).
    Attribute { family: Vec<ClassId>, name: String },
    /// The module global `<name>`.
    Global { name: String },
}

impl StateTarget {
    pub fn name(&self) -> &str {
        match self {
            StateTarget::Attribute { name, .. } | StateTarget::Global { name } => name,
        }
    }

    /// How users see it in messages (`self.count`, `step`).
    pub fn display(&self) -> String {
        match self {
            StateTarget::Attribute { name, .. } => format!("self.{name}"),
            StateTarget::Global { name } => name.clone(),
        }
    }
}

/// One place a state's name appears.
pub struct Occurrence<'a> {
    pub expr: &'a Expr,
    /// The enclosing nodes, outermost first.
    pub ancestors: Vec<AnyNodeRef<'a>>,
    /// The innermost enclosing statement.
    pub stmt: Option<&'a Stmt>,
    /// The function whose code this is; `None` at module level.
    pub function: Option<FunctionId>,
}

/// A write a function's own body makes to something that can be state.
pub struct Write<'a> {
    pub target: StateTarget,
    pub stmt: &'a Stmt,
    /// `x = tf.Variable(...)`: a variable stored, not a number.
    pub creates_variable: bool,
}

/// The names a function's own body declares `global` or binds.
struct ScopeNames<'a> {
    declared_global: HashSet<&'a str>,
    /// Parameters and every binding.
    bound: HashSet<&'a str>,
    /// Parameters and every binding but `name = v`, `name += v` and
    /// `name -= v` (those a variable's `assign*` methods can stand for).
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
    pub fn new(model: &SemanticModel<'a>) -> Self {
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
    pub fn self_binding(&self, id: FunctionId) -> Option<(&'a str, ClassId)> {
        self.self_bindings[id]
    }

    /// The classes of this module connected to `class` through inheritance
    /// (a base named like one of them, either way), in order.
    pub fn family(&self, model: &SemanticModel<'a>, class: ClassId) -> &[ClassId] {
        &self.families.get_or_init(|| families(&model.classes))[class]
    }

    /// The write statements of a function's own body (`x = v` with one
    /// target, `x op= v`), not looking into nested functions or classes.
    pub fn own_writes(&self, model: &SemanticModel<'a>, id: FunctionId) -> &[(&'a Expr, &'a Stmt)] {
        self.own_writes[id].get_or_init(|| {
            let mut writes = OwnWrites::default();
            writes.visit_body(&model.functions[id].def.body);
            writes.writes
        })
    }

    /// The writes of function `id` to `self.<name>` or to a global it
    /// declares, in order.
    pub fn writes(&self, model: &SemanticModel<'a>, id: FunctionId) -> &[Write<'a>] {
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
    pub fn graph_first_writes(
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
    pub fn declares_global(&self, model: &SemanticModel<'a>, id: FunctionId, name: &str) -> bool {
        self.scope_names(model, id).declared_global.contains(name)
    }

    /// Whether function `id` binds `name` itself: parameters, imports,
    /// nested definitions, and assignments (all of them when
    /// `count_assignments`, otherwise only those a variable's `assign*`
    /// methods cannot stand for: every binding but `name = v` / `name += v`
    /// / `name -= v`).
    pub fn function_binds(
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
    pub fn resolves_to_global(
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
    pub fn attribute_occurrences<'i>(
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
                let foreign = (!own).then(|| callee_text(&attribute.value));
                (occurrence, foreign)
            })
            .collect()
    }

    /// Every occurrence of the module global `name`, in source order.
    pub fn global_occurrences(
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
    pub fn global_decls(
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
    pub fn module_bindings(&self, model: &SemanticModel<'a>, name: &str) -> &[TextSize] {
        self.module_names(model)
            .bindings
            .get(name)
            .map_or(&[], Vec::as_slice)
    }

    /// The first module-level `name = value`.
    pub fn module_init(
        &self,
        model: &SemanticModel<'a>,
        name: &str,
    ) -> Option<(&'a Stmt, &'a Expr)> {
        self.module_names(model).inits.get(name).copied()
    }

    /// The first class whose body binds `name`, and where.
    pub fn class_binding(
        &self,
        model: &SemanticModel<'a>,
        name: &str,
    ) -> Option<(TextSize, ClassId)> {
        self.module_names(model).class_bindings.get(name).copied()
    }

    /// Whether the module defines a class named `name`.
    pub fn defines_class(&self, model: &SemanticModel<'a>, name: &str) -> bool {
        self.module_names(model).class_names.contains(name)
    }

    /// Strings the module names something with where Python looks it up
    /// dynamically, each with the first place it does (see `visitors::Strings`).
    pub fn named_in_string(&self, model: &SemanticModel<'a>, name: &str) -> Option<TextSize> {
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
    pub fn attribute_readers(&self, model: &SemanticModel<'a>, name: &'a str) -> Vec<FunctionId> {
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

/// Whether `expr` is `tf.Variable(...)`.
pub fn creates_variable(model: &SemanticModel, expr: &Expr) -> bool {
    let Expr::Call(call) = expr else {
        return false;
    };
    model.imports.resolve(&call.func).as_deref() == Some("tensorflow.Variable")
}

/// A callee or receiver as written (`self.model.fit`), or "a call".
pub fn callee_text(func: &Expr) -> String {
    match func {
        Expr::Name(n) => n.id.to_string(),
        Expr::Attribute(a) => format!("{}.{}", callee_text(&a.value), a.attr.id),
        _ => "a call".to_string(),
    }
}
