//! Direct effects of each function: what its own body does, with the
//! culprit's position, and the calls it makes (with the abstract values of
//! their arguments). Effects of callees are added later, by propagation
//! through the call graph ([`super::propagate`]).
//!
//! The walk is flow-insensitive and conservative: a call it cannot classify
//! is an unknown callee, never a pure one.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ExprCall, Number, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::kinds::{ClassRef, TensorInfo, Value};
use super::{ClassId, FunctionId, SemanticModel};
use crate::names::is_keras;

/// An effect a function body can have. The order is the order refusals are
/// reported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Effect {
    /// Tensor computation: the reason to convert at all.
    TensorComputation,
    /// A Python side effect no codemod repairs: I/O, randomness, the clock,
    /// mutation of containers or arguments that outlive the call.
    SideEffect,
    /// A write to a global, nonlocal or attribute of a long-lived object:
    /// HY010 can turn such state into a `tf.Variable`.
    StateWrite,
    /// `print`: HY011 turns it into `tf.print` inside graph functions.
    Print,
    /// A call that needs eager tensors (`.numpy()`, NumPy on a tensor).
    EagerOnly,
    /// `tf.Variable(...)` or a Keras layer, model or optimizer created on
    /// every call.
    VariableCreation,
    /// A call the analysis cannot see into.
    UnknownCallee,
}

impl Effect {
    /// Effects that pass from a callee to its callers.
    pub const TRANSITIVE: [Effect; 7] = [
        Effect::TensorComputation,
        Effect::SideEffect,
        Effect::StateWrite,
        Effect::Print,
        Effect::EagerOnly,
        Effect::VariableCreation,
        Effect::UnknownCallee,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamRule {
    /// Arithmetic on the parameter: tensor computation if it is a tensor.
    TensorIfTensor,
    /// NumPy, `math` or `int()`/`float()`/`bool()` on it: eager-only unless
    /// it is known not to be a tensor.
    EagerIfMaybeTensor,
    /// A method call on it: tensor computation on a tensor, an unknown
    /// callee on anything else but a Python primitive.
    MethodCall,
    /// `for item in param`: iterates a tensor if it is one.
    IteratesIfTensor,
}

#[derive(Debug, Clone)]
pub struct Conditional {
    pub param: usize,
    pub rule: ParamRule,
    pub offset: TextSize,
    pub what: String,
}

/// The target of a call, as far as one module can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    pub keywords: Vec<(String, Value)>,
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
}

impl DirectEffects {
    fn add(&mut self, effect: Effect, offset: TextSize, what: impl Into<String>) {
        if self.culprits.iter().all(|c| c.effect != effect) {
            self.culprits.push(Culprit {
                effect,
                offset,
                what: what.into(),
            });
        }
    }

    pub fn culprit(&self, effect: Effect) -> Option<&Culprit> {
        self.culprits.iter().find(|c| c.effect == effect)
    }
}

/// Methods that mutate the container (or stream) they are called on.
const MUTATING_METHODS: &[&str] = &[
    "append",
    "extend",
    "insert",
    "pop",
    "remove",
    "clear",
    "update",
    "setdefault",
    "popitem",
    "add",
    "discard",
    "sort",
    "reverse",
    "write",
    "writelines",
    "put",
    "appendleft",
    "extendleft",
    "__setitem__",
];

/// Builtins that compute a value and touch nothing else.
const PURE_BUILTINS: &[&str] = &[
    "len",
    "range",
    "zip",
    "enumerate",
    "isinstance",
    "issubclass",
    "min",
    "max",
    "abs",
    "sum",
    "round",
    "list",
    "tuple",
    "dict",
    "set",
    "frozenset",
    "sorted",
    "reversed",
    "any",
    "all",
    "str",
    "repr",
    "type",
    "super",
    "hasattr",
    "getattr",
    "callable",
    "divmod",
    "pow",
    "slice",
    "iter",
    "next",
    "map",
    "filter",
    "format",
    "hash",
    "object",
    "NotImplementedError",
    "ValueError",
    "TypeError",
    "RuntimeError",
    "KeyError",
    "IndexError",
    "AssertionError",
    "Exception",
    "StopIteration",
];

/// Builtins with effects outside the program.
const IO_BUILTINS: &[&str] = &[
    "open",
    "input",
    "exec",
    "eval",
    "exit",
    "quit",
    "breakpoint",
    "setattr",
    "delattr",
    "globals",
    "compile",
    "__import__",
];

/// Module-level values and class attributes, computed once per module.
#[derive(Debug, Default)]
pub struct ModuleValues {
    pub globals: HashMap<String, Value>,
    /// Per class, the values its methods assign to `self.<attr>`.
    pub class_attributes: Vec<HashMap<String, Value>>,
    /// Per class, whether it derives from a Keras `Model`/`Layer` or
    /// `tf.Module` (directly or through classes of this module).
    pub tf_classes: Vec<bool>,
}

/// Computes every function's direct effects and the module-level calls.
pub fn analyse(model: &SemanticModel) -> (Vec<DirectEffects>, Vec<Call>, ModuleValues) {
    let call_targets: HashMap<TextSize, FunctionId> = model
        .functions
        .iter()
        .flat_map(|f| &f.calls)
        .chain(&model.module_calls)
        .filter_map(|site| site.callee.map(|callee| (site.range.start(), callee)))
        .collect();
    let tf_classes = (0..model.classes.len())
        .map(|id| is_tf_class(model, id, &mut Vec::new()))
        .collect();
    let mut values = ModuleValues {
        globals: HashMap::default(),
        class_attributes: vec![HashMap::default(); model.classes.len()],
        tf_classes,
    };
    // Module level first: it gives the globals' values that functions read.
    let mut module = Walker::new(model, &values, &call_targets, None);
    module.visit_body(model.module_body());
    let module_calls = std::mem::take(&mut module.effects.calls);
    values.globals = module.values;
    // Then `self.<attr> = ...` in constructors, for attribute values.
    for (id, function) in model.functions.iter().enumerate() {
        let Some(class) = function.class else {
            continue;
        };
        // Attributes are set up where objects are built.
        if !matches!(
            function.def.name.id.as_str(),
            "__init__" | "build" | "setup"
        ) {
            continue;
        }
        let mut walker = Walker::new(model, &values, &call_targets, Some(id));
        walker.visit_body(&function.def.body);
        let attributes = walker.self_attributes;
        for (name, value) in attributes {
            let slot = &mut values.class_attributes[class];
            let joined = match slot.get(&name) {
                Some(previous) => previous.join(&value),
                None => value,
            };
            slot.insert(name, joined);
        }
    }
    let effects = (0..model.functions.len())
        .map(|id| {
            let mut walker = Walker::new(model, &values, &call_targets, Some(id));
            walker.visit_body(&model.functions[id].def.body);
            walker.effects
        })
        .collect();
    (effects, module_calls, values)
}

fn is_tf_class(model: &SemanticModel, id: ClassId, seen: &mut Vec<ClassId>) -> bool {
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
            || model
                .classes
                .iter()
                .position(|c| c.def.name.id.as_str() == base)
                .is_some_and(|base_id| is_tf_class(model, base_id, seen))
    })
}

