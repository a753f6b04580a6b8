//! Python state that graph code mutates: numbers and booleans kept in an
//! attribute (`self.count`) or a module global (`step`) and written inside a
//! function that runs under `tf.function`. Such a write happens only while
//! tracing; HY010 turns the state into a `tf.Variable`.
//!
//! For each piece of state this module finds where it is initialised, every
//! place it is read or written, and what each use needs: a graph read stays a
//! tensor read, an eager read that needs a Python value is converted, a write
//! becomes an `assign*`. A use the analysis cannot follow (the value passed to
//! an unknown function, compared by identity, returned from graph code, read
//! through another object) is a [`Refusal`]: the state is reported, never
//! rewritten.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use ruff_python_ast::statement_visitor::{walk_stmt, StatementVisitor};
use ruff_python_ast::visitor::source_order::{SourceOrderVisitor, TraversalSignal};
use ruff_python_ast::{
    AnyNodeRef, CmpOp, Expr, ExprContext, Number, Operator, Stmt, StmtGlobal, UnaryOp,
};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::effects::is_tf_base;
use super::{ClassId, FunctionId, SemanticModel};

/// The Python type of the state, which decides the variable's dtype and the
/// conversion eager reads need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateKind {
    Int,
    Float,
    Bool,
}

impl StateKind {
    /// The TensorFlow dtype attribute (`int32`).
    pub fn dtype(self) -> &'static str {
        match self {
            StateKind::Int => "int32",
            StateKind::Float => "float32",
            StateKind::Bool => "bool",
        }
    }

    /// The builtin that turns the variable back into a Python value.
    pub fn converter(self) -> &'static str {
        match self {
            StateKind::Int => "int",
            StateKind::Float => "float",
            StateKind::Bool => "bool",
        }
    }

    pub fn python_name(self) -> &'static str {
        self.converter()
    }

    /// "an int", "a float", "a bool".
    pub fn article_name(self) -> &'static str {
        match self {
            StateKind::Int => "an int",
            StateKind::Float => "a float",
            StateKind::Bool => "a bool",
        }
    }
}

/// Where the state lives.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// What a write does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOp {
    /// `x = v`
    Assign,
    /// `x += v`
    Add,
    /// `x -= v`
    Sub,
}

impl WriteOp {
    /// The `tf.Variable` method that performs it.
    pub fn method(self) -> &'static str {
        match self {
            WriteOp::Assign => "assign",
            WriteOp::Add => "assign_add",
            WriteOp::Sub => "assign_sub",
        }
    }
}

/// One use of the state, with what a rewrite must do to it.
#[derive(Debug, Clone)]
pub enum StateUse<'a> {
    /// The literal the state is initialised with; becomes the variable's
    /// initial value.
    Init { value: &'a Expr },
    /// A write statement; becomes `target.<op.method()>(value)`.
    Write {
        stmt: &'a Stmt,
        target: &'a Expr,
        op: WriteOp,
        value: &'a Expr,
        in_graph: bool,
    },
    /// A read that needs a Python value (eager code): wrapped in the
    /// converter (`int(self.count)`).
    EagerRead { expr: &'a Expr },
    /// A `global` statement that only declared this state; the name goes.
    GlobalDecl { stmt: &'a StmtGlobal },
}

/// Why the state cannot be rewritten, at the use that prevents it.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub offset: TextSize,
    /// Completes "no fix offered: `self.count` ..." (e.g. "is returned from
    /// graph code").
    pub reason: String,
}

/// A Python number or boolean mutated in graph code.
#[derive(Debug, Clone)]
pub struct PythonState<'a> {
    pub target: StateTarget,
    /// Known when the state was found initialised with a literal.
    pub kind: Option<StateKind>,
    /// The first write in graph code, and the function it is in.
    pub graph_write: (FunctionId, TextRange),
    /// Every use a rewrite must touch (reads in graph code need nothing).
    pub uses: Vec<StateUse<'a>>,
    pub refusal: Option<Refusal>,
}

impl PythonState<'_> {
    /// Whether HY010 rewrites the write statement at `range`.
    pub fn rewrites_write(&self, range: TextRange) -> bool {
        self.refusal.is_none()
            && self
                .uses
                .iter()
                .any(|u| matches!(u, StateUse::Write { stmt, .. } if stmt.range() == range))
    }
}

/// Every piece of Python state that graph code mutates in this module.
pub fn python_states<'a>(model: &SemanticModel<'a>) -> Vec<PythonState<'a>> {
    let in_graph: Vec<bool> = (0..model.functions.len())
        .map(|id| model.runs_under_graph(id))
        .collect();
    Analysis::new(model, in_graph).states()
}

