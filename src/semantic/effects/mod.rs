//! Direct effects of each function: what its own body does, with the
//! culprit's position, and the calls it makes (with the abstract values of
//! their arguments). Effects of callees are added later, by the propagation
//! through the call graph, which reads these as plain data.
//!
//! The walk is flow-insensitive and conservative: a call it cannot classify
//! is an unknown callee, never a pure one. The walker is in `walker.rs`,
//! what it makes of calls, writes and expressions in `calls.rs`, `writes.rs`
//! and `values.rs`; the tables of builtins it consults are in
//! [`crate::semantic::builtins`].

mod calls;
mod graph_mode;
mod locals;
mod loops;
mod name_argument;
mod statements;
mod static_shapes;
mod values;
mod walker;
mod watch;
mod words;
mod writes;

#[cfg(test)]
mod tests;

use rustc_hash::FxHashMap as HashMap;

use ruff_python_ast::name::Name;
use ruff_python_ast::visitor::Visitor;
use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::builtins::is_tf_base;
use super::kinds::{ObjectKind, Value};
use super::{ClassId, FunctionId, SemanticModel};
pub use statements::statement_effects;
use walker::{ModuleTables, Scratch, Walker};
pub use watch::{Callee as CalledValue, StatementEffects};

/// An effect a function body can have. The order is the order refusals are
/// reported in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Effect {
    /// Tensor computation: the reason to convert at all.
    TensorComputation,
    /// A Python side effect that has no graph form: I/O, randomness, the
    /// clock, mutation of containers or arguments that outlive the call.
    SideEffect,
    /// A write to a global, nonlocal or attribute of a long-lived object:
    /// state that a `tf.Variable` can hold instead.
    StateWrite,
    /// `print`, which `tf.print` can replace inside graph functions.
    Print,
    /// A log message (`logging.info`, `absl.logging`, `tf.get_logger()`):
    /// a graph function writes it once, while tracing. It keeps an eager
    /// function eager, but is no reason to take a graph function's
    /// `tf.function` away: logging while tracing is often what was meant.
    Logging,
    /// A call that needs eager tensors (`.numpy()`, NumPy on a tensor).
    EagerOnly,
    /// `tf.Variable(...)` or a Keras layer, model or optimizer created on
    /// every call.
    VariableCreation,
    /// A call the analysis cannot see into.
    UnknownCallee,
    /// A read of Python state that may change between calls (an attribute
    /// of `self` holding a number, a flag, a tensor): a graph function
    /// reads it once, while tracing. Not a reason to refuse, but a reason
    /// the decoration may change what the program computes.
    PythonStateRead,
    /// Python control flow (`if`, `while`, `assert`, a conditional
    /// expression, the bound of a `for`) on a static dimension of a tensor
    /// (`x.shape[0]`, `len(x)`, `x.get_shape()`): what it decides depends
    /// on the shapes a trace is made for. See `static_shapes.rs`.
    StaticShape,
    /// Python control flow on a tensor's static rank (`x.shape.ndims`,
    /// `x.ndim`, `K.ndim(x)`): a trace for a relaxed shape of unknown rank
    /// decides it differently.
    StaticRank,
    /// A call that works only while tracing a graph, or that a graph answers
    /// differently (`tf.gradients`, `tf.compat.v1.placeholder`,
    /// `tf.executing_eagerly`). See `graph_mode.rs`.
    GraphOnly,
    /// A loop that AutoGraph turns into a graph loop (over `tf.range(...)`,
    /// a dataset or a tensor, or while a tensor condition holds).
    GraphLoop,
    /// Output made for people or files outside the program: a plot, an
    /// image, a pickle, a record file (always with a [`Effect::SideEffect`]
    /// of its own). Code whose job this is is no graph candidate worth a
    /// word, whatever else it does.
    Output,
}