/// Whether a qualified base class name is a Keras `Model`/`Layer` or
/// `tf.Module`.
pub fn is_tf_base(qualified: &str) -> bool {
    qualified == "tensorflow.Module"
        || (is_keras(qualified)
            && matches!(
                qualified.rsplit('.').next(),
                Some("Model" | "Layer" | "Sequential")
            ))
}

struct Walker<'m, 'a> {
    model: &'m SemanticModel<'a>,
    module: &'m ModuleValues,
    call_targets: &'m HashMap<TextSize, FunctionId>,
    function: Option<FunctionId>,
    /// The name of `self` in a method, and whether this is `__init__` (where
    /// `self` is a fresh object).
    self_name: Option<String>,
    in_init: bool,
    params: Vec<String>,
    /// Names assigned in this function (Python makes them local).
    locals: HashSet<String>,
    globals: HashSet<String>,
    nonlocals: HashSet<String>,
    values: HashMap<String, Value>,
    self_attributes: Vec<(String, Value)>,
    loop_depth: usize,
    test_depth: usize,
    depth: std::cell::Cell<u32>,
    effects: DirectEffects,
}

impl<'m, 'a> Walker<'m, 'a> {
    fn new(
        model: &'m SemanticModel<'a>,
        module: &'m ModuleValues,
        call_targets: &'m HashMap<TextSize, FunctionId>,
        function: Option<FunctionId>,
    ) -> Self {
        let mut walker = Self {
            model,
            module,
            call_targets,
            function,
            self_name: None,
            in_init: false,
            params: Vec::new(),
            locals: HashSet::default(),
            globals: HashSet::default(),
            nonlocals: HashSet::default(),
            values: HashMap::default(),
            self_attributes: Vec::new(),
            loop_depth: 0,
            test_depth: 0,
            depth: std::cell::Cell::new(0),
            effects: DirectEffects::default(),
        };
        if let Some(id) = function {
            let function = &model.functions[id];
            let def = function.def;
            let mut names: Vec<String> = def
                .parameters
                .iter_non_variadic_params()
                .map(|p| p.parameter.name.id.to_string())
                .collect();
            let is_static = def
                .decorator_list
                .iter()
                .any(|d| matches!(&d.expression, Expr::Name(n) if n.id.as_str() == "staticmethod"));
            if function.class.is_some() && !is_static && !names.is_empty() {
                walker.self_name = Some(names.remove(0));
                walker.in_init = def.name.id.as_str() == "__init__";
            }
            walker.params = names;
            walker.effects.params = walker.params.clone();
            let mut collector = LocalNames::default();
            collector.visit_body(&def.body);
            walker.locals = collector.assigned;
            walker.globals = collector.globals;
            walker.nonlocals = collector.nonlocals;
            for name in walker.globals.iter().chain(&walker.nonlocals) {
                walker.locals.remove(name);
            }
        }
        walker
    }

    fn at_module_level(&self) -> bool {
        self.function.is_none()
    }

    fn class(&self) -> Option<ClassId> {
        self.function.and_then(|id| self.model.functions[id].class)
    }