/// The write statements (by range) that HY010 would rewrite into
/// `tf.Variable` operations if `function` (and what it calls) ran under
/// `tf.function`. HY001 can use this to accept a function whose only Python
/// side effects are such writes, since HY010 repairs them in the next pass.
pub fn repairable_writes(model: &SemanticModel, function: FunctionId) -> Vec<TextRange> {
    let mut in_graph: Vec<bool> = (0..model.functions.len())
        .map(|id| model.runs_under_graph(id))
        .collect();
    let mut stack = vec![function];
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut in_graph[id], true) && id != function {
            continue;
        }
        stack.extend(
            model.functions[id]
                .calls
                .iter()
                .filter_map(|call| call.callee)
                .filter(|&callee| !in_graph[callee]),
        );
    }
    Analysis::new(model, in_graph)
        .states()
        .into_iter()
        .filter(|state| state.refusal.is_none())
        .flat_map(|state| {
            state
                .uses
                .into_iter()
                .filter_map(|u| match u {
                    StateUse::Write { stmt, .. } => Some(stmt.range()),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The states HY010 would rewrite into `tf.Variable`s if `function` ran
/// under `tf.function`, when together they cover every write to long-lived
/// Python state (a declared global, `self.<attr>` outside `__init__`) that
/// `function` and its callees make: then decorating it and rewriting them is
/// one correct change. `None` when some such write would stay a Python
/// write, when a callee declares a `nonlocal`, or when the function calls
/// into another module (whose writes HY010 here cannot rewrite). Only the
/// states written by `function` and its callees are returned.
pub fn states_repaired_with<'a>(
    model: &SemanticModel<'a>,
    function: FunctionId,
) -> Option<Vec<PythonState<'a>>> {
    use super::effects::Callee;
    let mut reach = vec![false; model.functions.len()];
    let mut stack = vec![function];
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut reach[id], true) {
            continue;
        }
        for call in &model.effects[id].calls {
            match &call.callee {
                Callee::Local(callee) => stack.push(*callee),
                Callee::External(_) => return None,
            }
        }
    }
    let in_graph = (0..model.functions.len())
        .map(|id| reach[id] || model.runs_under_graph(id))
        .collect();
    let analysis = Analysis::new(model, in_graph);
    let states: Vec<PythonState<'a>> = analysis
        .states()
        .into_iter()
        .filter(|state| state.refusal.is_none() && state.kind.is_some())
        .collect();
    let rewritten = |stmt: &Stmt, leaf: &Expr| {
        states.iter().any(|state| {
            state.uses.iter().any(|u| {
                matches!(u, StateUse::Write { stmt: s, target, .. }
                    if s.range() == stmt.range() && target.range() == leaf.range())
            })
        })
    };
    let mut bodies: Vec<TextRange> = Vec::new();
    for id in (0..model.functions.len()).filter(|&id| reach[id]) {
        let def = model.functions[id].def;
        bodies.push(def.range());
        let globals = declared_globals(&def.body);
        let self_name = analysis
            .self_binding(id)
            .map(|(name, _)| name)
            .filter(|_| def.name.id.as_str() != "__init__");
        let mut targets = StateTargets::default();
        targets.visit_body(&def.body);
        if targets.nonlocal {
            return None;
        }
        for (leaf, stmt) in targets.leaves {
            let long_lived = match leaf {
                Expr::Name(name) => globals.contains(name.id.as_str()),
                Expr::Attribute(attribute) => match attribute.value.as_ref() {
                    Expr::Name(receiver) => {
                        Some(receiver.id.as_str()) == self_name.as_deref()
                            || globals.contains(receiver.id.as_str())
                    }
                    _ => false,
                },
                _ => false,
            };
            if long_lived && !rewritten(stmt, leaf) {
                return None;
            }
        }
    }
    let inside = |range: TextRange| bodies.iter().any(|body| body.contains_range(range));
    Some(
        states
            .into_iter()
            .filter(|state| {
                state
                    .uses
                    .iter()
                    .any(|u| matches!(u, StateUse::Write { stmt, .. } if inside(stmt.range())))
            })
            .collect(),
    )
}

/// Every target a function's own body binds (through tuples, `for`,
/// `with`, `del` alike), with its statement; and whether it declares a
/// `nonlocal`.
#[derive(Default)]
struct StateTargets<'a> {
    leaves: Vec<(&'a Expr, &'a Stmt)>,
    nonlocal: bool,
}

impl<'a> StateTargets<'a> {
    fn leaf(&mut self, target: &'a Expr, stmt: &'a Stmt) {
        match target {
            Expr::Tuple(tuple) => tuple.elts.iter().for_each(|e| self.leaf(e, stmt)),
            Expr::List(list) => list.elts.iter().for_each(|e| self.leaf(e, stmt)),
            Expr::Starred(starred) => self.leaf(&starred.value, stmt),
            _ => self.leaves.push((target, stmt)),
        }
    }
}

impl<'a> StatementVisitor<'a> for StateTargets<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Assign(assign) => assign.targets.iter().for_each(|t| self.leaf(t, stmt)),
            Stmt::AugAssign(aug) => self.leaf(&aug.target, stmt),
            Stmt::AnnAssign(ann) => self.leaf(&ann.target, stmt),
            Stmt::Delete(delete) => delete.targets.iter().for_each(|t| self.leaf(t, stmt)),
            Stmt::For(for_stmt) => self.leaf(&for_stmt.target, stmt),
            Stmt::With(with) => {
                for item in &with.items {
                    if let Some(target) = &item.optional_vars {
                        self.leaf(target, stmt);
                    }
                }
            }
            Stmt::Nonlocal(_) => self.nonlocal = true,
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
            _ => {}
        }
        walk_stmt(self, stmt);
    }
}

/// Whether HY010 would turn `self.<attribute>` into a `tf.Variable` if
/// `function` ran under `tf.function` (see [`repairable_writes`]).
pub fn repairable_attribute(model: &SemanticModel, function: FunctionId, attribute: &str) -> bool {
    let mut in_graph: Vec<bool> = (0..model.functions.len())
        .map(|id| model.runs_under_graph(id))
        .collect();
    in_graph[function] = true;
    Analysis::new(model, in_graph).states().iter().any(|state| {
        state.refusal.is_none()
            && matches!(&state.target, StateTarget::Attribute { name, .. } if name == attribute)
    })
}

struct Analysis<'m, 'a> {
    model: &'m SemanticModel<'a>,
    in_graph: Vec<bool>,
    /// Function id by the start of its `def`.
    by_start: HashMap<TextSize, FunctionId>,
    /// Found once per module (not once per state: modules with thousands
    /// of states would cost the square of their size): the first place each
    /// string names something dynamically (see [`Strings`]), and each
    /// class's family.
    named_in_strings: std::cell::OnceCell<HashMap<String, TextSize>>,
    families: std::cell::OnceCell<Vec<Vec<ClassId>>>,
}