impl Effect {
    /// Effects that pass from a callee to its callers.
    pub const TRANSITIVE: [Effect; 14] = [
        Effect::TensorComputation,
        Effect::SideEffect,
        Effect::StateWrite,
        Effect::Print,
        Effect::Logging,
        Effect::EagerOnly,
        Effect::VariableCreation,
        Effect::UnknownCallee,
        Effect::PythonStateRead,
        Effect::StaticShape,
        Effect::StaticRank,
        Effect::GraphOnly,
        Effect::GraphLoop,
        Effect::Output,
    ];
}

/// Where and what: `offset` of the culprit and a phrase that completes
/// "`f` ..." (e.g. "writes to the global `history`").
#[derive(Debug, Clone)]
pub struct Culprit {
    pub effect: Effect,
    pub offset: TextSize,
    pub what: String,
}

/// An effect that depends on what a parameter turns out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ParamRule {
    /// Arithmetic on the parameter: tensor computation if it is a tensor.
    TensorIfTensor,
    /// NumPy, `math` or `int()`/`float()`/`bool()` on it: eager-only unless
    /// it is known not to be a tensor.
    EagerIfMaybeTensor,
    /// A method call on it (the method is the conditional's `method`):
    /// tensor computation on a tensor, what the method does on an object of
    /// known kind or an instance of a project class, an unknown callee on
    /// anything else but a Python primitive.
    MethodCall,
    /// A call of the parameter itself (`model(x)`, `loss_fn(y, p)`): what
    /// calling what is passed does.
    Call,
    /// A read of an attribute of the parameter (`config.rate`): Python
    /// state, unless a tensor or a TensorFlow object is passed.
    ReadsAttribute,
    /// `for item in param`: iterates a tensor if it is one.
    IteratesIfTensor,
}

#[derive(Debug, Clone)]
pub struct Conditional {
    pub param: usize,
    pub rule: ParamRule,
    pub offset: TextSize,
    pub what: String,
    /// The method called, for [`ParamRule::MethodCall`].
    pub method: Option<Box<str>>,
    /// Whether `param` is a parameter of the class's constructor, stored in
    /// an attribute (`self.loss = loss_fn`, then `self.loss(y, p)`), rather
    /// than of the function itself.
    pub of_constructor: bool,
}

/// The target of a call, as far as one module can tell.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Callee {
    Local(FunctionId),
    /// A qualified name through an import (`pkg.mod.f`), resolved (or not)
    /// against the other modules of the run.
    External(String),
}

#[derive(Debug, Clone)]
pub struct Call {
    pub callee: Callee,
    pub offset: TextSize,
    pub in_loop: bool,
    /// Whether the callee's first parameter (`self`) is bound by the call.
    pub bound: bool,
    /// `None` for a `*args` argument, which hides the positions after it.
    pub args: Vec<Option<Value>>,
    pub keywords: Vec<(Name, Value)>,
}

/// `Class(args)` for a class of the module.
#[derive(Debug, Clone)]
pub struct Construction {
    pub class: ClassId,
    /// `None` for a `*args` argument, which hides the positions after it.
    pub args: Vec<Option<Value>>,
    pub keywords: Vec<(Name, Value)>,
}