    /// The one base class named through an import (`pkg.layers.Base`, or
    /// `.layers.Base` until the run resolves it) of this method's class,
    /// through its bases in this module; `None` when there is none, or more
    /// than one, or it is TensorFlow's, Keras's or the standard library's.
    fn imported_base(&self) -> Option<&'m str> {
        self.imported_base_of(self.class()?)
    }

    /// [`Walker::imported_base`] of any class of this module.
    fn imported_base_of(&self, class: ClassId) -> Option<&'m str> {
        let model: &'m SemanticModel<'a> = self.model;
        let mut found: Option<&'m str> = None;
        let mut seen = vec![class];
        let mut queue = vec![class];
        while let Some(current) = queue.pop() {
            for base in &model.classes[current].bases {
                if let Some(local) = model
                    .classes
                    .iter()
                    .position(|c| c.def.name.id.as_str() == base)
                {
                    if !seen.contains(&local) {
                        seen.push(local);
                        queue.push(local);
                    }
                    continue;
                }
                let root = base.split('.').next().unwrap_or_default();
                if !base.contains('.')
                    || root == "tensorflow"
                    || is_keras(base)
                    || matches!(
                        root,
                        "abc" | "typing" | "enum" | "collections" | "dataclasses" | "builtins"
                    )
                {
                    continue;
                }
                if found.is_some_and(|f| f != base) {
                    return None;
                }
                found = Some(base);
            }
        }
        found
    }

    fn is_tf_method(&self) -> bool {
        self.class().is_some_and(|c| self.module.tf_classes[c])
    }

    fn add(&mut self, effect: Effect, offset: TextSize, what: impl Into<String>) {
        if !self.at_module_level() {
            self.effects.add(effect, offset, what);
        }
    }

    /// Whether `effect` needs no more culprits (one is kept per effect), so
    /// that hot paths skip formatting another.
    fn has(&self, effect: Effect) -> bool {
        self.at_module_level() || self.effects.culprit(effect).is_some()
    }

    fn conditional(&mut self, param: usize, rule: ParamRule, offset: TextSize, what: String) {
        if !self.at_module_level() {
            self.effects.conditionals.push(Conditional {
                param,
                rule,
                offset,
                what,
            });
        }
    }

    fn param_index(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p == name)
    }

    fn is_self(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Name(n) if Some(n.id.as_str()) == self.self_name.as_deref())
    }

    /// The abstract value of an expression. Deep expressions (long operator
    /// chains) are cut off as unknown, so evaluation stays linear.
    fn value(&self, expr: &Expr) -> Value {
        if self.depth.get() > 12 {
            return Value::Unknown;
        }
        self.depth.set(self.depth.get() + 1);
        let value = self.value_of(expr);
        self.depth.set(self.depth.get() - 1);
        value
    }

    fn value_of(&self, expr: &Expr) -> Value {
        match expr {
            Expr::NumberLiteral(number) => Value::Primitive {
                literal: Some(match &number.value {
                    Number::Int(int) => int.to_string(),
                    Number::Float(float) => float.to_string(),
                    Number::Complex { real, imag } => format!("{real}+{imag}j"),
                }),
                varies: false,
            },
            Expr::StringLiteral(string) => Value::Primitive {
                literal: Some(format!("{:?}", string.value.to_str())),
                varies: false,
            },
            Expr::BooleanLiteral(boolean) => Value::Primitive {
                literal: Some(if boolean.value { "True" } else { "False" }.to_string()),
                varies: false,
            },
            Expr::NoneLiteral(_) => Value::Primitive {
                literal: Some("None".to_string()),
                varies: false,
            },
            Expr::List(_)
            | Expr::Tuple(_)
            | Expr::Dict(_)
            | Expr::Set(_)
            | Expr::ListComp(_)
            | Expr::SetComp(_)
            | Expr::DictComp(_) => Value::Fresh,
            Expr::Name(name) => self.name_value(name.id.as_str()),
            Expr::Attribute(attribute) => {
                if let Some(qualified) = self.model.imports.resolve(expr) {
                    return if qualified.starts_with("tensorflow.") || is_keras(&qualified) {
                        Value::TfObject
                    } else {
                        Value::Unknown
                    };
                }
                if self.is_self(&attribute.value) {
                    let name = attribute.attr.id.as_str();
                    if let Some(value) = self
                        .class()
                        .and_then(|c| self.module.class_attributes[c].get(name))
                    {
                        return value.clone();
                    }
                    return if self.is_tf_method() {
                        Value::TfObject
                    } else {
                        Value::Unknown
                    };
                }
                match self.value(&attribute.value) {
                    Value::Tensor(_) => match attribute.attr.id.as_str() {
                        "shape" | "dtype" | "name" | "ndim" | "device" => Value::Unknown,
                        _ => Value::Tensor(TensorInfo::default()),
                    },
                    Value::TfObject => Value::TfObject,
                    _ => Value::Unknown,
                }
            }
            Expr::Call(call) => self.call_value(call),
            Expr::BinOp(binop) => {
                let (left, right) = (self.value(&binop.left), self.value(&binop.right));
                binary_value(&left, &right)
            }
            Expr::UnaryOp(unary) => self.value(&unary.operand),
            Expr::Subscript(subscript) => match self.value(&subscript.value) {
                Value::Tensor(_) => Value::Tensor(TensorInfo::default()),
                Value::TfObject => Value::TfObject,
                Value::NdArray => Value::NdArray,
                _ => Value::Unknown,
            },
            Expr::Compare(compare) => {
                let left = self.value(&compare.left);
                if left.is_tensor_like()
                    || compare
                        .comparators
                        .iter()
                        .any(|c| self.value(c).is_tensor_like())
                {
                    Value::Tensor(TensorInfo::default())
                } else {
                    Value::Unknown
                }
            }
            _ => Value::Unknown,
        }
    }

    fn name_value(&self, name: &str) -> Value {
        if let Some(value) = self.values.get(name) {
            return value.clone();
        }
        if let Some(index) = self.param_index(name) {
            return Value::Param(index);
        }
        if self.locals.contains(name) {
            return Value::Unknown;
        }
        if let Some(value) = self.module.globals.get(name) {
            return value.clone();
        }
        Value::Unknown
    }

    /// The value a call returns, without recording its effects.
    fn call_value(&self, call: &ExprCall) -> Value {
        if let Some(qualified) = self.model.imports.resolve(&call.func) {
            return qualified_call_value(&qualified, call, self);
        }
        match call.func.as_ref() {
            Expr::Name(name) => match name.id.as_str() {
                "open" => Value::Io,
                "list" | "dict" | "set" | "tuple" | "sorted" | "zip" | "enumerate" => Value::Fresh,
                "int" | "float" | "bool" | "len" | "str" | "round" => Value::Primitive {
                    literal: None,
                    varies: true,
                },
                other => {
                    if let Some(class) = self.local_class(other) {
                        return Value::Instance(ClassRef::Local(class));
                    }
                    match self.name_value(other) {
                        Value::TfObject | Value::Tensor(_) => Value::Tensor(TensorInfo::default()),
                        Value::Instance(ClassRef::Local(class))
                            if self.module.tf_classes[class] =>
                        {
                            Value::Tensor(TensorInfo::default())
                        }
                        _ => Value::Unknown,
                    }
                }
            },
            Expr::Attribute(attribute) => match self.value(&attribute.value) {
                Value::Tensor(_) | Value::TfObject => match attribute.attr.id.as_str() {
                    "numpy" => Value::NdArray,
                    _ => Value::Tensor(TensorInfo::default()),
                },
                _ => Value::Unknown,
            },
            _ => Value::Unknown,
        }
    }

    /// A class defined at module level (or in this function's scope) named `name`.
    fn local_class(&self, name: &str) -> Option<ClassId> {
        if self.locals.contains(name) && !self.values.is_empty() && self.values.contains_key(name) {
            return None;
        }
        self.model
            .classes
            .iter()
            .rposition(|class| class.def.name.id.as_str() == name)
    }

    /// Records what a call does.
    fn on_call(&mut self, call: &ExprCall) {
        let offset = call.start();
        if let Some(&callee) = self.call_targets.get(&offset) {
            let bound = matches!(call.func.as_ref(), Expr::Attribute(_))
                && self.model.functions[callee].class.is_some();
            self.push_call(Callee::Local(callee), call, bound);
            return;
        }
        if let Some(qualified) = self.model.imports.resolve(&call.func) {
            self.on_qualified_call(&qualified, call);
            return;
        }
        match call.func.as_ref() {
            Expr::Name(name) => self.on_name_call(name.id.as_str(), call),
            Expr::Attribute(attribute) => {
                let method = attribute.attr.id.as_str();
                self.on_method_call(&attribute.value, method, call);
            }
            _ => {
                let what = "calls a computed callable".to_string();
                self.add(Effect::UnknownCallee, offset, what);
            }
        }
    }

    fn push_call(&mut self, callee: Callee, call: &ExprCall, bound: bool) {
        let mut args = Vec::new();
        for arg in &call.arguments.args {
            if let Expr::Starred(_) = arg {
                args.push(None);
                break;
            }
            args.push(Some(self.value(arg)));
        }
        let keywords = call
            .arguments
            .keywords
            .iter()
            .filter_map(|k| Some((k.arg.as_ref()?.id.to_string(), self.value(&k.value))))
            .collect();
        self.effects.calls.push(Call {
            callee,
            offset: call.start(),
            in_loop: self.loop_depth > 0,
            bound,
            args,
            keywords,
        });
    }

    fn on_qualified_call(&mut self, qualified: &str, call: &ExprCall) {
        let offset = call.start();
        let root = qualified.split('.').next().unwrap_or_default();
        let last = qualified.rsplit('.').next().unwrap_or_default();
        let is_tf = root == "tensorflow" || is_keras(qualified);
        if qualified == "tensorflow.Variable" {
            self.add(Effect::VariableCreation, offset, "creates a `tf.Variable`");
        } else if is_tf && creates_variables(qualified) {
            self.add(
                Effect::VariableCreation,
                offset,
                format!("creates a Keras `{last}` (and its variables)"),
            );
        } else if qualified == "tensorflow.random.set_seed"
            || qualified.starts_with("tensorflow.config.")
        {
            self.add(
                Effect::SideEffect,
                offset,
                format!("changes TensorFlow's global state (`{last}`)"),
            );
        } else if is_tf {
            if !self.has(Effect::TensorComputation) {
                self.add(Effect::TensorComputation, offset, format!("calls `{last}`"));
            }
        } else if qualified.starts_with("numpy.random.") || root == "random" {
            self.add(
                Effect::SideEffect,
                offset,
                format!(
                    "draws {} random numbers (`{qualified}`)",
                    if root == "random" { "Python" } else { "NumPy" }
                ),
            );
        } else if root == "numpy" || root == "math" {
            self.check_eager_arguments(call, &format!("`{qualified}`"));
        } else if matches!(root, "time" | "datetime") {
            self.add(
                Effect::SideEffect,
                offset,
                format!("reads the clock (`{qualified}`)"),
            );
        } else if matches!(
            root,
            "logging"
                | "os"
                | "sys"
                | "shutil"
                | "subprocess"
                | "pickle"
                | "json"
                | "pathlib"
                | "csv"
                | "socket"
                | "requests"
                | "urllib"
        ) {
            self.add(
                Effect::SideEffect,
                offset,
                format!("does I/O (`{qualified}`)"),
            );
        } else if matches!(
            root,
            "functools" | "itertools" | "operator" | "collections" | "typing" | "dataclasses"
        ) {
        } else {
            self.push_call(Callee::External(qualified.to_string()), call, false);
        }
    }

    /// NumPy, `math`, `int()`/`float()`/`bool()` on a tensor need its value.
    fn check_eager_arguments(&mut self, call: &ExprCall, callee: &str) {
        for arg in call
            .arguments
            .args
            .iter()
            .chain(call.arguments.keywords.iter().map(|k| &k.value))
        {
            match self.value(arg) {
                value if value.is_tensor_like() => {
                    self.add(
                        Effect::EagerOnly,
                        call.start(),
                        format!("passes a tensor to {callee}"),
                    );
                }
                Value::Param(index) => {
                    let what = format!("passes the tensor `{}` to {callee}", self.params[index]);
                    self.conditional(index, ParamRule::EagerIfMaybeTensor, call.start(), what);
                }
                _ => {}
            }
        }
    }

    fn on_name_call(&mut self, name: &str, call: &ExprCall) {
        let offset = call.start();
        let shadowed = self.locals.contains(name)
            || self.param_index(name).is_some()
            || self.module.globals.contains_key(name)
            || self.model.imports.is_bound(name);
        if !shadowed {
            match name {
                "print" => {
                    self.add(Effect::Print, offset, "calls `print`");
                    return;
                }
                "int" | "float" | "bool" | "complex" => {
                    if self.test_depth == 0 {
                        self.check_eager_arguments(call, &format!("`{name}()`"));
                    }
                    return;
                }
                _ if IO_BUILTINS.contains(&name) => {
                    self.add(Effect::SideEffect, offset, format!("calls `{name}`"));
                    return;
                }
                _ if PURE_BUILTINS.contains(&name) => return,
                _ => {}
            }
        }
        if let Some(class) = self
            .local_class(name)
            .filter(|_| self.param_index(name).is_none())
        {
            if self.module.tf_classes[class] {
                self.add(
                    Effect::VariableCreation,
                    offset,
                    format!("creates a `{name}` (and its variables)"),
                );
            } else if let Some(init) = self.model.method(class, "__init__") {
                self.push_call(Callee::Local(init), call, true);
            } else if let Some(base) = self.imported_base_of(class) {
                // The constructor is inherited from another module.
                self.push_call(Callee::External(format!("{base}.__init__")), call, true);
            }
            return;
        }
        match self.name_value(name) {
            Value::TfObject | Value::Tensor(_) => {
                self.add(Effect::TensorComputation, offset, format!("calls `{name}`"));
            }
            Value::Instance(class) => self.call_instance(class, "__call__", call, name),
            _ => self.add(Effect::UnknownCallee, offset, format!("calls `{name}`")),
        }
    }

    /// A call of an instance (`model(x)`) or of one of its methods.
    fn call_instance(&mut self, class: ClassRef, method: &str, call: &ExprCall, shown: &str) {
        match class {
            ClassRef::Local(class) => {
                let is_tf = self.module.tf_classes[class];
                let target = if method == "__call__" && is_tf {
                    self.model
                        .method(class, "call")
                        .or_else(|| self.model.method(class, "__call__"))
                } else {
                    self.model.method(class, method)
                };
                match target {
                    Some(id) => self.push_call(Callee::Local(id), call, true),
                    None if is_tf => {
                        self.add(
                            Effect::TensorComputation,
                            call.start(),
                            format!("calls `{shown}`"),
                        );
                    }
                    None => self.add(
                        Effect::UnknownCallee,
                        call.start(),
                        format!("calls `{shown}`"),
                    ),
                }
            }
            ClassRef::External(qualified) => {
                let name = if method == "__call__" {
                    format!("{qualified}.call")
                } else {
                    format!("{qualified}.{method}")
                };
                self.push_call(Callee::External(name), call, true);
            }
        }
    }

    fn on_method_call(&mut self, receiver: &Expr, method: &str, call: &ExprCall) {
        let offset = call.start();
        let shown = format!("{}.{method}", receiver_text(receiver));
        // Mutating a long-lived container is a side effect whatever it holds.
        if MUTATING_METHODS.contains(&method) {
            if let Some(owner) = self.long_lived_owner(receiver) {
                self.add(
                    Effect::SideEffect,
                    offset,
                    format!("mutates {owner} (`.{method}`)"),
                );
                return;
            }
        }
        if self.is_self(receiver) && !self.at_module_level() {
            if matches!(method, "add_weight" | "add_variable") {
                self.add(
                    Effect::VariableCreation,
                    offset,
                    format!("creates a variable (`{shown}`)"),
                );
            } else if let Some(base) = self.imported_base() {
                // Not defined in this module: an attribute set up in the
                // constructor, or a method inherited from the base in
                // another module (resolved, or not, against the run).
                let attribute = self
                    .class()
                    .and_then(|c| self.module.class_attributes[c].get(method));
                match attribute {
                    Some(Value::TfObject | Value::Tensor(_)) => self.add(
                        Effect::TensorComputation,
                        offset,
                        format!("calls `{shown}`"),
                    ),
                    Some(Value::Instance(class)) => {
                        self.call_instance(class.clone(), "__call__", call, &shown);
                    }
                    Some(_) => self.add(Effect::UnknownCallee, offset, format!("calls `{shown}`")),
                    None => {
                        self.push_call(Callee::External(format!("{base}.{method}")), call, true);
                    }
                }
            } else if self.is_tf_method() {
                self.add(
                    Effect::TensorComputation,
                    offset,
                    format!("calls `{shown}`"),
                );
            } else {
                self.add(Effect::UnknownCallee, offset, format!("calls `{shown}`"));
            }
            return;
        }
        match self.value(receiver) {
            Value::Tensor(_) | Value::TfObject => {
                if method == "numpy" {
                    self.add(Effect::EagerOnly, offset, "calls `.numpy()`");
                } else {
                    self.add(
                        Effect::TensorComputation,
                        offset,
                        format!("calls `{shown}`"),
                    );
                }
            }
            Value::Param(index) => {
                if method == "numpy" {
                    self.add(Effect::EagerOnly, offset, "calls `.numpy()`");
                } else {
                    self.conditional(index, ParamRule::MethodCall, offset, shown);
                }
            }
            Value::Fresh | Value::Primitive { .. } | Value::NdArray => {}
            Value::Io => self.add(Effect::SideEffect, offset, format!("does I/O (`{shown}`)")),
            Value::Instance(class) => self.call_instance(class, method, call, &shown),
            Value::Unknown => self.add(Effect::UnknownCallee, offset, format!("calls `{shown}`")),
        }
    }

    /// When `expr` (a receiver or assignment target) belongs to an object
    /// that outlives the call, the words for it ("the global `history`").
    fn long_lived_owner(&self, expr: &Expr) -> Option<String> {
        let mut root = expr;
        loop {
            root = match root {
                Expr::Attribute(attribute) => &attribute.value,
                Expr::Subscript(subscript) => &subscript.value,
                Expr::Call(call) => &call.func,
                _ => break,
            };
        }
        let Expr::Name(name) = root else {
            return None;
        };
        let name = name.id.as_str();
        let shown = receiver_text(expr);
        if Some(name) == self.self_name.as_deref() {
            return (!self.in_init).then(|| format!("`{shown}`"));
        }
        if self.at_module_level() {
            return None;
        }
        if self.param_index(name).is_some() {
            return Some(format!("the argument `{shown}`"));
        }
        if self.locals.contains(name) {
            return match self.values.get(name) {
                Some(Value::Fresh | Value::Instance(_) | Value::Primitive { .. }) => None,
                _ => Some(format!("`{shown}`, which may be shared with the caller")),
            };
        }
        if self.globals.contains(name) || self.module.globals.contains_key(name) {
            return Some(format!("the global `{shown}`"));
        }
        Some(format!("`{shown}` from an enclosing scope"))
    }

    fn on_write(&mut self, target: &Expr, value: Option<Value>) {
        let offset = target.start();
        match target {
            Expr::Name(name) => {
                let id = name.id.as_str();
                if self.at_module_level() || self.locals.contains(id) {
                    let value = value.unwrap_or(Value::Unknown);
                    let joined = match self.values.get(id) {
                        Some(previous) if !self.at_module_level() => previous.join(&value),
                        _ => value,
                    };
                    self.values.insert(id.to_string(), joined);
                } else if self.globals.contains(id) {
                    self.add(
                        Effect::StateWrite,
                        offset,
                        format!("writes to the global `{id}`"),
                    );
                } else if self.nonlocals.contains(id) {
                    self.add(
                        Effect::StateWrite,
                        offset,
                        format!("writes to the nonlocal `{id}`"),
                    );
                }
            }
            Expr::Attribute(attribute) => {
                if self.is_self(&attribute.value) {
                    // A parameter of this method means nothing in another one.
                    let stored = match &value {
                        Some(Value::Param(_)) | None => Value::Unknown,
                        Some(other) => other.clone(),
                    };
                    self.self_attributes
                        .push((attribute.attr.id.to_string(), stored));
                }
                if let Some(owner) = self.long_lived_owner(target) {
                    let effect = if self.is_self(&attribute.value)
                        || matches!(attribute.value.as_ref(), Expr::Name(n) if self.globals.contains(n.id.as_str()))
                    {
                        Effect::StateWrite
                    } else {
                        Effect::SideEffect
                    };
                    self.add(effect, offset, format!("writes to {owner}"));
                }
            }
            Expr::Subscript(_) => {
                if let Some(owner) = self.long_lived_owner(target) {
                    self.add(Effect::SideEffect, offset, format!("mutates {owner}"));
                }
            }
            Expr::Tuple(tuple) => {
                for element in &tuple.elts {
                    self.on_write(element, None);
                }
            }
            Expr::List(list) => {
                for element in &list.elts {
                    self.on_write(element, None);
                }
            }
            Expr::Starred(starred) => self.on_write(&starred.value, None),
            _ => {}
        }
    }

    /// The value each loop target takes.
    fn loop_target(&mut self, target: &Expr, iter: &Expr) {
        let counter = Value::Primitive {
            literal: None,
            varies: true,
        };
        if let Expr::Call(call) = iter {
            if let Expr::Name(name) = call.func.as_ref() {
                match name.id.as_str() {
                    "range" => return self.on_write(target, Some(counter)),
                    "enumerate" => {
                        if let Expr::Tuple(tuple) = target {
                            if let Some(first) = tuple.elts.first() {
                                self.on_write(first, Some(counter));
                            }
                            for rest in tuple.elts.iter().skip(1) {
                                self.on_write(rest, None);
                            }
                            return;
                        }
                    }
                    _ => {}
                }
            }
        }
        let element = match self.value(iter) {
            Value::Tensor(_) => Value::Tensor(TensorInfo::default()),
            Value::Param(index) => {
                let what = format!("iterates over the parameter `{}`", self.params[index]);
                self.conditional(index, ParamRule::IteratesIfTensor, iter.start(), what);
                Value::Unknown
            }
            _ => Value::Unknown,
        };
        self.on_write(target, Some(element));
    }
}