impl<'m, 'a> Analysis<'m, 'a> {
    fn new(model: &'m SemanticModel<'a>, in_graph: Vec<bool>) -> Self {
        let by_start = model
            .functions
            .iter()
            .enumerate()
            .map(|(id, f)| (f.def.start(), id))
            .collect();
        Self {
            model,
            in_graph,
            by_start,
            named_in_strings: std::cell::OnceCell::new(),
            families: std::cell::OnceCell::new(),
        }
    }

    fn states(&self) -> Vec<PythonState<'a>> {
        let mut candidates: Vec<(StateTarget, FunctionId, TextRange)> = Vec::new();
        for id in 0..self.model.functions.len() {
            if !self.in_graph[id] {
                continue;
            }
            let mut writes = OwnWrites::default();
            writes.visit_body(&self.model.functions[id].def.body);
            let globals = declared_globals(&self.model.functions[id].def.body);
            for (target, stmt) in writes.writes {
                let candidate = match target {
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
                            family: self.family(class),
                            name: attribute.attr.id.to_string(),
                        }
                    }
                    Expr::Name(name) if globals.contains(name.id.as_str()) => StateTarget::Global {
                        name: name.id.to_string(),
                    },
                    _ => continue,
                };
                // A variable stored by graph code is HY012's business, not state.
                if let Stmt::Assign(assign) = stmt {
                    if creates_variable(self.model, &assign.value) {
                        continue;
                    }
                }
                if !candidates.iter().any(|(known, ..)| *known == candidate) {
                    candidates.push((candidate, id, stmt.range()));
                }
            }
        }
        candidates
            .into_iter()
            .filter_map(|(target, function, range)| self.state(target, function, range))
            .collect()
    }

    /// The name `self` has in function `id` and the class it is an instance
    /// of: the first parameter of a plain method, or the same binding seen by
    /// a function nested in one.
    fn self_binding(&self, id: FunctionId) -> Option<(String, ClassId)> {
        let function = &self.model.functions[id];
        if let Some(class) = function.class {
            let is_plain = function.def.decorator_list.iter().all(|d| {
                !matches!(&d.expression, Expr::Name(n) if matches!(n.id.as_str(), "staticmethod" | "classmethod"))
            });
            let first = function.def.parameters.iter_non_variadic_params().next()?;
            return is_plain.then(|| (first.parameter.name.id.to_string(), class));
        }
        let (name, class) = self.self_binding(function.parent?)?;
        let rebinds = function
            .def
            .parameters
            .iter()
            .any(|p| p.name().as_str() == name);
        (!rebinds).then_some((name, class))
    }

    /// The classes of this module connected to `class` through inheritance
    /// (a base named like one of them, either way), in order.
    fn family(&self, class: ClassId) -> Vec<ClassId> {
        self.families.get_or_init(|| families(&self.model.classes))[class].clone()
    }

    fn state(
        &self,
        target: StateTarget,
        function: FunctionId,
        range: TextRange,
    ) -> Option<PythonState<'a>> {
        let found_target = target.clone();
        let mut occurrences = Occurrences::new(self, &found_target);
        occurrences.visit_body(self.model.module_body());
        let mut state = PythonState {
            target,
            kind: None,
            graph_write: (function, range),
            uses: Vec::new(),
            refusal: None,
        };
        let init = match &state.target {
            StateTarget::Attribute { family, name } => self.attribute_init(family, name),
            StateTarget::Global { name } => self.global_init(name),
        };
        let init = match init {
            Ok(init) => init,
            Err(refusal) => {
                // State that is not a number (a list, a tensor, `None`) is
                // not HY010's: report nothing.
                let refusal = refusal?;
                state.refusal = Some(refusal);
                return Some(state);
            }
        };
        let (init_stmt, init_value, kind) = init;
        state.kind = Some(kind);
        state.uses.push(StateUse::Init { value: init_value });
        if let Some(refusal) = self.escapes_by_name(&state.target) {
            state.refusal = Some(refusal);
            return Some(state);
        }
        for occurrence in &occurrences.found {
            match self.classify(occurrence, &state.target, kind, init_stmt) {
                Ok(Some(use_)) => state.uses.push(use_),
                Ok(None) => {}
                Err(refusal) => {
                    state.refusal = Some(refusal);
                    return Some(state);
                }
            }
        }
        if let StateTarget::Global { name } = &state.target {
            for (stmt, function) in &occurrences.global_decls {
                if self.function_binds(*function, name, false) {
                    // Something other than a rewritten write still binds it.
                    state.refusal = Some(Refusal {
                        offset: stmt.start(),
                        reason: format!(
                            "is bound in `{}` in a way the analysis does not rewrite",
                            self.model.functions[*function].qualified_name
                        ),
                    });
                    return Some(state);
                }
                state.uses.push(StateUse::GlobalDecl { stmt });
            }
        }
        Some(state)
    }

    /// The single `self.<name> = <literal>` in an `__init__` of the family.
    /// `Err(None)`: not numeric state at all; `Err(Some(_))`: numeric state
    /// that cannot be rewritten.
    #[allow(clippy::type_complexity)]
    fn attribute_init(
        &self,
        family: &[ClassId],
        name: &str,
    ) -> Result<(&'a Stmt, &'a Expr, StateKind), Option<Refusal>> {
        let mut literal_init = None;
        let mut other_init: Option<TextSize> = None;
        let mut numeric_anywhere = false;
        for &class in family {
            for (method_name, &method) in &self.model.classes[class].methods {
                let def = self.model.functions[method].def;
                let Some((self_name, _)) = self.self_binding(method) else {
                    continue;
                };
                let mut writes = OwnWrites::default();
                writes.visit_body(&def.body);
                for (target, stmt) in writes.writes {
                    if !is_self_attribute(target, &self_name, name) {
                        continue;
                    }
                    let value = match stmt {
                        Stmt::Assign(assign) => Some(assign.value.as_ref()),
                        _ => None,
                    };
                    let kind = value.and_then(literal_kind);
                    numeric_anywhere |= kind.is_some();
                    if method_name != "__init__" {
                        continue;
                    }
                    let top_level = def.body.iter().any(|s| std::ptr::eq(s, stmt));
                    match (kind, top_level, literal_init) {
                        (Some(kind), true, None) => {
                            literal_init = Some((stmt, value.unwrap_or(target), kind));
                        }
                        _ => {
                            other_init.get_or_insert(stmt.start());
                        }
                    }
                }
            }
        }
        if !numeric_anywhere {
            return Err(None);
        }
        for &class in family {
            for base in &self.model.classes[class].bases {
                let in_module = self
                    .model
                    .classes
                    .iter()
                    .any(|c| c.def.name.id.as_str() == base);
                if !in_module && base != "object" && !is_tf_base(base) {
                    return Err(Some(Refusal {
                        offset: self.model.classes[class].def.start(),
                        reason: format!(
                            "may also be used by `{base}`, a base class defined elsewhere"
                        ),
                    }));
                }
            }
        }
        match (literal_init, other_init) {
            (Some((stmt, value, kind)), None) => {
                self.check_after_super_init(stmt)?;
                Ok((stmt, value, kind))
            }
            (_, Some(offset)) => Err(Some(Refusal {
                offset,
                reason: "is set more than once, or conditionally, in `__init__`".to_string(),
            })),
            (None, None) => Err(Some(Refusal {
                offset: TextSize::default(),
                reason: "is not initialised with a number or boolean in `__init__`".to_string(),
            })),
        }
    }

    /// Keras layers track variables only after `super().__init__()`; a
    /// variable created before it would raise.
    fn check_after_super_init(&self, init: &'a Stmt) -> Result<(), Option<Refusal>> {
        let Some(method) = self.enclosing_function(init.start()) else {
            return Ok(());
        };
        let body = &self.model.functions[method].def.body;
        let later_super = body
            .iter()
            .filter(|s| s.start() > init.start())
            .any(|s| matches!(s, Stmt::Expr(e) if is_super_init(&e.value)));
        if later_super {
            return Err(Some(Refusal {
                offset: init.start(),
                reason: "is initialised before `super().__init__()`, where a variable cannot be created yet".to_string(),
            }));
        }
        Ok(())
    }

    fn enclosing_function(&self, offset: TextSize) -> Option<FunctionId> {
        self.model
            .functions
            .iter()
            .enumerate()
            .filter(|(_, f)| f.def.range().contains(offset))
            .max_by_key(|(_, f)| f.def.start())
            .map(|(id, _)| id)
    }

    /// The module-level `<name> = <literal>`, the only module-level binding
    /// of the name.
    #[allow(clippy::type_complexity)]
    fn global_init(&self, name: &str) -> Result<(&'a Stmt, &'a Expr, StateKind), Option<Refusal>> {
        let mut bindings = Bindings::new(name);
        bindings.visit_body(self.model.module_body());
        let init = self.model.module_body().iter().find_map(|stmt| match stmt {
            Stmt::Assign(assign)
                if assign.targets.len() == 1
                    && matches!(&assign.targets[0], Expr::Name(n) if n.id.as_str() == name) =>
            {
                Some((stmt, assign.value.as_ref()))
            }
            _ => None,
        });
        let Some((stmt, value)) = init else {
            return Err(None);
        };
        let Some(kind) = literal_kind(value) else {
            return Err(None);
        };
        if let Some(other) = bindings
            .found
            .iter()
            .find(|&&offset| offset != stmt.start())
        {
            return Err(Some(Refusal {
                offset: *other,
                reason: "is bound again at module level".to_string(),
            }));
        }
        for class in &self.model.classes {
            let mut class_bindings = Bindings::new(name);
            class_bindings.visit_body(&class.def.body);
            if let Some(&offset) = class_bindings.found.first() {
                return Err(Some(Refusal {
                    offset,
                    reason: format!("is also a class attribute of `{}`", class.qualified_name),
                }));
            }
        }
        Ok((stmt, value, kind))
    }

    /// State named in a string (`getattr(self, "count")`, `globals()["step"]`)
    /// or in a module that pickles or copies objects escapes the analysis.
    fn escapes_by_name(&self, target: &StateTarget) -> Option<Refusal> {
        let named = self.named_in_strings.get_or_init(|| {
            let mut strings = Strings::default();
            strings.visit_body(self.model.module_body());
            strings.first
        });
        if let Some(&offset) = named.get(target.name()) {
            return Some(Refusal {
                offset,
                reason: "is named in a string (`getattr`, `setattr`, `globals()`), which the analysis cannot follow".to_string(),
            });
        }
        let copies = ["pickle", "copy", "dill", "cloudpickle", "joblib", "shelve"]
            .iter()
            .find(|module| self.model.imports.is_bound(module));
        copies.map(|module| Refusal {
            offset: TextSize::default(),
            reason: format!(
                "may be pickled or copied (the module imports `{module}`); a `tf.Variable` does not pickle like a number"
            ),
        })
    }

    /// Whether `name` refers to the module global inside function `id`.
    fn resolves_to_global(&self, id: FunctionId, name: &str) -> bool {
        let def = self.model.functions[id].def;
        if declared_globals(&def.body).contains(name) {
            return true;
        }
        if self.function_binds(id, name, true) {
            return false;
        }
        match self.model.functions[id].parent {
            Some(parent) => self.resolves_to_global(parent, name),
            None => true,
        }
    }

    /// Whether function `id` binds `name` itself: parameters, imports,
    /// nested definitions, and assignments (all of them when
    /// `count_assignments`, otherwise only those a rewrite does not replace:
    /// every binding but `name = v` / `name += v` / `name -= v`).
    fn function_binds(&self, id: FunctionId, name: &str, count_assignments: bool) -> bool {
        let def = self.model.functions[id].def;
        if def.parameters.iter().any(|p| p.name().as_str() == name) {
            return true;
        }
        let mut bindings = Bindings::new(name);
        bindings.rewritable_count = !count_assignments;
        bindings.visit_body(&def.body);
        !bindings.found.is_empty()
    }

    /// What one occurrence of the state needs, or why it stops the rewrite.
    fn classify(
        &self,
        occurrence: &Occurrence<'a>,
        target: &StateTarget,
        kind: StateKind,
        init_stmt: &'a Stmt,
    ) -> Result<Option<StateUse<'a>>, Refusal> {
        let expr = occurrence.expr;
        let refuse = |reason: String| Refusal {
            offset: expr.start(),
            reason,
        };
        if let Some(foreign) = &occurrence.foreign {
            return Err(refuse(format!(
                "is reached through `{foreign}`, an object the analysis cannot identify"
            )));
        }
        let in_graph = occurrence.function.is_some_and(|id| self.in_graph[id]);
        let parents: Vec<AnyNodeRef<'a>> = occurrence
            .ancestors
            .iter()
            .rev()
            .copied()
            .filter(|node| !matches!(node, AnyNodeRef::Arguments(_) | AnyNodeRef::Keyword(_)))
            .collect();
        let parent = parents.first().copied();
        if parents
            .iter()
            .any(|node| matches!(node, AnyNodeRef::ExprLambda(_)))
        {
            return Err(refuse(
                "is captured by a `lambda`, which may run anywhere".to_string(),
            ));
        }
        let is_store = match expr {
            Expr::Attribute(a) => a.ctx != ExprContext::Load,
            Expr::Name(n) => n.ctx != ExprContext::Load,
            _ => false,
        };
        if is_store {
            return self
                .classify_write(expr, parent, target, kind, init_stmt, in_graph, occurrence);
        }
        match parent {
            Some(AnyNodeRef::ExprCompare(compare))
                if compare
                    .ops
                    .iter()
                    .any(|op| matches!(op, CmpOp::Is | CmpOp::IsNot)) =>
            {
                return Err(refuse("is compared by identity (`is`)".to_string()));
            }
            Some(AnyNodeRef::ExprDict(dict))
                if dict
                    .items
                    .iter()
                    .any(|item| item.key.as_ref().is_some_and(|k| k.range() == expr.range())) =>
            {
                return Err(refuse("is used as a dictionary key".to_string()));
            }
            Some(AnyNodeRef::InterpolatedElement(element)) if element.debug_text.is_some() => {
                return Err(refuse(
                    "is shown by a self-documenting f-string (`{x=}`)".to_string(),
                ));
            }
            Some(AnyNodeRef::ExprSubscript(subscript))
                if subscript.value.range() == expr.range() =>
            {
                return Err(refuse("is subscripted".to_string()));
            }
            _ => {}
        }
        if !in_graph {
            if let Some(property) = occurrence
                .function
                .and_then(|id| self.graph_read_property(id))
            {
                return Err(refuse(format!(
                    "is read by the property `{property}`, which graph code reads too"
                )));
            }
            let converted = matches!(parent, Some(AnyNodeRef::ExprCall(call))
                if call.arguments.args.len() == 1
                    && call.arguments.keywords.is_empty()
                    && matches!(call.func.as_ref(), Expr::Name(n) if n.id.as_str() == kind.converter() && !self.model.imports.is_bound(kind.converter())));
            return Ok((!converted).then_some(StateUse::EagerRead { expr }));
        }
        self.check_graph_read(expr, &parents, target)
            .map_err(refuse)
            .map(|()| None)
    }

    /// The name of function `id` when it is a `@property` that some graph
    /// function reads (`self.<name>`): converting its result to a Python
    /// value would break that graph read.
    fn graph_read_property(&self, id: FunctionId) -> Option<String> {
        let def = self.model.functions[id].def;
        let is_property = def
            .decorator_list
            .iter()
            .any(|d| matches!(&d.expression, Expr::Name(n) if n.id.as_str() == "property"));
        if !is_property {
            return None;
        }
        let name = def.name.id.as_str();
        let read_in_graph = (0..self.model.functions.len())
            .filter(|&f| self.in_graph[f])
            .any(|f| {
                let mut reads = AttributeReads { name, found: false };
                for stmt in &self.model.functions[f].def.body {
                    SourceOrderVisitor::visit_stmt(&mut reads, stmt);
                }
                reads.found
            });
        read_in_graph.then(|| name.to_string())
    }

    #[allow(clippy::too_many_arguments)]
    fn classify_write(
        &self,
        expr: &'a Expr,
        parent: Option<AnyNodeRef<'a>>,
        target: &StateTarget,
        kind: StateKind,
        init_stmt: &'a Stmt,
        in_graph: bool,
        occurrence: &Occurrence<'a>,
    ) -> Result<Option<StateUse<'a>>, Refusal> {
        let refuse = |reason: &str| Refusal {
            offset: expr.start(),
            reason: reason.to_string(),
        };
        let (stmt, op, value): (&'a Stmt, WriteOp, &'a Expr) = match occurrence.stmt {
            Some(stmt @ Stmt::Assign(assign))
                if assign.targets.len() == 1 && assign.targets[0].range() == expr.range() =>
            {
                (stmt, WriteOp::Assign, &assign.value)
            }
            Some(stmt @ Stmt::AugAssign(aug)) if aug.target.range() == expr.range() => {
                let op = match aug.op {
                    Operator::Add => WriteOp::Add,
                    Operator::Sub => WriteOp::Sub,
                    _ => {
                        return Err(refuse(
                            "is updated with an operator other than `+=` or `-=`",
                        ))
                    }
                };
                (stmt, op, &aug.value)
            }
            _ => {
                let _ = parent;
                return Err(refuse(
                    "is bound in a way other than `=`, `+=` or `-=` (unpacking, `for`, `del`, annotation)",
                ));
            }
        };
        if std::ptr::eq(stmt, init_stmt) {
            return Ok(None);
        }
        let literal = literal_kind(value);
        if let Some(literal) = literal {
            let compatible = match (kind, literal) {
                (StateKind::Bool, StateKind::Bool) => op == WriteOp::Assign,
                (StateKind::Int, StateKind::Int) => true,
                (StateKind::Float, StateKind::Int | StateKind::Float) => true,
                _ => false,
            };
            if !compatible {
                return Err(refuse(&format!(
                    "holds {} but is given {}",
                    kind.article_name(),
                    literal.article_name()
                )));
            }
        }
        if !in_graph {
            if literal.is_none() {
                return Err(refuse(
                    "is set in eager code to a value that is not a literal, whose type the analysis cannot check",
                ));
            }
            if occurrence
                .function
                .is_some_and(|id| self.model.functions[id].def.name.id.as_str() == "__init__")
            {
                return Err(refuse(
                    "is set again in an `__init__`, possibly before the variable exists",
                ));
            }
            if occurrence.function.is_none() {
                return Err(refuse("is set again at module level"));
            }
        }
        let _ = target;
        Ok(Some(StateUse::Write {
            stmt,
            target: expr,
            op,
            value,
            in_graph,
        }))
    }

    /// A read in graph code becomes a tensor read. That keeps its meaning
    /// where a tensor serves as well as a Python value: arithmetic and
    /// comparisons whose result is a condition AutoGraph converts, or an
    /// argument to a TensorFlow operation or to the state's own update.
    fn check_graph_read(
        &self,
        expr: &'a Expr,
        parents: &[AnyNodeRef<'a>],
        target: &StateTarget,
    ) -> Result<(), String> {
        if parents.iter().any(|node| {
            matches!(
                node,
                AnyNodeRef::ExprListComp(_)
                    | AnyNodeRef::ExprSetComp(_)
                    | AnyNodeRef::ExprDictComp(_)
                    | AnyNodeRef::ExprGenerator(_)
            )
        }) {
            return Err("is read in a comprehension in graph code".to_string());
        }
        let mut child = expr.range();
        for node in parents {
            match node {
                AnyNodeRef::ExprBinOp(_) | AnyNodeRef::ExprBoolOp(_) => {}
                AnyNodeRef::ExprUnaryOp(unary) if unary.op != UnaryOp::Invert => {}
                AnyNodeRef::ExprCompare(compare) if compare.ops.len() == 1 => {
                    if matches!(compare.ops[0], CmpOp::In | CmpOp::NotIn) {
                        return Err("is tested with `in` in graph code".to_string());
                    }
                }
                AnyNodeRef::ExprIf(if_exp) if if_exp.test.range() == child => return Ok(()),
                AnyNodeRef::StmtIf(stmt) if stmt.test.range() == child => return Ok(()),
                AnyNodeRef::ElifElseClause(clause)
                    if clause.test.as_ref().is_some_and(|t| t.range() == child) =>
                {
                    return Ok(())
                }
                AnyNodeRef::StmtWhile(stmt) if stmt.test.range() == child => return Ok(()),
                AnyNodeRef::StmtAssert(stmt) if stmt.test.range() == child => return Ok(()),
                AnyNodeRef::StmtExpr(_) => return Ok(()),
                AnyNodeRef::StmtAssign(assign)
                    if assign.value.range() == child
                        && assign.targets.len() == 1
                        && self.is_target(&assign.targets[0], target) =>
                {
                    return Ok(())
                }
                AnyNodeRef::StmtAugAssign(aug)
                    if aug.value.range() == child && self.is_target(&aug.target, target) =>
                {
                    return Ok(())
                }
                AnyNodeRef::ExprCall(call) if call.func.range() != child => {
                    let takes_tensors = self.model.imports.is_tensorflow(&call.func)
                        || matches!(call.func.as_ref(), Expr::Attribute(a)
                            if matches!(a.attr.id.as_str(), "assign" | "assign_add" | "assign_sub"))
                        || matches!(call.func.as_ref(), Expr::Name(n)
                            if n.id.as_str() == "print" && !self.model.imports.is_bound("print"));
                    if takes_tensors {
                        return Ok(());
                    }
                    return Err(format!(
                        "is passed to `{}` in graph code, which may need a Python value",
                        callee_text(&call.func)
                    ));
                }
                AnyNodeRef::StmtReturn(_) => {
                    return Err(
                        "is returned from graph code, where callers may expect a Python value"
                            .to_string(),
                    )
                }
                AnyNodeRef::StmtAssign(_) | AnyNodeRef::StmtAnnAssign(_) => {
                    return Err(
                        "is assigned to another name in graph code, which the analysis does not follow"
                            .to_string(),
                    )
                }
                _ => {
                    return Err(
                        "is used in graph code where a Python value may be needed (indexing, formatting, `range`, ...)"
                            .to_string(),
                    )
                }
            }
            child = node.range();
        }
        Ok(())
    }

    /// Whether `expr` (a write target) is the state itself.
    fn is_target(&self, expr: &Expr, target: &StateTarget) -> bool {
        match (expr, target) {
            (Expr::Attribute(a), StateTarget::Attribute { name, .. }) => {
                a.attr.id.as_str() == name && a.value.is_name_expr()
            }
            (Expr::Name(n), StateTarget::Global { name }) => n.id.as_str() == name,
            _ => false,
        }
    }
}

