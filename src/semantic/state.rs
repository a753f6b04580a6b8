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
use ruff_python_ast::{
    AnyNodeRef, CmpOp, Expr, ExprContext, Number, Operator, Stmt, StmtGlobal, UnaryOp,
};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::builtins::is_tf_base;
use super::{ClassId, FunctionId, SemanticModel};
pub use index::Index;
use index::Occurrence;

mod index;

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
    let analysis = Analysis::new(model, HashSet::default());
    let first = analysis.index.graph_first_writes(model);
    analysis.states(first.iter().map(|(target, &write)| (target, write)))
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
    let mut reach: HashSet<FunctionId> = HashSet::default();
    let mut stack = vec![function];
    while let Some(id) = stack.pop() {
        if !reach.insert(id) {
            continue;
        }
        for call in &model.effects[id].calls {
            match &call.callee {
                Callee::Local(callee) => stack.push(*callee),
                Callee::External(_) => return None,
            }
        }
    }
    let mut reach: Vec<FunctionId> = reach.into_iter().collect();
    reach.sort_unstable();
    let analysis = Analysis::new(model, reach.iter().copied().collect());
    let index = analysis.index;
    // Only the states written in the bodies of `function` and its callees
    // (nested functions included) can matter: those are analysed, with the
    // first write each has among all the functions that run in the graph,
    // in that order (as `python_states` would find them). Functions are
    // numbered in source order, a function's nested ones right after it.
    let mut nested: Vec<std::ops::Range<FunctionId>> = Vec::new();
    for &id in &reach {
        let end = model.functions[id].def.end();
        let after = model.functions.partition_point(|f| f.def.start() < end);
        match nested.last_mut() {
            Some(last) if id < last.end => last.end = last.end.max(after),
            _ => nested.push(id..after),
        }
    }
    let bodies: Vec<TextRange> = nested
        .iter()
        .map(|ids| model.functions[ids.start].def.range())
        .collect();
    let inside = |range: TextRange| {
        let at = bodies.partition_point(|body| body.start() <= range.start());
        at > 0 && bodies[at - 1].contains_range(range)
    };
    let relevant: HashSet<&StateTarget> = nested
        .iter()
        .flat_map(|ids| ids.clone())
        .flat_map(|id| index.writes(model, id).iter().map(|write| &write.target))
        .collect();
    let mut first: HashMap<&StateTarget, (FunctionId, usize, TextRange)> = HashMap::default();
    let graph_first = index.graph_first_writes(model);
    for &target in &relevant {
        if let Some(&write) = graph_first.get(target) {
            first.insert(target, write);
        }
    }
    for &id in &reach {
        for (at, write) in index.writes(model, id).iter().enumerate() {
            if write.creates_variable || !relevant.contains(&write.target) {
                continue;
            }
            let candidate = (id, at, write.stmt.range());
            first
                .entry(&write.target)
                .and_modify(|known| {
                    if (candidate.0, candidate.1) < (known.0, known.1) {
                        *known = candidate;
                    }
                })
                .or_insert(candidate);
        }
    }
    let states: Vec<PythonState<'a>> = analysis
        .states(first)
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
    for &id in &reach {
        let def = model.functions[id].def;
        let self_name = index
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
                Expr::Name(name) => index.declares_global(model, id, name.id.as_str()),
                Expr::Attribute(attribute) => match attribute.value.as_ref() {
                    Expr::Name(receiver) => {
                        Some(receiver.id.as_str()) == self_name
                            || index.declares_global(model, id, receiver.id.as_str())
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

struct Analysis<'m, 'a> {
    model: &'m SemanticModel<'a>,
    /// The module's tables, built once and shared by every analysis of it.
    index: &'m Index<'a>,
    /// Functions supposed to run under `tf.function` in this analysis,
    /// besides those that do.
    also_in_graph: HashSet<FunctionId>,
}

impl<'m, 'a> Analysis<'m, 'a> {
    fn new(model: &'m SemanticModel<'a>, also_in_graph: HashSet<FunctionId>) -> Self {
        let index = model.memo.state.get_or_init(|| Index::new(model));
        Self {
            model,
            index,
            also_in_graph,
        }
    }

    /// Whether function `id` runs under `tf.function` in this analysis.
    fn in_graph(&self, id: FunctionId) -> bool {
        self.model.runs_under_graph(id) || self.also_in_graph.contains(&id)
    }

    /// The states of `candidates`, each with its first write in graph code
    /// (function, position among its writes, statement), in the order of
    /// those writes; a candidate that is not numeric state is left out.
    fn states<'t>(
        &self,
        candidates: impl IntoIterator<Item = (&'t StateTarget, (FunctionId, usize, TextRange))>,
    ) -> Vec<PythonState<'a>> {
        let mut candidates: Vec<_> = candidates.into_iter().collect();
        candidates.sort_by_key(|&(_, (function, at, _))| (function, at));
        candidates
            .into_iter()
            .filter_map(|(target, (function, _, range))| {
                self.state(target.clone(), function, range)
            })
            .collect()
    }

    fn state(
        &self,
        target: StateTarget,
        function: FunctionId,
        range: TextRange,
    ) -> Option<PythonState<'a>> {
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
        let (model, index) = (self.model, self.index);
        let occurrences: Vec<(&Occurrence<'a>, Option<String>)> = match &state.target {
            StateTarget::Attribute { family, name } => {
                index.attribute_occurrences(model, family, name)
            }
            StateTarget::Global { name } => index
                .global_occurrences(model, name)
                .into_iter()
                .map(|occurrence| (occurrence, None))
                .collect(),
        };
        for (occurrence, foreign) in occurrences {
            match self.classify(occurrence, foreign, &state.target, kind, init_stmt) {
                Ok(Some(use_)) => state.uses.push(use_),
                Ok(None) => {}
                Err(refusal) => {
                    state.refusal = Some(refusal);
                    return Some(state);
                }
            }
        }
        if let StateTarget::Global { name } = &state.target {
            for (stmt, function) in index.global_decls(model, name) {
                if index.function_binds(model, *function, name, false) {
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
                let Some((self_name, _)) = self.index.self_binding(method) else {
                    continue;
                };
                for &(target, stmt) in self.index.own_writes(self.model, method) {
                    if !is_self_attribute(target, self_name, name) {
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
                            literal_init = Some((stmt, value.unwrap_or(target), kind, method));
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
                let in_module = self.index.defines_class(self.model, base);
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
            (Some((stmt, value, kind, method)), None) => {
                self.check_after_super_init(stmt, method)?;
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
    /// variable created before it (in `method`) would raise.
    fn check_after_super_init(
        &self,
        init: &'a Stmt,
        method: FunctionId,
    ) -> Result<(), Option<Refusal>> {
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

    /// The module-level `<name> = <literal>`, the only module-level binding
    /// of the name.
    #[allow(clippy::type_complexity)]
    fn global_init(&self, name: &str) -> Result<(&'a Stmt, &'a Expr, StateKind), Option<Refusal>> {
        let (model, index) = (self.model, self.index);
        let Some((stmt, value)) = index.module_init(model, name) else {
            return Err(None);
        };
        let Some(kind) = literal_kind(value) else {
            return Err(None);
        };
        if let Some(other) = index
            .module_bindings(model, name)
            .iter()
            .find(|&&offset| offset != stmt.start())
        {
            return Err(Some(Refusal {
                offset: *other,
                reason: "is bound again at module level".to_string(),
            }));
        }
        if let Some((offset, class)) = index.class_binding(model, name) {
            return Err(Some(Refusal {
                offset,
                reason: format!(
                    "is also a class attribute of `{}`",
                    model.classes[class].qualified_name
                ),
            }));
        }
        Ok((stmt, value, kind))
    }

    /// State named in a string (`getattr(self, "count")`, `globals()["step"]`)
    /// or in a module that pickles or copies objects escapes the analysis.
    fn escapes_by_name(&self, target: &StateTarget) -> Option<Refusal> {
        if let Some(offset) = self.index.named_in_string(self.model, target.name()) {
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

    /// What one occurrence of the state needs, or why it stops the rewrite.
    fn classify(
        &self,
        occurrence: &Occurrence<'a>,
        foreign: Option<String>,
        target: &StateTarget,
        kind: StateKind,
        init_stmt: &'a Stmt,
    ) -> Result<Option<StateUse<'a>>, Refusal> {
        let expr = occurrence.expr;
        let refuse = |reason: String| Refusal {
            offset: expr.start(),
            reason,
        };
        if let Some(foreign) = foreign {
            return Err(refuse(format!(
                "is reached through `{foreign}`, an object the analysis cannot identify"
            )));
        }
        let in_graph = occurrence.function.is_some_and(|id| self.in_graph(id));
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
        let read_in_graph = self
            .index
            .attribute_readers(self.model, name)
            .into_iter()
            .any(|f| self.in_graph(f));
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