fn receiver_text(expr: &Expr) -> String {
    match expr {
        Expr::Name(name) => name.id.to_string(),
        Expr::Attribute(attribute) => {
            format!("{}.{}", receiver_text(&attribute.value), attribute.attr.id)
        }
        Expr::Subscript(subscript) => format!("{}[...]", receiver_text(&subscript.value)),
        Expr::Call(call) => format!("{}(...)", receiver_text(&call.func)),
        _ => "...".to_string(),
    }
}

fn binary_value(left: &Value, right: &Value) -> Value {
    match (left, right) {
        (a, b) if a.is_tensor_like() || b.is_tensor_like() => Value::Tensor(TensorInfo::default()),
        (Value::Primitive { varies: a, .. }, Value::Primitive { varies: b, .. }) => {
            Value::Primitive {
                literal: None,
                varies: *a || *b,
            }
        }
        (Value::NdArray, _) | (_, Value::NdArray) => Value::NdArray,
        _ => Value::Unknown,
    }
}

/// Whether calling a Keras/TF qualified name builds an object that owns
/// variables (a layer, a model, an optimizer, a metric).
fn creates_variables(qualified: &str) -> bool {
    let last = qualified.rsplit('.').next().unwrap_or_default();
    let is_class = last.chars().next().is_some_and(char::is_uppercase);
    is_class
        && is_keras(qualified)
        && (qualified.contains(".layers.")
            || qualified.contains(".optimizers.")
            || qualified.contains(".metrics.")
            || qualified.contains(".models.")
            || matches!(last, "Model" | "Sequential"))
}