fn callee_text(func: &Expr) -> String {
    match func {
        Expr::Name(n) => n.id.to_string(),
        Expr::Attribute(a) => format!("{}.{}", callee_text(&a.value), a.attr.id),
        _ => "a call".to_string(),
    }
}

/// `super().__init__(...)` or `Base.__init__(self, ...)`.
fn is_super_init(expr: &Expr) -> bool {
    let Expr::Call(call) = expr else {
        return false;
    };
    matches!(call.func.as_ref(), Expr::Attribute(a) if a.attr.id.as_str() == "__init__")
}

/// Whether `expr` is `tf.Variable(...)`.
pub fn creates_variable(model: &SemanticModel, expr: &Expr) -> bool {
    let Expr::Call(call) = expr else {
        return false;
    };
    model.imports.resolve(&call.func).as_deref() == Some("tensorflow.Variable")
}

/// The kind of a number or boolean literal (`0`, `-1`, `0.5`, `True`).
pub fn literal_kind(expr: &Expr) -> Option<StateKind> {
    match expr {
        Expr::BooleanLiteral(_) => Some(StateKind::Bool),
        Expr::NumberLiteral(number) => match number.value {
            Number::Int(_) => Some(StateKind::Int),
            Number::Float(_) => Some(StateKind::Float),
            Number::Complex { .. } => None,
        },
        Expr::UnaryOp(unary) if matches!(unary.op, UnaryOp::USub | UnaryOp::UAdd) => {
            match literal_kind(&unary.operand) {
                Some(StateKind::Bool) | None => None,
                kind => kind,
            }
        }
        _ => None,
    }
}