/// What one function's own body does.
#[derive(Debug, Clone, Default)]
pub struct DirectEffects {
    /// The first culprit of each effect.
    pub culprits: Vec<Culprit>,
    pub conditionals: Vec<Conditional>,
    pub calls: Vec<Call>,
    /// The first `yield`.
    pub generator: Option<TextSize>,
    /// The parameter names, `self` excluded for methods.
    pub params: Vec<String>,
    /// What its `return` statements give back.
    pub returns: Returns,
    /// The value of each parameter's default (`self` excluded), when some
    /// parameter has one; empty otherwise.
    pub param_defaults: Vec<Option<Value>>,
    /// How many tensor operations its own body dispatches (a call of the
    /// TensorFlow API, a tensor method, arithmetic on a tensor or on a
    /// parameter that may be one): whether it is too small to gain as a
    /// graph function. `u32::MAX` when a call may run any number of them (a
    /// model, layer or other TensorFlow object, a control-flow API).
    pub tensor_ops: u32,
    /// How many shape queries (`tf.shape`, `tf.rank`, `tf.size`) its own
    /// body makes: metadata reads, not counted in `tensor_ops`.
    pub shape_queries: u32,
    /// Of `tensor_ops`, the summaries written (`tf.summary.scalar(...)`):
    /// bookkeeping, not the work a graph speeds up.
    pub summaries: u32,
    /// Of `tensor_ops`, those in the branches of an `if` that a call does
    /// not take when it takes the largest: what one call runs at most is
    /// `tensor_ops - other_branch_ops`.
    pub other_branch_ops: u32,
    /// Whether tensor work is done inside a step loop of its own body (a
    /// loop over a dataset or a number of steps): it drives training or
    /// evaluation steps.
    pub step_loop_work: bool,
    /// The objects of this module's classes it constructs, with the
    /// arguments given: what a constructor's parameters receive.
    pub constructions: Vec<Construction>,
    /// Whether it calls an API of TensorFlow 1 only (`tf.placeholder`,
    /// `tf.Session`, `tf.contrib...`): its module is TF1 code.
    pub tf1_api: bool,
    /// The first Keras layer or model it constructs (`layers.Dense(...)`,
    /// `tf.keras.Model(...)`): model-building code.
    pub builds_layers: Option<TextSize>,
}