fn qualified_call_value(qualified: &str, call: &ExprCall, walker: &Walker) -> Value {
    let last = qualified.rsplit('.').next().unwrap_or_default();
    let root = qualified.split('.').next().unwrap_or_default();
    if root == "tensorflow" || is_keras(qualified) {
        if last.chars().next().is_some_and(char::is_uppercase) {
            return Value::TfObject;
        }
        return Value::Tensor(tensor_info(qualified, call, walker));
    }
    if root == "numpy" {
        return if qualified.starts_with("numpy.random.default_rng") {
            Value::Unknown
        } else {
            Value::NdArray
        };
    }
    if qualified == "logging.getLogger" {
        return Value::Io;
    }
    if last.chars().next().is_some_and(char::is_uppercase) {
        return Value::Instance(ClassRef::External(qualified.to_string()));
    }
    Value::Unknown
}

/// Dtype and shape of a tensor built by a constructor whose arguments say.
fn tensor_info(qualified: &str, call: &ExprCall, walker: &Walker) -> TensorInfo {
    let dtype_keyword = call
        .arguments
        .find_keyword("dtype")
        .and_then(|k| walker.model.imports.resolve(&k.value))
        .and_then(|q| q.strip_prefix("tensorflow.").map(str::to_string));
    let first = call.arguments.args.first();
    match qualified.strip_prefix("tensorflow.").unwrap_or_default() {
        "constant" | "convert_to_tensor" => {
            let (shape, dtype) = first.map_or((None, None), literal_shape);
            TensorInfo {
                dtype: dtype_keyword.or(dtype.map(str::to_string)),
                shape,
            }
        }
        "zeros"
        | "ones"
        | "fill"
        | "random.normal"
        | "random.uniform"
        | "random.truncated_normal" => TensorInfo {
            dtype: dtype_keyword.or(Some("float32".to_string())),
            shape: first.and_then(shape_argument),
        },
        _ => TensorInfo {
            dtype: dtype_keyword,
            shape: None,
        },
    }
}