fn is_self_attribute(expr: &Expr, self_name: &str, name: &str) -> bool {
    matches!(expr, Expr::Attribute(a)
        if a.attr.id.as_str() == name
            && matches!(a.value.as_ref(), Expr::Name(r) if r.id.as_str() == self_name))
}

/// Names a body declares `global` (not in nested functions).
fn declared_globals(body: &[Stmt]) -> HashSet<String> {
    #[derive(Default)]
    struct Globals(HashSet<String>);
    impl StatementVisitor<'_> for Globals {
        fn visit_stmt(&mut self, stmt: &Stmt) {
            match stmt {
                Stmt::Global(global) => {
                    self.0.extend(global.names.iter().map(|n| n.id.to_string()));
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

/// Where a scope binds `name` (offsets), not looking into nested scopes.
struct Bindings<'n> {
    name: &'n str,
    found: Vec<TextSize>,
    /// When set, `name = v`, `name += v` and `name -= v` do not count: a
    /// rewrite replaces them.
    rewritable_count: bool,
}

impl<'n> Bindings<'n> {
    fn new(name: &'n str) -> Self {
        Self {
            name,
            found: Vec::new(),
            rewritable_count: false,
        }
    }

    fn target(&mut self, expr: &Expr, offset: TextSize) {
        match expr {
            Expr::Name(n) if n.id.as_str() == self.name => self.found.push(offset),
            Expr::Tuple(t) => t.elts.iter().for_each(|e| self.target(e, offset)),
            Expr::List(l) => l.elts.iter().for_each(|e| self.target(e, offset)),
            Expr::Starred(s) => self.target(&s.value, offset),
            _ => {}
        }
    }
}

impl StatementVisitor<'_> for Bindings<'_> {
    fn visit_stmt(&mut self, stmt: &Stmt) {
        let offset = stmt.start();
        match stmt {
            Stmt::FunctionDef(def) => {
                if def.name.id.as_str() == self.name {
                    self.found.push(offset);
                }
            }
            Stmt::ClassDef(def) => {
                if def.name.id.as_str() == self.name {
                    self.found.push(offset);
                }
            }
            Stmt::Assign(assign) => {
                let single = assign.targets.len() == 1 && assign.targets[0].is_name_expr();
                if !(self.rewritable_count && single) {
                    assign.targets.iter().for_each(|t| self.target(t, offset));
                }
            }
            Stmt::AugAssign(aug) => {
                let rewritable = matches!(aug.op, Operator::Add | Operator::Sub);
                if !(self.rewritable_count && rewritable) {
                    self.target(&aug.target, offset);
                }
            }
            Stmt::AnnAssign(ann) => self.target(&ann.target, offset),
            Stmt::For(for_) => {
                self.target(&for_.target, offset);
                walk_stmt(self, stmt);
            }
            Stmt::With(with) => {
                for item in &with.items {
                    if let Some(vars) = &item.optional_vars {
                        self.target(vars, offset);
                    }
                }
                walk_stmt(self, stmt);
            }
            Stmt::Delete(delete) => delete.targets.iter().for_each(|t| self.target(t, offset)),
            Stmt::Import(import) => {
                for alias in &import.names {
                    let local = alias.asname.as_ref().map_or_else(
                        || alias.name.id.split('.').next().unwrap_or_default(),
                        |a| a.id.as_str(),
                    );
                    if local == self.name {
                        self.found.push(offset);
                    }
                }
            }
            Stmt::ImportFrom(import) => {
                for alias in &import.names {
                    if alias.asname.as_ref().unwrap_or(&alias.name).id.as_str() == self.name {
                        self.found.push(offset);
                    }
                }
            }
            Stmt::Try(try_) => {
                for handler in &try_.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(h) = handler;
                    if h.name.as_ref().is_some_and(|n| n.id.as_str() == self.name) {
                        self.found.push(offset);
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
    fn visit_body(&mut self, body: &[Stmt]) {
        for stmt in body {
            SourceOrderVisitor::visit_stmt(self, stmt);
        }
    }

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
        ruff_python_ast::visitor::source_order::walk_expr(self, expr);
    }
}

/// Each class's family: the classes connected to it through bases named
/// like classes of the module (the first class of that name), either way;
/// in order of the classes.
fn families(classes: &[super::Class]) -> Vec<Vec<ClassId>> {
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
        ruff_python_ast::visitor::source_order::walk_expr(self, expr);
    }
}

/// One place the state's name appears.
struct Occurrence<'a> {
    expr: &'a Expr,
    /// The enclosing nodes, outermost first.
    ancestors: Vec<AnyNodeRef<'a>>,
    /// The innermost enclosing statement.
    stmt: Option<&'a Stmt>,
    /// The function whose code this is; `None` at module level.
    function: Option<FunctionId>,
    /// For an attribute reached through something other than `self`, the
    /// receiver as written.
    foreign: Option<String>,
}

/// Finds every occurrence of one piece of state in the module.
struct Occurrences<'x, 'm, 'a> {
    analysis: &'x Analysis<'m, 'a>,
    target: &'x StateTarget,
    ancestors: Vec<AnyNodeRef<'a>>,
    statements: Vec<&'a Stmt>,
    functions: Vec<FunctionId>,
    found: Vec<Occurrence<'a>>,
    /// `global <name>` statements, with their function.
    global_decls: Vec<(&'a StmtGlobal, FunctionId)>,
    /// For each function on the stack: whether the global name refers to
    /// the module global there, and the name `self` has (with its class).
    scopes: Vec<(bool, Option<(String, ClassId)>)>,
}

impl<'x, 'm, 'a> Occurrences<'x, 'm, 'a> {
    fn new(analysis: &'x Analysis<'m, 'a>, target: &'x StateTarget) -> Self {
        Self {
            analysis,
            target,
            ancestors: Vec::new(),
            statements: Vec::new(),
            functions: Vec::new(),
            found: Vec::new(),
            global_decls: Vec::new(),
            scopes: Vec::new(),
        }
    }

    fn visit_body(&mut self, body: &'a [Stmt]) {
        for stmt in body {
            SourceOrderVisitor::visit_stmt(self, stmt);
        }
    }

    fn record(&mut self, expr: &'a Expr, foreign: Option<String>) {
        self.found.push(Occurrence {
            expr,
            ancestors: self.ancestors.clone(),
            stmt: self.statements.last().copied(),
            function: self.functions.last().copied(),
            foreign,
        });
    }
}

impl<'a> SourceOrderVisitor<'a> for Occurrences<'_, '_, 'a> {
    fn enter_node(&mut self, node: AnyNodeRef<'a>) -> TraversalSignal {
        if let AnyNodeRef::StmtFunctionDef(def) = node {
            if let Some(&id) = self.analysis.by_start.get(&def.start()) {
                let global = match self.target {
                    StateTarget::Global { name } => self.analysis.resolves_to_global(id, name),
                    StateTarget::Attribute { .. } => false,
                };
                self.functions.push(id);
                self.scopes.push((global, self.analysis.self_binding(id)));
            }
        }
        self.ancestors.push(node);
        TraversalSignal::Traverse
    }

    fn leave_node(&mut self, node: AnyNodeRef<'a>) {
        self.ancestors.pop();
        if let AnyNodeRef::StmtFunctionDef(def) = node {
            if self.analysis.by_start.contains_key(&def.start()) {
                self.functions.pop();
                self.scopes.pop();
            }
        }
    }

    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let (Stmt::Global(global), StateTarget::Global { name }) = (stmt, self.target) {
            if let Some(&function) = self.functions.last() {
                if global.names.iter().any(|n| n.id.as_str() == name) {
                    self.global_decls.push((global, function));
                }
            }
        }
        self.statements.push(stmt);
        ruff_python_ast::visitor::source_order::walk_stmt(self, stmt);
        self.statements.pop();
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match (expr, self.target) {
            (Expr::Attribute(attribute), StateTarget::Attribute { family, name })
                if attribute.attr.id.as_str() == name =>
            {
                let own = match (attribute.value.as_ref(), self.scopes.last()) {
                    (Expr::Name(receiver), Some((_, Some((self_name, class))))) => {
                        receiver.id.as_str() == self_name && family.contains(class)
                    }
                    _ => false,
                };
                let in_family_method = matches!(self.scopes.last(), Some((_, Some((_, class)))) if family.contains(class));
                let self_elsewhere = matches!(attribute.value.as_ref(), Expr::Name(r) if r.id.as_str() == "self")
                    && !in_family_method;
                if own {
                    self.record(expr, None);
                } else if !self_elsewhere {
                    // `self.<name>` in an unrelated class is another attribute.
                    let receiver = callee_text(&attribute.value);
                    self.record(expr, Some(receiver));
                }
            }
            (Expr::Name(n), StateTarget::Global { name }) if n.id.as_str() == name => {
                let global = self.scopes.last().is_none_or(|(global, _)| *global);
                if global {
                    self.record(expr, None);
                }
            }
            _ => {}
        }
        ruff_python_ast::visitor::source_order::walk_expr(self, expr);
    }
}