/// What a function's own `return` statements give back, as far as the
/// walker sees: a graph function returns only tensors (or nests of them,
/// or `None`), so a Python value or object returned would change type.
#[derive(Debug, Clone, Default)]
pub struct Returns {
    /// The first return of a Python value or of an object that is no
    /// tensor: where, and what it is ("a Python number").
    pub python: Option<(TextSize, &'static str)>,
    /// The parameters whose values (or values computed from them) are
    /// returned, as bits, and the first such return.
    pub params: u64,
    pub params_at: Option<TextSize>,
    /// The first return of a value of unknown kind.
    pub unknown: Option<TextSize>,
    /// The calls (by index in [`DirectEffects::calls`]) whose results are
    /// returned, and where.
    pub calls: Vec<(u32, TextSize)>,
}

impl DirectEffects {
    pub fn culprit(&self, effect: Effect) -> Option<&Culprit> {
        self.culprits.iter().find(|c| c.effect == effect)
    }
}

/// Module-level values and class attributes, computed once per module.
#[derive(Debug, Default)]
pub struct ModuleValues {
    pub globals: HashMap<String, Value>,
    /// Per class, the values its methods assign to `self.<attr>`.
    pub class_attributes: Vec<HashMap<String, Value>>,
    /// Per class, the attributes its constructor sets from one of its
    /// parameters, by the parameter's index, whose value no construction in
    /// the module tells: the propagation joins what every construction in
    /// the run passes.
    pub ctor_params: Vec<HashMap<String, usize>>,
    /// Per class, whether it derives from a Keras `Model`/`Layer` or
    /// `tf.Module` (directly or through classes of this module).
    pub tf_classes: Vec<bool>,
}

/// Computes every function's direct effects and the module-level calls.
// Not inlined into its caller, so that profiles show what it costs.
#[inline(never)]
pub fn analyse(model: &SemanticModel) -> (Vec<DirectEffects>, Vec<Call>, ModuleValues) {
    let mut first_class: HashMap<&str, ClassId> = HashMap::default();
    for (id, class) in model.classes.iter().enumerate() {
        first_class.entry(class.def.name.id.as_str()).or_insert(id);
    }
    let tables = ModuleTables::of(model);
    let tf_classes = (0..model.classes.len())
        .map(|id| is_tf_class(model, &first_class, id, &mut Vec::new()))
        .collect();
    let mut values = ModuleValues {
        globals: HashMap::default(),
        class_attributes: vec![HashMap::default(); model.classes.len()],
        ctor_params: Vec::new(),
        tf_classes,
    };
    // Module level first: it gives the globals' values that functions read.
    let mut module = Walker::new(model, &values, &tables, None);
    module.visit_body(model.module_body());
    let module_calls = std::mem::take(&mut module.effects.calls);
    let module_constructions = std::mem::take(&mut module.effects.constructions);
    values.globals = module
        .values
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect();
    // Then `self.<attr> = ...` in constructors, for attribute values.
    // In a Keras or `tf.Module` class, an attribute no constructor sets
    // reads as a TensorFlow object (a layer made elsewhere); one that
    // another method sets (`self.counts = collections.Counter()`) takes the
    // values that method gives it instead.
    let mut elsewhere: Vec<HashMap<String, Value>> = Vec::new();
    let mut param_attributes: Vec<(ClassId, FunctionId, Box<str>, usize)> = Vec::new();
    for (id, function) in model.functions.iter().enumerate() {
        let Some(class) = function.class else {
            continue;
        };
        // Attributes are set up where objects are built.
        let constructor = matches!(
            function.def.name.id.as_str(),
            "__init__" | "build" | "setup"
        );
        let elsewhere_too = values.tf_classes[class] && sets_self_attribute(&function.def.body);
        if !(constructor || elsewhere_too) {
            continue;
        }
        let mut walker = Walker::new(model, &values, &tables, Some(id));
        walker.self_attributes = Some(Vec::new());
        walker.visit_body(&function.def.body);
        let attributes = walker.self_attributes.unwrap_or_default();
        for (name, index) in walker.param_attributes {
            // Only an attribute the constructor sets from nothing else.
            if attributes.iter().filter(|(n, _)| *n == name).count() == 1 {
                param_attributes.push((class, id, name, index));
            }
        }
        let slot = if constructor {
            &mut values.class_attributes[class]
        } else {
            if elsewhere.is_empty() {
                elsewhere = vec![HashMap::default(); model.classes.len()];
            }
            &mut elsewhere[class]
        };
        for (name, value) in attributes {
            match slot.get_mut(&*name) {
                Some(previous) => *previous = previous.join(&value),
                None => {
                    slot.insert(name.into_string(), value);
                }
            }
        }
    }
    for (class, attributes) in elsewhere.into_iter().enumerate() {
        for (name, value) in attributes {
            values.class_attributes[class].entry(name).or_insert(value);
        }
    }
    if !param_attributes.is_empty() {
        values.ctor_params = vec![HashMap::default(); model.classes.len()];
        for (class, _, name, index) in &param_attributes {
            if values.class_attributes[*class].get(&**name) == Some(&Value::Unknown) {
                values.ctor_params[*class].insert(name.to_string(), *index);
            }
        }
    }
    // The functions are walked one after another: each walker's tables are
    // cleared and handed to the next rather than allocated again.
    let mut scratch = Scratch::default();
    let mut effects: Vec<DirectEffects> = (0..model.functions.len())
        .map(|id| {
            let mut walker =
                Walker::with_scratch(model, &values, &tables, Some(id), scratch.take());
            walker.visit_body(&model.functions[id].def.body);
            let effects = walker.take_effects();
            scratch = walker.into_scratch();
            effects
        })
        .collect();
    // An attribute that stores a constructor's parameter holds what every
    // construction in the module passes, when that is one function,
    // instance or TensorFlow object (`Trainer(model, loss_fn=mse)`): then
    // the methods that use it are walked again, knowing it.
    let mut changed: Vec<ClassId> = Vec::new();
    for (class, init, name, index) in param_attributes {
        let Some(value) = constructed_with(&module_constructions, &effects, class, init, index)
        else {
            continue;
        };
        if let Some(slot) = values.class_attributes[class].get_mut(&*name) {
            if *slot == Value::Unknown {
                *slot = value;
                values.ctor_params[class].remove(&*name);
                changed.push(class);
            }
        }
    }
    if !changed.is_empty() {
        for (id, function) in model.functions.iter().enumerate() {
            if function.class.is_some_and(|class| changed.contains(&class)) {
                let mut walker =
                    Walker::with_scratch(model, &values, &tables, Some(id), scratch.take());
                walker.visit_body(&function.def.body);
                effects[id] = walker.take_effects();
                scratch = walker.into_scratch();
            }
        }
    }
    (effects, module_calls, values)
}

/// What parameter `index` of constructor `init` of `class` receives at
/// every construction of the module, when all of them pass the same
/// function of the project, instance of one of its classes, or
/// TensorFlow object of a known kind. Nothing when the module constructs
/// none: the objects come from elsewhere.
fn constructed_with(
    module_constructions: &[Construction],
    effects: &[DirectEffects],
    class: ClassId,
    init: FunctionId,
    index: usize,
) -> Option<Value> {
    let name = effects[init].params.get(index)?;
    let mut joined: Option<Value> = None;
    let constructions = module_constructions
        .iter()
        .chain(effects.iter().flat_map(|e| &e.constructions))
        .filter(|c| c.class == class);
    for construction in constructions {
        let given = match construction.args.get(index) {
            Some(arg) => arg.clone()?,
            // After a `*args`, a position is unknown.
            None if construction.args.last().is_some_and(Option::is_none) => return None,
            None => construction
                .keywords
                .iter()
                .find(|(keyword, _)| keyword.as_str() == name)
                .map(|(_, value)| value.clone())?,
        };
        let known = matches!(given, Value::Function(_) | Value::Instance(_))
            || matches!(&given, Value::Object(kind) if *kind != ObjectKind::Other);
        if !known || joined.as_ref().is_some_and(|j| *j != given) {
            return None;
        }
        joined = Some(given);
    }
    joined
}

/// Whether a method body assigns an attribute of `self` (or of any name:
/// the walker decides which are `self`), in a statement at any depth: a
/// look at statements only, cheaper than walking the method.
fn sets_self_attribute(body: &[Stmt]) -> bool {
    body.iter().any(|stmt| match stmt {
        Stmt::Assign(assign) => assign
            .targets
            .iter()
            .any(|target| matches!(target, Expr::Attribute(_))),
        Stmt::AugAssign(assign) => matches!(assign.target.as_ref(), Expr::Attribute(_)),
        Stmt::AnnAssign(assign) => matches!(assign.target.as_ref(), Expr::Attribute(_)),
        Stmt::If(stmt) => {
            sets_self_attribute(&stmt.body)
                || stmt
                    .elif_else_clauses
                    .iter()
                    .any(|clause| sets_self_attribute(&clause.body))
        }
        Stmt::For(stmt) => sets_self_attribute(&stmt.body) || sets_self_attribute(&stmt.orelse),
        Stmt::While(stmt) => sets_self_attribute(&stmt.body) || sets_self_attribute(&stmt.orelse),
        Stmt::With(stmt) => sets_self_attribute(&stmt.body),
        Stmt::Try(stmt) => {
            sets_self_attribute(&stmt.body)
                || stmt.handlers.iter().any(|handler| {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(handler) = handler;
                    sets_self_attribute(&handler.body)
                })
                || sets_self_attribute(&stmt.orelse)
                || sets_self_attribute(&stmt.finalbody)
        }
        _ => false,
    })
}

/// Whether class `id` derives from a Keras `Model`/`Layer` or `tf.Module`
/// (`first_class`: the first class of the module with each name).
fn is_tf_class(
    model: &SemanticModel,
    first_class: &HashMap<&str, ClassId>,
    id: ClassId,
    seen: &mut Vec<ClassId>,
) -> bool {
    if seen.contains(&id) {
        return false;
    }
    seen.push(id);
    if model
        .project_tf_classes
        .contains(&model.classes[id].qualified_name)
    {
        return true;
    }
    model.classes[id].bases.iter().any(|base| {
        is_tf_base(base)
            || first_class
                .get(base.as_str())
                .is_some_and(|&base_id| is_tf_class(model, first_class, base_id, seen))
    })
}

/// The range of a function's name, where its findings point.
pub fn name_range(model: &SemanticModel, id: FunctionId) -> TextRange {
    model.functions[id].def.name.range()
}