/// The shape and dtype of a nested list literal of numbers.
fn literal_shape(expr: &Expr) -> (Option<Vec<Option<i64>>>, Option<&'static str>) {
    match expr {
        Expr::NumberLiteral(number) => (
            Some(Vec::new()),
            Some(match number.value {
                Number::Int(_) => "int32",
                _ => "float32",
            }),
        ),
        Expr::BooleanLiteral(_) => (Some(Vec::new()), Some("bool")),
        Expr::List(ruff_python_ast::ExprList { elts, .. })
        | Expr::Tuple(ruff_python_ast::ExprTuple { elts, .. }) => {
            let Some(first) = elts.first() else {
                return (Some(vec![Some(0)]), None);
            };
            let (inner, mut dtype) = literal_shape(first);
            let mut inner = inner;
            for element in elts.iter().skip(1) {
                let (other, other_dtype) = literal_shape(element);
                if other != inner {
                    inner = None;
                }
                if other_dtype == Some("float32") {
                    dtype = other_dtype;
                }
            }
            let shape = inner.map(|mut dims| {
                dims.insert(0, i64::try_from(elts.len()).ok());
                dims
            });
            (shape, dtype)
        }
        _ => (None, None),
    }
}

/// A shape written as a list or tuple of integer literals.
fn shape_argument(expr: &Expr) -> Option<Vec<Option<i64>>> {
    let elts = match expr {
        Expr::List(list) => &list.elts,
        Expr::Tuple(tuple) => &tuple.elts,
        _ => return None,
    };
    Some(
        elts.iter()
            .map(|element| match element {
                Expr::NumberLiteral(number) => number.value.as_int().and_then(|i| i.as_i64()),
                _ => None,
            })
            .collect(),
    )
}

