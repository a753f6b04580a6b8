//! Python state that graph code mutates: numbers and booleans kept in an
//! attribute (`self.count`) or a module global (`step`) and written inside a
//! function that runs under `tf.function`. Such a write happens only while
//! tracing; kept in a `tf.Variable`, the state would change on every call.
//!
//! For each piece of state this module finds where it is initialised, every
//! place it is read or written, and what each use needs: a graph read stays a
//! tensor read, an eager read that needs a Python value is converted, a write
//! becomes an `assign*`. A use the analysis cannot follow (the value passed to
//! an unknown function, compared by identity, returned from graph code, read
//! through another object) is a [`Refusal`]: the state is reported, never
//! rewritten. Where the state is bound, written and read comes from the
//! model's [`crate::semantic::state_index`]; how each piece of state is
//! judged is in `analysis.rs` and `uses.rs`.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use ruff_python_ast::statement_visitor::{walk_stmt, StatementVisitor};
use ruff_python_ast::{Expr, Number, Stmt, StmtGlobal, UnaryOp};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::semantic::effects::Callee;
pub use crate::semantic::state_index::{creates_variable, StateTarget};
use crate::semantic::{FunctionId, SemanticModel};
use analysis::Analysis;

mod analysis;
mod flow;
mod operands;
mod uses;

/// The Python type of the state, which decides the variable's dtype and the
/// conversion eager reads need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// A value computed from the state in graph code that Python would have
    /// turned into a float (`0.5 / step`): the expression at `range` becomes
    /// `tf.cast(<expression>, tf.<dtype>)`.
    Cast {
        range: TextRange,
        dtype: &'static str,
    },
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
    /// Whether the rewrite of the state into a variable rewrites the write
    /// statement at `range`.
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

/// The states that would be rewritten into `tf.Variable`s if `function`
/// ran under `tf.function`, when together they cover every write to long-lived
/// Python state (a declared global, `self.<attr>` outside `__init__`) that
/// `function` and its callees make: then decorating it and rewriting them is
/// one correct change. `None` when some such write would stay a Python
/// write, when a callee declares a `nonlocal`, or when the function calls
/// into another module (whose writes a rewrite here cannot reach). Only the
/// states written by `function` and its callees are returned.
pub fn states_repaired_with<'a>(
    model: &SemanticModel<'a>,
    function: FunctionId,
) -> Option<Vec<PythonState<'a>>> {
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
    let mut analysis = Analysis::new(model, reach.iter().copied().collect());
    // Decorated, it returns tensors whatever its Python code returns.
    analysis.also_decorated = Some(function);
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

/// `super().__init__(...)` or `Base.__init__(self, ...)`.
pub(super) fn is_super_init(expr: &Expr) -> bool {
    let Expr::Call(call) = expr else {
        return false;
    };
    matches!(call.func.as_ref(), Expr::Attribute(a) if a.attr.id.as_str() == "__init__")
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

pub(super) fn is_self_attribute(expr: &Expr, self_name: &str, name: &str) -> bool {
    matches!(expr, Expr::Attribute(a)
        if a.attr.id.as_str() == name
            && matches!(a.value.as_ref(), Expr::Name(r) if r.id.as_str() == self_name))
}