impl<'a> Visitor<'a> for Walker<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            // Nested functions and classes are analysed on their own; their
            // names are local bindings here.
            Stmt::FunctionDef(def) => {
                for decorator in &def.decorator_list {
                    self.visit_expr(&decorator.expression);
                }
                if !self.at_module_level() {
                    self.values.insert(def.name.id.to_string(), Value::Unknown);
                }
            }
            Stmt::ClassDef(_) => {}
            Stmt::Assign(assign) => {
                self.visit_expr(&assign.value);
                let value = self.value(&assign.value);
                for target in &assign.targets {
                    self.visit_target(target);
                    self.on_write(target, Some(value.clone()));
                }
            }
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value {
                    self.visit_expr(value);
                    let value = self.value(value);
                    self.visit_target(&assign.target);
                    self.on_write(&assign.target, Some(value));
                }
            }
            Stmt::AugAssign(assign) => {
                self.visit_expr(&assign.value);
                let left = self.value(&assign.target);
                let right = self.value(&assign.value);
                self.arithmetic(&assign.target, &assign.value, assign.start());
                self.visit_target(&assign.target);
                self.on_write(&assign.target, Some(binary_value(&left, &right)));
            }
            Stmt::Delete(delete) => {
                for target in &delete.targets {
                    self.visit_target(target);
                    self.on_write(target, None);
                }
            }
            Stmt::For(for_stmt) => {
                self.visit_expr(&for_stmt.iter);
                self.loop_target(&for_stmt.target, &for_stmt.iter);
                self.loop_depth += 1;
                self.visit_body(&for_stmt.body);
                self.loop_depth -= 1;
                self.visit_body(&for_stmt.orelse);
            }
            Stmt::While(while_stmt) => {
                self.test_depth += 1;
                self.visit_expr(&while_stmt.test);
                self.test_depth -= 1;
                self.loop_depth += 1;
                self.visit_body(&while_stmt.body);
                self.loop_depth -= 1;
                self.visit_body(&while_stmt.orelse);
            }
            Stmt::If(if_stmt) => {
                self.test_depth += 1;
                self.visit_expr(&if_stmt.test);
                self.test_depth -= 1;
                self.visit_body(&if_stmt.body);
                for clause in &if_stmt.elif_else_clauses {
                    if let Some(test) = &clause.test {
                        self.test_depth += 1;
                        self.visit_expr(test);
                        self.test_depth -= 1;
                    }
                    self.visit_body(&clause.body);
                }
            }
            Stmt::With(with) => {
                for item in &with.items {
                    self.visit_expr(&item.context_expr);
                    if let Some(vars) = &item.optional_vars {
                        let value = self.value(&item.context_expr);
                        self.on_write(vars, Some(value));
                    }
                }
                self.visit_body(&with.body);
            }
            Stmt::Import(_) | Stmt::ImportFrom(_) if !self.at_module_level() => {}
            _ => walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Lambda(_) => {}
            Expr::Call(call) => {
                self.on_call(call);
                walk_expr(self, expr);
            }
            Expr::Yield(_) | Expr::YieldFrom(_) => {
                if self.effects.generator.is_none() && !self.at_module_level() {
                    self.effects.generator = Some(expr.start());
                }
                walk_expr(self, expr);
            }
            Expr::BinOp(binop) => {
                self.arithmetic(&binop.left, &binop.right, binop.start());
                walk_expr(self, expr);
            }
            Expr::If(if_expr) => {
                self.test_depth += 1;
                self.visit_expr(&if_expr.test);
                self.test_depth -= 1;
                self.visit_expr(&if_expr.body);
                self.visit_expr(&if_expr.orelse);
            }
            Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::Generator(_) => {
                let generators = match expr {
                    Expr::ListComp(c) => &c.generators,
                    Expr::SetComp(c) => &c.generators,
                    Expr::DictComp(c) => &c.generators,
                    Expr::Generator(c) => &c.generators,
                    _ => unreachable!("matched above"),
                };
                // Comprehension variables are local to the comprehension.
                for generator in generators {
                    let mut names = LocalNames::default();
                    names.bind(&generator.target);
                    self.locals.extend(names.assigned);
                    self.loop_target(&generator.target, &generator.iter);
                }
                self.loop_depth += 1;
                walk_expr(self, expr);
                self.loop_depth -= 1;
            }
            _ => walk_expr(self, expr),
        }
    }
}

impl Walker<'_, '_> {
    /// Visits the expressions inside an assignment target (subscripts,
    /// receivers) without treating the target itself as a read.
    fn visit_target(&mut self, target: &Expr) {
        match target {
            Expr::Attribute(attribute) => self.visit_expr_any(&attribute.value),
            Expr::Subscript(subscript) => {
                self.visit_expr_any(&subscript.value);
                self.visit_expr_any(&subscript.slice);
            }
            Expr::Tuple(tuple) => tuple.elts.iter().for_each(|e| self.visit_target(e)),
            Expr::List(list) => list.elts.iter().for_each(|e| self.visit_target(e)),
            _ => {}
        }
    }

    fn visit_expr_any(&mut self, expr: &Expr) {
        // SAFETY of lifetimes: the visitor only reads the expression.
        let mut calls = CallsIn::default();
        calls.visit_expr(expr);
        for call in calls.calls {
            self.on_call(call);
        }
    }

    fn arithmetic(&mut self, left: &Expr, right: &Expr, offset: TextSize) {
        for side in [left, right] {
            match self.value(side) {
                value if value.is_tensor_like() => {
                    self.add(Effect::TensorComputation, offset, "computes with tensors");
                }
                Value::Param(index) => {
                    let what = format!("computes with `{}`", self.params[index]);
                    self.conditional(index, ParamRule::TensorIfTensor, offset, what);
                }
                _ => {}
            }
        }
    }
}

/// Calls inside an expression (used for assignment targets).
#[derive(Default)]
struct CallsIn<'a> {
    calls: Vec<&'a ExprCall>,
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
struct LocalNames {
    assigned: HashSet<String>,
    globals: HashSet<String>,
    nonlocals: HashSet<String>,
}

impl LocalNames {
    fn bind(&mut self, target: &Expr) {
        match target {
            Expr::Name(name) => {
                self.assigned.insert(name.id.to_string());
            }
            Expr::Tuple(tuple) => tuple.elts.iter().for_each(|e| self.bind(e)),
            Expr::List(list) => list.elts.iter().for_each(|e| self.bind(e)),
            Expr::Starred(starred) => self.bind(&starred.value),
            _ => {}
        }
    }
}

impl<'a> Visitor<'a> for LocalNames {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                self.assigned.insert(def.name.id.to_string());
                return;
            }
            Stmt::ClassDef(def) => {
                self.assigned.insert(def.name.id.to_string());
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
                    self.assigned.insert(first.to_string());
                }
            }
            Stmt::ImportFrom(import) => {
                for alias in &import.names {
                    let name = alias.asname.as_ref().unwrap_or(&alias.name);
                    self.assigned.insert(name.id.to_string());
                }
            }
            Stmt::Global(global) => {
                for name in &global.names {
                    self.globals.insert(name.id.to_string());
                }
            }
            Stmt::Nonlocal(nonlocal) => {
                for name in &global_names(nonlocal) {
                    self.nonlocals.insert(name.clone());
                }
            }
            _ => {}
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
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

fn global_names(nonlocal: &ruff_python_ast::StmtNonlocal) -> Vec<String> {
    nonlocal.names.iter().map(|n| n.id.to_string()).collect()
}

/// The range of a function's name, where its findings point.
pub fn name_range(model: &SemanticModel, id: FunctionId) -> TextRange {
    model.functions[id].def.name.range()
}
