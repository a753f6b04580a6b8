//! Direct effects of each function: what its own body does, with the
//! culprit's position, and the calls it makes (with the abstract values of
//! their arguments). Effects of callees are added later, by propagation
//! through the call graph ([`super::propagate`]).
//!
//! The walk is flow-insensitive and conservative: a call it cannot classify
//! is an unknown callee, never a pure one.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use ruff_python_ast::name::Name;
use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ExprBinOp, ExprCall, Number, Operator, Stmt, UnaryOp};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::kinds::{ClassRef, Dim, Structure, TensorInfo, Value};
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
}

impl DirectEffects {
    pub fn culprit(&self, effect: Effect) -> Option<&Culprit> {
        self.culprits.iter().find(|c| c.effect == effect)
    }
}

/// Methods that mutate the container (or stream) they are called on.
fn is_mutating_method(name: &str) -> bool {
    // A `match`, not a search of a slice: compiled to comparisons with
    // each name's length and bytes.
    matches!(
        name,
        "append"
            | "extend"
            | "insert"
            | "pop"
            | "remove"
            | "clear"
            | "update"
            | "setdefault"
            | "popitem"
            | "add"
            | "discard"
            | "sort"
            | "reverse"
            | "write"
            | "writelines"
            | "put"
            | "appendleft"
            | "extendleft"
            | "__setitem__"
    )
}

/// Builtins that compute a value and touch nothing else.
fn is_pure_builtin(name: &str) -> bool {
    // A `match`, not a search of a slice: compiled to comparisons with
    // each name's length and bytes.
    matches!(
        name,
        "len"
            | "range"
            | "zip"
            | "enumerate"
            | "isinstance"
            | "issubclass"
            | "min"
            | "max"
            | "abs"
            | "sum"
            | "round"
            | "list"
            | "tuple"
            | "dict"
            | "set"
            | "frozenset"
            | "sorted"
            | "reversed"
            | "any"
            | "all"
            | "str"
            | "repr"
            | "type"
            | "super"
            | "hasattr"
            | "getattr"
            | "callable"
            | "divmod"
            | "pow"
            | "slice"
            | "iter"
            | "next"
            | "map"
            | "filter"
            | "format"
            | "hash"
            | "object"
            | "NotImplementedError"
            | "ValueError"
            | "TypeError"
            | "RuntimeError"
            | "KeyError"
            | "IndexError"
            | "AssertionError"
            | "Exception"
            | "StopIteration"
    )
}

/// Builtins with effects outside the program.
fn is_io_builtin(name: &str) -> bool {
    // A `match`, not a search of a slice: compiled to comparisons with
    // each name's length and bytes.
    matches!(
        name,
        "open"
            | "input"
            | "exec"
            | "eval"
            | "exit"
            | "quit"
            | "breakpoint"
            | "setattr"
            | "delattr"
            | "globals"
            | "compile"
            | "__import__"
    )
}

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
// Not inlined into its caller, so that profiles show what it costs.
#[inline(never)]
pub fn analyse(model: &SemanticModel) -> (Vec<DirectEffects>, Vec<Call>, ModuleValues) {
    let mut first_class: HashMap<&str, ClassId> = HashMap::default();
    let mut last_class: HashMap<&str, ClassId> = HashMap::default();
    for (id, class) in model.classes.iter().enumerate() {
        first_class.entry(class.def.name.id.as_str()).or_insert(id);
        last_class.insert(class.def.name.id.as_str(), id);
    }
    let tables = ModuleTables {
        call_targets: model
            .functions
            .iter()
            .flat_map(|f| &f.calls)
            .chain(&model.module_calls)
            .filter_map(|site| site.callee.map(|callee| (site.range.start(), callee)))
            .collect(),
        last_class,
    };
    let tf_classes = (0..model.classes.len())
        .map(|id| is_tf_class(model, &first_class, id, &mut Vec::new()))
        .collect();
    let mut values = ModuleValues {
        globals: HashMap::default(),
        class_attributes: vec![HashMap::default(); model.classes.len()],
        tf_classes,
    };
    // Module level first: it gives the globals' values that functions read.
    let mut module = Walker::new(model, &values, &tables, None);
    module.visit_body(model.module_body());
    let module_calls = std::mem::take(&mut module.effects.calls);
    values.globals = module
        .values
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect();
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
        let mut walker = Walker::new(model, &values, &tables, Some(id));
        walker.self_attributes = Some(Vec::new());
        walker.visit_body(&function.def.body);
        let attributes = walker.self_attributes.unwrap_or_default();
        for (name, value) in attributes {
            let slot = &mut values.class_attributes[class];
            let joined = match slot.get(name) {
                Some(previous) => previous.join(&value),
                None => value,
            };
            slot.insert(name.to_string(), joined);
        }
    }
    // The functions are walked one after another: each walker's tables are
    // cleared and handed to the next rather than allocated again.
    let mut scratch = Scratch::default();
    let effects = (0..model.functions.len())
        .map(|id| {
            let mut walker =
                Walker::with_scratch(model, &values, &tables, Some(id), scratch.take());
            walker.visit_body(&model.functions[id].def.body);
            let effects = std::mem::take(&mut walker.effects);
            scratch = walker.into_scratch();
            effects
        })
        .collect();
    (effects, module_calls, values)
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

/// A walker's name tables (empty), passed from one walker to the next.
#[derive(Default)]
struct Scratch<'a> {
    locals: HashSet<&'a str>,
    globals: HashSet<&'a str>,
    nonlocals: HashSet<&'a str>,
    values: HashMap<&'a str, Value>,
    text: String,
}

impl Scratch<'_> {
    fn take(&mut self) -> Self {
        std::mem::take(self)
    }
}

/// Found once per module and read by every walker.
struct ModuleTables<'a> {
    /// The function each call resolved to, by the call's start.
    call_targets: HashMap<TextSize, FunctionId>,
    /// The last class of the module with each name.
    last_class: HashMap<&'a str, ClassId>,
}

struct Walker<'m, 'a> {
    model: &'m SemanticModel<'a>,
    module: &'m ModuleValues,
    tables: &'m ModuleTables<'a>,
    function: Option<FunctionId>,
    /// The name of `self` in a method, and whether this is `__init__` (where
    /// `self` is a fresh object).
    self_name: Option<&'a str>,
    in_init: bool,
    /// [`Walker::imported_base`], found once.
    imported_base: std::cell::OnceCell<Option<&'m str>>,
    /// Names assigned in this function (Python makes them local).
    locals: HashSet<&'a str>,
    globals: HashSet<&'a str>,
    nonlocals: HashSet<&'a str>,
    values: HashMap<&'a str, Value>,
    /// What this method assigns to `self.<attr>`, when asked for (in the
    /// constructors of the attributes pass).
    self_attributes: Option<Vec<(&'a str, Value)>>,
    loop_depth: usize,
    test_depth: usize,
    /// How many statements enclose the one being walked (1 at the top of
    /// the body).
    stmt_depth: usize,
    depth: std::cell::Cell<u32>,
    /// Where culprits and conditionals are put into words.
    text: String,
    effects: DirectEffects,
}

impl<'m, 'a> Walker<'m, 'a> {
    fn new(
        model: &'m SemanticModel<'a>,
        module: &'m ModuleValues,
        tables: &'m ModuleTables<'a>,
        function: Option<FunctionId>,
    ) -> Self {
        Self::with_scratch(model, module, tables, function, Scratch::default())
    }

    /// [`Walker::new`], with tables left over from another walker.
    fn with_scratch(
        model: &'m SemanticModel<'a>,
        module: &'m ModuleValues,
        tables: &'m ModuleTables<'a>,
        function: Option<FunctionId>,
        scratch: Scratch<'a>,
    ) -> Self {
        let Scratch {
            locals,
            globals,
            nonlocals,
            values,
            text,
        } = scratch;
        let mut walker = Self {
            model,
            module,
            tables,
            function,
            self_name: None,
            in_init: false,
            imported_base: std::cell::OnceCell::new(),
            locals,
            globals,
            nonlocals,
            values,
            self_attributes: None,
            loop_depth: 0,
            test_depth: 0,
            stmt_depth: 0,
            depth: std::cell::Cell::new(0),
            text,
            effects: DirectEffects::default(),
        };
        if let Some(id) = function {
            let function = &model.functions[id];
            let def = function.def;
            let mut names = def
                .parameters
                .iter_non_variadic_params()
                .map(|p| p.parameter.name.id.as_str())
                .peekable();
            let is_static = def
                .decorator_list
                .iter()
                .any(|d| matches!(&d.expression, Expr::Name(n) if n.id.as_str() == "staticmethod"));
            if function.class.is_some() && !is_static && names.peek().is_some() {
                walker.self_name = names.next();
                walker.in_init = def.name.id.as_str() == "__init__";
            }
            walker.effects.params = names.map(str::to_string).collect();
            let mut collector = LocalNames {
                assigned: std::mem::take(&mut walker.locals),
                globals: std::mem::take(&mut walker.globals),
                nonlocals: std::mem::take(&mut walker.nonlocals),
                walrus: model.has_walrus,
            };
            // About one name per statement: room without regrowth.
            collector.assigned.reserve(def.body.len());
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

    /// The walker's tables, emptied, for the next walker.
    fn into_scratch(self) -> Scratch<'a> {
        let mut scratch = Scratch {
            locals: self.locals,
            globals: self.globals,
            nonlocals: self.nonlocals,
            values: self.values,
            text: self.text,
        };
        scratch.locals.clear();
        scratch.globals.clear();
        scratch.nonlocals.clear();
        scratch.values.clear();
        scratch
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
        *self
            .imported_base
            .get_or_init(|| self.imported_base_of(self.class()?))
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

    /// Keeps the first culprit of each effect; `what` is put into words only
    /// when it is kept.
    fn add(&mut self, effect: Effect, offset: TextSize, what: impl std::fmt::Display) {
        if !self.has(effect) {
            let what = self.words(what);
            self.effects.culprits.push(Culprit {
                effect,
                offset,
                what,
            });
        }
    }

    /// `what` written out. It is written into a buffer kept from one call
    /// to the next, so that the string is allocated once, at its length,
    /// rather than grown while it is written.
    fn words(&mut self, what: impl std::fmt::Display) -> String {
        use std::fmt::Write as _;
        self.text.clear();
        let _ = write!(self.text, "{what}");
        self.text.as_str().into()
    }

    /// Whether `effect` needs no more culprits (one is kept per effect), so
    /// that hot paths skip formatting another.
    fn has(&self, effect: Effect) -> bool {
        self.at_module_level() || self.effects.culprit(effect).is_some()
    }

    fn conditional(
        &mut self,
        param: usize,
        rule: ParamRule,
        offset: TextSize,
        what: impl std::fmt::Display,
    ) {
        if !self.at_module_level() {
            let what = self.words(what);
            self.effects.conditionals.push(Conditional {
                param,
                rule,
                offset,
                what,
            });
        }
    }

    /// A [`Walker::conditional`] whose words name the parameter:
    /// `before`, the parameter's name, `after`.
    fn param_conditional(
        &mut self,
        param: usize,
        rule: ParamRule,
        offset: TextSize,
        before: &str,
        after: impl std::fmt::Display,
    ) {
        if !self.at_module_level() {
            use std::fmt::Write as _;
            self.text.clear();
            self.text.push_str(before);
            self.text.push_str(&self.effects.params[param]);
            let _ = write!(self.text, "{after}");
            self.effects.conditionals.push(Conditional {
                param,
                rule,
                offset,
                what: self.text.as_str().into(),
            });
        }
    }

    fn param_index(&self, name: &str) -> Option<usize> {
        self.effects.params.iter().position(|p| p == name)
    }

    fn is_self(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Name(n) if Some(n.id.as_str()) == self.self_name)
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
                    // What `Int`'s `Display` writes, without the formatter.
                    Number::Int(int) => int
                        .as_u64()
                        .map_or_else(|| int.to_string(), |n| n.to_string()),
                    Number::Float(float) => float.to_string(),
                    Number::Complex { real, imag } => format!("{real}+{imag}j"),
                }),
                varies: false,
            },
            Expr::StringLiteral(string) => Value::Primitive {
                literal: Some(debug_quoted(string.value.to_str())),
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
                if let Some(is_tf) = self.model.imports.with_resolved(expr, |qualified| {
                    qualified.starts_with("tensorflow.") || is_keras(qualified)
                }) {
                    return if is_tf {
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
                        // Other methods (or other code) may assign it anew.
                        return forget_shape(value.clone());
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
                match binary_value(&left, &right) {
                    Value::Tensor(_) => Value::Tensor(elementwise(binop, &left, &right)),
                    value => value,
                }
            }
            Expr::UnaryOp(unary) => match self.value(&unary.operand) {
                // `not` asks for a truth value; the others keep dtype and shape.
                Value::Tensor(_) if unary.op == UnaryOp::Not => {
                    Value::Tensor(TensorInfo::default())
                }
                value => value,
            },
            Expr::Subscript(subscript) => match self.value(&subscript.value) {
                Value::Tensor(_) => Value::Tensor(TensorInfo::default()),
                Value::TfObject => Value::TfObject,
                Value::NdArray(_) => Value::NdArray(None),
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
            // Its last module-level value; a call may come before that.
            return forget_shape(value.clone());
        }
        Value::Unknown
    }

    /// The value a call returns, without recording its effects.
    fn call_value(&self, call: &ExprCall) -> Value {
        if let Some(value) = self.model.imports.with_resolved(&call.func, |qualified| {
            qualified_call_value(qualified, call, self)
        }) {
            return value;
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
                Value::Tensor(TensorInfo {
                    element: Some(element),
                    ..
                }) => Value::Tensor(TensorInfo {
                    element: dataset_method_element(&element, attribute.attr.id.as_str())
                        .map(Box::new),
                    ..TensorInfo::default()
                }),
                Value::Tensor(_) | Value::TfObject => match attribute.attr.id.as_str() {
                    "numpy" => Value::NdArray(None),
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
        self.tables.last_class.get(name).copied()
    }

    /// Records what a call does.
    fn on_call(&mut self, call: &ExprCall) {
        let offset = call.start();
        if let Some(&callee) = self.tables.call_targets.get(&offset) {
            let bound = matches!(call.func.as_ref(), Expr::Attribute(_))
                && self.model.functions[callee].class.is_some();
            self.push_call(Callee::Local(callee), call, bound);
            return;
        }
        if self
            .model
            .imports
            .with_resolved(&call.func, |qualified| {
                self.on_qualified_call(qualified, call);
            })
            .is_some()
        {
            return;
        }
        match call.func.as_ref() {
            Expr::Name(name) => self.on_name_call(name.id.as_str(), call),
            Expr::Attribute(attribute) => {
                let method = attribute.attr.id.as_str();
                self.on_method_call(&attribute.value, method, call);
            }
            _ => self.add(Effect::UnknownCallee, offset, "calls a computed callable"),
        }
    }

    fn push_call(&mut self, callee: Callee, call: &ExprCall, bound: bool) {
        let mut args = Vec::with_capacity(call.arguments.args.len());
        for arg in &call.arguments.args {
            if let Expr::Starred(_) = arg {
                args.push(None);
                break;
            }
            args.push(Some(self.argument_value(arg)));
        }
        let keywords = call
            .arguments
            .keywords
            .iter()
            .filter_map(|k| Some((k.arg.as_ref()?.id.clone(), self.argument_value(&k.value))))
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

    /// The value of a call argument: a tuple, list or dict built right there
    /// of tensors and arrays of known kind keeps its structure.
    fn argument_value(&self, arg: &Expr) -> Value {
        match self.value(arg) {
            Value::Fresh => self
                .structure(arg, 0)
                .map_or(Value::Fresh, |s| Value::Structure(Box::new(s))),
            value => value,
        }
    }

    /// The structure `tf.function` sees in a literal argument, when every
    /// leaf is a tensor or an array of known kind.
    fn structure(&self, expr: &Expr, depth: usize) -> Option<Structure> {
        if depth > 4 {
            return None;
        }
        let all = |elts: &[Expr]| -> Option<Vec<Structure>> {
            if elts.is_empty() {
                return None;
            }
            elts.iter().map(|e| self.structure(e, depth + 1)).collect()
        };
        match expr {
            Expr::Tuple(tuple) => all(&tuple.elts).map(Structure::Tuple),
            Expr::List(list) => all(&list.elts).map(Structure::List),
            Expr::Dict(dict) => {
                let mut items = Vec::with_capacity(dict.items.len());
                for item in &dict.items {
                    let Some(Expr::StringLiteral(key)) = &item.key else {
                        return None;
                    };
                    let value = self.structure(&item.value, depth + 1)?;
                    items.push((key.value.to_str().to_string(), value));
                }
                items.sort_by(|a, b| a.0.cmp(&b.0));
                if items.is_empty() || items.windows(2).any(|w| w[0].0 == w[1].0) {
                    return None;
                }
                Some(Structure::Dict(items))
            }
            _ => match self.value(expr) {
                Value::Tensor(info) => Some(Structure::Leaf(info)),
                Value::NdArray(Some(info)) => Some(Structure::Leaf(*info)),
                _ => None,
            },
        }
    }

    /// What each element of `tf.data.Dataset.from_tensor_slices(arg)` is:
    /// every tensor (or array) of `arg` without its first dimension, in
    /// `arg`'s tuple or dict structure. A list is one tensor to TensorFlow,
    /// not a structure, so a list literal gives nothing.
    fn slices_element(&self, call: &ExprCall) -> Option<Structure> {
        if call.arguments.args.len() != 1 || !call.arguments.keywords.is_empty() {
            return None;
        }
        let arg = &call.arguments.args[0];
        let whole = match arg {
            Expr::Tuple(_) | Expr::Dict(_) => self.structure(arg, 0)?,
            Expr::List(_) => return None,
            _ => match self.value(arg) {
                Value::Tensor(info) if info.element.is_none() => Structure::Leaf(info),
                Value::NdArray(Some(info)) => Structure::Leaf(*info),
                _ => return None,
            },
        };
        sliced(&whole)
    }

    fn on_qualified_call(&mut self, qualified: &str, call: &ExprCall) {
        let offset = call.start();
        // Found only where a branch needs them.
        let last = || last_segment(qualified);
        let is_tf = qualified == "tensorflow"
            || qualified.starts_with("tensorflow.")
            || is_keras(qualified);
        if qualified == "tensorflow.Variable" {
            self.add(Effect::VariableCreation, offset, "creates a `tf.Variable`");
            return;
        }
        if is_tf && creates_variables(qualified) {
            self.add(
                Effect::VariableCreation,
                offset,
                format_args!("creates a Keras `{}` (and its variables)", last()),
            );
            return;
        }
        if qualified == "tensorflow.random.set_seed" || qualified.starts_with("tensorflow.config.")
        {
            self.add(
                Effect::SideEffect,
                offset,
                format_args!("changes TensorFlow's global state (`{}`)", last()),
            );
            return;
        }
        if is_tf {
            if !self.has(Effect::TensorComputation) {
                self.add(
                    Effect::TensorComputation,
                    offset,
                    format_args!("calls `{}`", last()),
                );
            }
            return;
        }
        let root = root_segment(qualified);
        if qualified.starts_with("numpy.random.") || root == "random" {
            self.add(
                Effect::SideEffect,
                offset,
                format_args!(
                    "draws {} random numbers (`{qualified}`)",
                    if root == "random" { "Python" } else { "NumPy" }
                ),
            );
        } else if root == "numpy" || root == "math" {
            self.check_eager_arguments(call, &format_args!("`{qualified}`"));
        } else if matches!(root, "time" | "datetime") {
            self.add(
                Effect::SideEffect,
                offset,
                format_args!("reads the clock (`{qualified}`)"),
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
                format_args!("does I/O (`{qualified}`)"),
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
    fn check_eager_arguments(&mut self, call: &ExprCall, callee: &dyn std::fmt::Display) {
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
                        format_args!("passes a tensor to {callee}"),
                    );
                }
                Value::Param(index) => {
                    self.param_conditional(
                        index,
                        ParamRule::EagerIfMaybeTensor,
                        call.start(),
                        "passes the tensor `",
                        format_args!("` to {callee}"),
                    );
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
                        self.check_eager_arguments(call, &format_args!("`{name}()`"));
                    }
                    return;
                }
                _ if is_io_builtin(name) => {
                    self.add(Effect::SideEffect, offset, format_args!("calls `{name}`"));
                    return;
                }
                _ if is_pure_builtin(name) => return,
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
                    format_args!("creates a `{name}` (and its variables)"),
                );
            } else if let Some(init) = self.model.method(class, "__init__") {
                self.push_call(Callee::Local(init), call, true);
            } else if let Some(base) = self.imported_base_of(class) {
                // The constructor is inherited from another module.
                let name = crate::names::concat(&[base, ".__init__"]);
                self.push_call(Callee::External(name), call, true);
            }
            return;
        }
        match self.name_value(name) {
            Value::TfObject | Value::Tensor(_) => {
                self.add(
                    Effect::TensorComputation,
                    offset,
                    format_args!("calls `{name}`"),
                );
            }
            Value::Instance(class) => self.call_instance(class, "__call__", call, name),
            _ => self.add(
                Effect::UnknownCallee,
                offset,
                format_args!("calls `{name}`"),
            ),
        }
    }

    /// A call of an instance (`model(x)`) or of one of its methods.
    fn call_instance(
        &mut self,
        class: ClassRef,
        method: &str,
        call: &ExprCall,
        shown: impl std::fmt::Display,
    ) {
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
                            format_args!("calls `{shown}`"),
                        );
                    }
                    None => self.add(
                        Effect::UnknownCallee,
                        call.start(),
                        format_args!("calls `{shown}`"),
                    ),
                }
            }
            ClassRef::External(qualified) => {
                let method = if method == "__call__" { "call" } else { method };
                let name = crate::names::concat(&[&qualified, ".", method]);
                self.push_call(Callee::External(name), call, true);
            }
        }
    }

    fn on_method_call(&mut self, receiver: &Expr, method: &str, call: &ExprCall) {
        let offset = call.start();
        let shown = MethodText(receiver, method);
        // Mutating a long-lived container is a side effect whatever it holds.
        if is_mutating_method(method) {
            if let Some(owner) = self.long_lived_owner(receiver) {
                self.add(
                    Effect::SideEffect,
                    offset,
                    format_args!("mutates {owner} (`.{method}`)"),
                );
                return;
            }
        }
        if self.is_self(receiver) && !self.at_module_level() {
            if matches!(method, "add_weight" | "add_variable") {
                self.add(
                    Effect::VariableCreation,
                    offset,
                    format_args!("creates a variable (`{shown}`)"),
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
                        format_args!("calls `{shown}`"),
                    ),
                    Some(Value::Instance(class)) => {
                        self.call_instance(class.clone(), "__call__", call, shown);
                    }
                    Some(_) => self.add(
                        Effect::UnknownCallee,
                        offset,
                        format_args!("calls `{shown}`"),
                    ),
                    None => {
                        let name = crate::names::concat(&[base, ".", method]);
                        self.push_call(Callee::External(name), call, true);
                    }
                }
            } else if self.is_tf_method() {
                self.add(
                    Effect::TensorComputation,
                    offset,
                    format_args!("calls `{shown}`"),
                );
            } else {
                self.add(
                    Effect::UnknownCallee,
                    offset,
                    format_args!("calls `{shown}`"),
                );
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
                        format_args!("calls `{shown}`"),
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
            Value::Fresh | Value::Primitive { .. } | Value::NdArray(_) | Value::Structure(_) => {}
            Value::Io => self.add(
                Effect::SideEffect,
                offset,
                format_args!("does I/O (`{shown}`)"),
            ),
            Value::Instance(class) => self.call_instance(class, method, call, shown),
            Value::Unknown => self.add(
                Effect::UnknownCallee,
                offset,
                format_args!("calls `{shown}`"),
            ),
        }
    }

    /// When `expr` (a receiver or assignment target) belongs to an object
    /// that outlives the call, the words for it ("the global `history`").
    fn long_lived_owner<'e>(&self, expr: &'e Expr) -> Option<Owner<'e>> {
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
        let shown = ReceiverText(expr);
        if Some(name) == self.self_name {
            return (!self.in_init).then_some(Owner::SelfAttribute(shown));
        }
        if self.at_module_level() {
            return None;
        }
        if self.param_index(name).is_some() {
            return Some(Owner::Argument(shown));
        }
        if self.locals.contains(name) {
            return match self.values.get(name) {
                Some(Value::Fresh | Value::Instance(_) | Value::Primitive { .. }) => None,
                _ => Some(Owner::Local(shown)),
            };
        }
        if self.globals.contains(name) || self.module.globals.contains_key(name) {
            return Some(Owner::Global(shown));
        }
        Some(Owner::Enclosing(shown))
    }

    fn on_write(&mut self, target: &'a Expr, value: Option<Value>) {
        let offset = target.start();
        match target {
            Expr::Name(name) => {
                let id = name.id.as_str();
                if self.at_module_level() || self.locals.contains(id) {
                    let value = value.unwrap_or(Value::Unknown);
                    let module_level = self.at_module_level();
                    let stmt_depth = self.stmt_depth;
                    // One look-up, whether the name was written before or not.
                    let previous = match self.values.entry(id) {
                        std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
                        std::collections::hash_map::Entry::Vacant(entry) => {
                            entry.insert(value);
                            return;
                        }
                    };
                    *previous = match &*previous {
                        previous if !module_level => previous.join(&value),
                        // A module-level write under a condition or in a
                        // loop may not happen: what is known of a tensor's
                        // dtype and shape must hold for the old value too.
                        previous if stmt_depth > 1 => match (previous, value) {
                            (Value::Tensor(a), Value::Tensor(b)) => Value::Tensor(a.join(&b)),
                            (previous @ Value::NdArray(_), value @ Value::NdArray(_)) => {
                                previous.join(&value)
                            }
                            (_, value) => forget_shape(value),
                        },
                        _ => value,
                    };
                } else if self.globals.contains(id) {
                    self.add(
                        Effect::StateWrite,
                        offset,
                        format_args!("writes to the global `{id}`"),
                    );
                } else if self.nonlocals.contains(id) {
                    self.add(
                        Effect::StateWrite,
                        offset,
                        format_args!("writes to the nonlocal `{id}`"),
                    );
                }
            }
            Expr::Attribute(attribute) => {
                if self.self_attributes.is_some() && self.is_self(&attribute.value) {
                    // A parameter of this method means nothing in another one.
                    let stored = match &value {
                        Some(Value::Param(_)) | None => Value::Unknown,
                        Some(other) => other.clone(),
                    };
                    if let Some(attributes) = &mut self.self_attributes {
                        attributes.push((attribute.attr.id.as_str(), stored));
                    }
                }
                if let Some(owner) = self.long_lived_owner(target) {
                    let effect = if self.is_self(&attribute.value)
                        || matches!(attribute.value.as_ref(), Expr::Name(n) if self.globals.contains(n.id.as_str()))
                    {
                        Effect::StateWrite
                    } else {
                        Effect::SideEffect
                    };
                    self.add(effect, offset, format_args!("writes to {owner}"));
                }
            }
            Expr::Subscript(_) => {
                if let Some(owner) = self.long_lived_owner(target) {
                    self.add(Effect::SideEffect, offset, format_args!("mutates {owner}"));
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

    /// Before a loop body: a name the body assigns may carry the value of
    /// the previous iteration into a read before the assignment, so what is
    /// known of its tensor's dtype and shape no longer holds.
    fn forget_loop_carried(&mut self, body: &'a [Stmt]) {
        // Nothing to forget when no value knows a shape; but asking costs
        // as many names as the function has, per loop: past a few dozen,
        // walking the loop's body is the cheaper way (same result).
        if self.values.len() <= 32 && !self.values.values().any(knows_shape) {
            return;
        }
        let mut assigned = LocalNames::new(self.model.has_walrus);
        assigned.visit_body(body);
        for name in assigned.assigned {
            if let Some(value) = self.values.get_mut(name) {
                if knows_shape(value) {
                    *value = forget_shape(std::mem::replace(value, Value::Unknown));
                }
            }
        }
    }

    /// The value each loop target takes.
    fn loop_target(&mut self, target: &'a Expr, iter: &Expr) {
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
            // A `tf.data` dataset of known elements: `for x, y in dataset`.
            Value::Tensor(TensorInfo {
                element: Some(element),
                ..
            }) => {
                if let (Expr::Tuple(targets), Structure::Tuple(parts)) = (target, element.as_ref())
                {
                    if targets.elts.len() == parts.len() {
                        for (target, part) in targets.elts.iter().zip(parts) {
                            self.on_write(target, Some(element_value(part)));
                        }
                        return;
                    }
                }
                element_value(&element)
            }
            Value::Tensor(_) => Value::Tensor(TensorInfo::default()),
            Value::Param(index) => {
                self.param_conditional(
                    index,
                    ParamRule::IteratesIfTensor,
                    iter.start(),
                    "iterates over the parameter `",
                    "`",
                );
                Value::Unknown
            }
            _ => Value::Unknown,
        };
        self.on_write(target, Some(element));
    }
}

/// `structure` with every tensor's shape changed by `reshape` (`None`
/// rank stays unknown); `None` when `reshape` refuses a leaf or a list
/// hides in it (a list is one tensor to TensorFlow, not a structure).
fn map_shapes(
    structure: &Structure,
    reshape: &impl Fn(&[Option<Dim>]) -> Option<Vec<Option<Dim>>>,
) -> Option<Structure> {
    Some(match structure {
        Structure::Leaf(info) => Structure::Leaf(TensorInfo {
            dtype: info.dtype.clone(),
            shape: match &info.shape {
                Some(dims) => Some(reshape(dims)?),
                None => None,
            },
            element: None,
        }),
        Structure::Tuple(parts) => Structure::Tuple(
            parts
                .iter()
                .map(|part| map_shapes(part, reshape))
                .collect::<Option<_>>()?,
        ),
        Structure::Dict(items) => Structure::Dict(
            items
                .iter()
                .map(|(key, part)| Some((key.clone(), map_shapes(part, reshape)?)))
                .collect::<Option<_>>()?,
        ),
        Structure::List(_) => return None,
    })
}

/// `structure` with the first dimension of every tensor taken off (what
/// `from_tensor_slices` makes of it); `None` when a leaf is a scalar.
fn sliced(structure: &Structure) -> Option<Structure> {
    map_shapes(structure, &|dims| Some(dims.split_first()?.1.to_vec()))
}

/// The elements of `dataset.method(...)` when the dataset's are `element`:
/// `batch` adds a first dimension of any size; methods that reorder,
/// repeat or cut keep the elements as they are; anything else (`map`,
/// `padded_batch`, ...) is not followed.
fn dataset_method_element(element: &Structure, method: &str) -> Option<Structure> {
    match method {
        "batch" => batched(element),
        "shuffle" | "repeat" | "prefetch" | "cache" | "take" | "skip" | "shard" | "filter"
        | "with_options" => Some(element.clone()),
        _ => None,
    }
}

/// `structure` with a first dimension of any size (`None`) added to every
/// tensor; a tensor of unknown rank stays unknown.
fn batched(structure: &Structure) -> Option<Structure> {
    map_shapes(structure, &|dims| {
        Some(std::iter::once(None).chain(dims.iter().cloned()).collect())
    })
}

/// The value a loop over a dataset binds for an element: a tensor of the
/// element's dtype and shape; a structure of them is not followed further
/// (a tensor of unknown kind, as before).
fn element_value(element: &Structure) -> Value {
    match element {
        Structure::Leaf(info) => Value::Tensor(info.clone()),
        _ => Value::Tensor(TensorInfo::default()),
    }
}

/// Whether a value says something about a tensor's dtype or shape.
fn knows_shape(value: &Value) -> bool {
    match value {
        Value::Tensor(info) => {
            info.dtype.is_some() || info.shape.is_some() || info.element.is_some()
        }
        Value::NdArray(info) => info.is_some(),
        _ => false,
    }
}

/// The same kind of value, without what it says of dtype and shape.
fn forget_shape(value: Value) -> Value {
    match value {
        Value::Tensor(_) => Value::Tensor(TensorInfo::default()),
        Value::NdArray(_) => Value::NdArray(None),
        other => other,
    }
}

/// How a receiver or target is shown in messages (`self.layers[...].append`),
/// written only when a message is kept.
#[derive(Clone, Copy)]
struct ReceiverText<'e>(&'e Expr);

impl std::fmt::Display for ReceiverText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            // Written piece by piece, without `write!`'s formatting machinery.
            Expr::Name(name) => f.write_str(name.id.as_str()),
            Expr::Attribute(attribute) => {
                ReceiverText(&attribute.value).fmt(f)?;
                f.write_str(".")?;
                f.write_str(attribute.attr.id.as_str())
            }
            Expr::Subscript(subscript) => {
                ReceiverText(&subscript.value).fmt(f)?;
                f.write_str("[...]")
            }
            Expr::Call(call) => {
                ReceiverText(&call.func).fmt(f)?;
                f.write_str("(...)")
            }
            _ => f.write_str("..."),
        }
    }
}

/// The words for a long-lived owner (see [`Walker::long_lived_owner`]),
/// written only when a culprit keeps them.
enum Owner<'e> {
    SelfAttribute(ReceiverText<'e>),
    Argument(ReceiverText<'e>),
    Local(ReceiverText<'e>),
    Global(ReceiverText<'e>),
    Enclosing(ReceiverText<'e>),
}

impl std::fmt::Display for Owner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (before, shown, after) = match self {
            Owner::SelfAttribute(shown) => ("`", shown, "`"),
            Owner::Argument(shown) => ("the argument `", shown, "`"),
            Owner::Local(shown) => ("`", shown, "`, which may be shared with the caller"),
            Owner::Global(shown) => ("the global `", shown, "`"),
            Owner::Enclosing(shown) => ("`", shown, "` from an enclosing scope"),
        };
        f.write_str(before)?;
        shown.fmt(f)?;
        f.write_str(after)
    }
}

/// A method as shown in messages: `receiver.method`.
#[derive(Clone, Copy)]
struct MethodText<'e>(&'e Expr, &'e str);

impl std::fmt::Display for MethodText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        ReceiverText(self.0).fmt(f)?;
        f.write_str(".")?;
        f.write_str(self.1)
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
        (Value::NdArray(_), _) | (_, Value::NdArray(_)) => Value::NdArray(None),
        _ => Value::Unknown,
    }
}

/// The last part of a dotted name (`relu` in `tensorflow.nn.relu`).
fn last_segment(qualified: &str) -> &str {
    match qualified.bytes().rposition(|b| b == b'.') {
        Some(dot) => &qualified[dot + 1..],
        None => qualified,
    }
}

/// The first part of a dotted name (`tensorflow` in `tensorflow.nn.relu`).
fn root_segment(qualified: &str) -> &str {
    match qualified.bytes().position(|b| b == b'.') {
        Some(dot) => &qualified[..dot],
        None => qualified,
    }
}

/// Whether calling a Keras/TF qualified name builds an object that owns
/// variables (a layer, a model, an optimizer, a metric).
fn creates_variables(qualified: &str) -> bool {
    if !is_keras(qualified) {
        return false;
    }
    let last = last_segment(qualified);
    let is_class = last.chars().next().is_some_and(char::is_uppercase);
    is_class
        && (qualified.contains(".layers.")
            || qualified.contains(".optimizers.")
            || qualified.contains(".metrics.")
            || qualified.contains(".models.")
            || matches!(last, "Model" | "Sequential"))
}

fn qualified_call_value(qualified: &str, call: &ExprCall, walker: &Walker) -> Value {
    let last = last_segment(qualified);
    let root = root_segment(qualified);
    if root == "tensorflow" || is_keras(qualified) {
        if last.chars().next().is_some_and(char::is_uppercase) {
            return Value::TfObject;
        }
        if qualified == "tensorflow.data.Dataset.from_tensor_slices" {
            return Value::Tensor(TensorInfo {
                element: walker.slices_element(call).map(Box::new),
                ..TensorInfo::default()
            });
        }
        return Value::Tensor(tensor_info(qualified, call, walker));
    }
    if root == "numpy" {
        return if qualified.starts_with("numpy.random.default_rng") {
            Value::Unknown
        } else {
            Value::NdArray(ndarray_info(qualified, call, walker).map(Box::new))
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

/// The dtype `tf.<dtype>` that `expr` names (`float32`), if it is one.
fn tf_dtype(walker: &Walker, expr: &Expr) -> Option<String> {
    walker
        .model
        .imports
        .with_resolved(expr, |q| q.strip_prefix("tensorflow.").map(str::to_string))
        .flatten()
}

/// Dtype and shape of a tensor built by a constructor whose arguments say.
fn tensor_info(qualified: &str, call: &ExprCall, walker: &Walker) -> TensorInfo {
    let dtype_keyword = call
        .arguments
        .find_keyword("dtype")
        .and_then(|k| tf_dtype(walker, &k.value));
    let first = call.arguments.args.first();
    // The dtype a call states, by keyword or at `position`: `None` when it
    // states none, `Some(None)` when it is not a `tf.<dtype>`.
    let stated = |position: usize| -> Option<Option<String>> {
        let given = call
            .arguments
            .find_keyword("dtype")
            .map(|k| &k.value)
            .or_else(|| call.arguments.args.get(position))?;
        Some(tf_dtype(walker, given))
    };
    // Only the arguments read below: a `shape`, a `dtype_hint`, ... say
    // something else.
    let other_arguments = |positions: usize, keywords: &[&str]| {
        call.arguments.args.len() > positions
            || call.arguments.keywords.iter().any(|k| {
                k.arg
                    .as_ref()
                    .is_none_or(|arg| !keywords.contains(&arg.as_str()))
            })
    };
    match qualified.strip_prefix("tensorflow.").unwrap_or_default() {
        "constant" | "convert_to_tensor" => {
            if other_arguments(2, &["dtype", "name"]) {
                return TensorInfo::default();
            }
            let (shape, dtype) = first.map_or((None, None), literal_shape);
            if shape.is_none() {
                // A tensor or an array of known kind keeps its shape.
                let value = first.map(|value| walker.value(value));
                if let Some(info) = value.as_ref().and_then(known_info) {
                    return TensorInfo {
                        dtype: stated(1).unwrap_or_else(|| info.dtype.clone()),
                        shape: info.shape.clone(),
                        element: None,
                    };
                }
            }
            TensorInfo {
                dtype: stated(1).unwrap_or(dtype.map(str::to_string)),
                shape,
                element: None,
            }
        }
        // `tf.cast` changes the dtype only.
        "cast" => {
            let dtype = call
                .arguments
                .args
                .get(1)
                .or_else(|| call.arguments.find_keyword("dtype").map(|k| &k.value))
                .and_then(|d| tf_dtype(walker, d));
            let value = first.map(|value| walker.value(value));
            let shape = value
                .as_ref()
                .and_then(known_info)
                .and_then(|info| info.shape.clone());
            TensorInfo {
                dtype,
                shape,
                element: None,
            }
        }
        // `tf.fill` takes its dtype from the value: `tf.fill(dims, 1)` is int32.
        "fill" => TensorInfo {
            dtype: call
                .arguments
                .args
                .get(1)
                .and_then(|value| literal_shape(value).1)
                .map(str::to_string),
            shape: first.and_then(|shape| shape_argument(shape, walker)),
            element: None,
        },
        "zeros" | "ones" if !other_arguments(2, &["shape", "dtype", "name"]) => TensorInfo {
            dtype: stated(1).unwrap_or(Some("float32".to_string())),
            shape: first
                .or_else(|| call.arguments.find_keyword("shape").map(|k| &k.value))
                .and_then(|shape| shape_argument(shape, walker)),
            element: None,
        },
        "random.normal" | "random.uniform" | "random.truncated_normal" => TensorInfo {
            dtype: stated(3).unwrap_or(Some("float32".to_string())),
            shape: first
                .or_else(|| call.arguments.find_keyword("shape").map(|k| &k.value))
                .and_then(|shape| shape_argument(shape, walker)),
            element: None,
        },
        _ => TensorInfo {
            dtype: dtype_keyword,
            shape: None,
            element: None,
        },
    }
}

/// What a value says about the tensor it becomes, when it is a tensor or a
/// NumPy array of known kind.
fn known_info(value: &Value) -> Option<&TensorInfo> {
    match value {
        Value::Tensor(info) => Some(info),
        Value::NdArray(Some(info)) => Some(info),
        _ => None,
    }
}

/// Dtype and shape of a NumPy array built by `zeros`/`ones`/`empty`
/// (float64 unless a dtype says otherwise), or by `full`/`array` with an
/// explicit dtype: what a graph function's argument becomes (TensorFlow
/// keeps the array's dtype, float64 included). The default integer dtype of
/// NumPy depends on the platform, so only an explicit one counts.
fn ndarray_info(qualified: &str, call: &ExprCall, walker: &Walker) -> Option<TensorInfo> {
    let constructor = qualified.strip_prefix("numpy.")?;
    if !matches!(constructor, "zeros" | "ones" | "empty" | "full" | "array") {
        return None;
    }
    let dtype = match call.arguments.find_keyword("dtype").map(|k| &k.value) {
        Some(Expr::StringLiteral(name)) => Some(name.value.to_str().to_string()),
        Some(Expr::Name(name)) if name.id.as_str() == "float" => Some("float64".to_string()),
        Some(Expr::Name(name)) if name.id.as_str() == "bool" => Some("bool".to_string()),
        Some(other) => walker
            .model
            .imports
            .with_resolved(other, |q| q.strip_prefix("numpy.").map(str::to_string))
            .flatten(),
        None if constructor != "full" && constructor != "array" => Some("float64".to_string()),
        None => None,
    }
    .filter(|dtype| numpy_dtype(dtype))?;
    let first = call.arguments.args.first()?;
    let shape = if constructor == "array" {
        literal_shape(first).0?
    } else {
        match first {
            Expr::NumberLiteral(number) => {
                vec![Some(Dim::Size(number.value.as_int()?.as_i64()?))]
            }
            other => shape_argument(other, walker)?,
        }
    };
    Some(TensorInfo {
        dtype: Some(dtype),
        shape: Some(shape),
        element: None,
    })
}

/// Whether NumPy's dtype `name` becomes the TensorFlow dtype of the same
/// name: every `TensorSpec` dtype is a NumPy one but `bfloat16` and `string`.
fn numpy_dtype(name: &str) -> bool {
    super::kinds::DTYPES.contains(&name) && !matches!(name, "bfloat16" | "string")
}

/// Dtype and shape of elementwise arithmetic: `+ - * /` of two tensors of
/// one dtype (broadcast: the larger rank; a dimension both sides agree on),
/// or of a tensor and a number literal that keeps its dtype. Anything else
/// is unknown (`/` of integers gives floats).
fn elementwise(binop: &ExprBinOp, left: &Value, right: &Value) -> TensorInfo {
    let Some(dtype) = elementwise_dtype(binop, left, right) else {
        return TensorInfo::default();
    };
    let shape = match (known_info(left), known_info(right)) {
        (Some(a), Some(b)) => match (&a.shape, &b.shape) {
            (Some(a), Some(b)) => {
                let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
                let offset = long.len() - short.len();
                Some(
                    long.iter()
                        .enumerate()
                        .map(|(i, dim)| {
                            let other = i.checked_sub(offset).map(|j| &short[j]);
                            match other {
                                Some(other) if other == dim => dim.clone(),
                                _ => None,
                            }
                        })
                        .collect(),
                )
            }
            _ => None,
        },
        (Some(tensor), None) | (None, Some(tensor)) => tensor.shape.clone(),
        (None, None) => None,
    };
    TensorInfo {
        dtype: Some(dtype),
        shape,
        element: None,
    }
}

fn elementwise_dtype<'v>(binop: &ExprBinOp, left: &'v Value, right: &'v Value) -> Option<String> {
    if !matches!(
        binop.op,
        Operator::Add | Operator::Sub | Operator::Mult | Operator::Div
    ) {
        return None;
    }
    let dtype = |value| known_info(value).and_then(|info| info.dtype.as_deref());
    let dtype = match (dtype(left), dtype(right)) {
        (Some(a), Some(b)) if a == b => a,
        (Some(a), None) if is_number_literal(&binop.right, a) => a,
        (None, Some(b)) if is_number_literal(&binop.left, b) => b,
        _ => return None,
    };
    let floating = matches!(
        dtype,
        "float16" | "float32" | "float64" | "bfloat16" | "complex64" | "complex128"
    );
    let integer = dtype.starts_with("int") || dtype.starts_with("uint");
    (floating || (integer && binop.op != Operator::Div)).then(|| dtype.to_string())
}

/// `text` as `{:?}` writes it: in double quotes, escaped. Printable ASCII
/// but `"` and `\\` is written as it is, without the formatter.
fn debug_quoted(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    if text
        .bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\')
    {
        quoted.push('"');
        quoted.push_str(text);
        quoted.push('"');
    } else {
        use std::fmt::Write as _;
        let _ = write!(quoted, "{text:?}");
    }
    quoted
}

/// Whether `expr` is a number literal that arithmetic with a tensor of
/// `dtype` keeps in that dtype: an integer, or a float with a float tensor.
fn is_number_literal(expr: &Expr, dtype: &str) -> bool {
    let expr = match expr {
        Expr::UnaryOp(unary) if unary.op == UnaryOp::USub => unary.operand.as_ref(),
        other => other,
    };
    match expr {
        Expr::NumberLiteral(number) => match number.value {
            Number::Int(_) => !dtype.starts_with("uint"),
            Number::Float(_) => dtype.starts_with("float") || dtype == "bfloat16",
            Number::Complex { .. } => false,
        },
        _ => false,
    }
}

/// The shape and dtype of a nested list literal of numbers.
fn literal_shape(expr: &Expr) -> (Option<Vec<Option<Dim>>>, Option<&'static str>) {
    match expr {
        Expr::NumberLiteral(number) => (
            Some(Vec::new()),
            match &number.value {
                // Integers beyond int32 make an int64 tensor.
                Number::Int(int) => int
                    .as_i64()
                    .is_some_and(|i| i32::try_from(i).is_ok())
                    .then_some("int32"),
                Number::Float(_) => Some("float32"),
                Number::Complex { .. } => None,
            },
        ),
        Expr::BooleanLiteral(_) => (Some(Vec::new()), Some("bool")),
        Expr::List(ruff_python_ast::ExprList { elts, .. })
        | Expr::Tuple(ruff_python_ast::ExprTuple { elts, .. }) => {
            let Some(first) = elts.first() else {
                return (Some(vec![Some(Dim::Size(0))]), None);
            };
            let (inner, mut dtype) = literal_shape(first);
            let mut inner = inner;
            for element in elts.iter().skip(1) {
                let (other, other_dtype) = literal_shape(element);
                if other != inner {
                    inner = None;
                }
                // Integers and floats make floats; any other mix is left
                // unknown.
                dtype = match (dtype, other_dtype) {
                    (a, b) if a == b => a,
                    (Some("int32" | "float32"), Some("int32" | "float32")) => Some("float32"),
                    _ => None,
                };
            }
            let shape = inner.map(|mut dims| {
                dims.insert(0, i64::try_from(elts.len()).ok().map(Dim::Size));
                dims
            });
            (shape, dtype)
        }
        _ => (None, None),
    }
}

/// A shape written as a list or tuple of integer literals and names of
/// integer constants (checked to be module-level constants where a
/// signature uses them).
fn shape_argument(expr: &Expr, walker: &Walker) -> Option<Vec<Option<Dim>>> {
    let elts = match expr {
        Expr::List(list) => &list.elts,
        Expr::Tuple(tuple) => &tuple.elts,
        _ => return None,
    };
    Some(
        elts.iter()
            .map(|element| match element {
                Expr::NumberLiteral(number) => number
                    .value
                    .as_int()
                    .and_then(|i| i.as_i64())
                    .map(Dim::Size),
                Expr::Name(name) => match walker.name_value(name.id.as_str()) {
                    Value::Primitive {
                        literal: Some(literal),
                        varies: false,
                    } if literal.parse::<u32>().is_ok() => {
                        Some(Dim::Named(name.id.as_str().into()))
                    }
                    _ => None,
                },
                _ => None,
            })
            .collect(),
    )
}

impl<'a> Visitor<'a> for Walker<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        self.stmt_depth += 1;
        match stmt {
            // Nested functions and classes are analysed on their own; their
            // names are local bindings here.
            Stmt::FunctionDef(def) => {
                for decorator in &def.decorator_list {
                    self.visit_expr(&decorator.expression);
                }
                if !self.at_module_level() {
                    self.values.insert(def.name.id.as_str(), Value::Unknown);
                }
            }
            Stmt::ClassDef(_) => {}
            Stmt::Assign(assign) => {
                self.visit_expr(&assign.value);
                let value = self.value(&assign.value);
                // The last target takes the value itself, not a copy.
                if let Some((last, others)) = assign.targets.split_last() {
                    for target in others {
                        self.visit_target(target);
                        self.on_write(target, Some(value.clone()));
                    }
                    self.visit_target(last);
                    self.on_write(last, Some(value));
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
                self.arithmetic_of([&left, &right], assign.start());
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
                self.forget_loop_carried(&for_stmt.body);
                self.loop_depth += 1;
                self.visit_body(&for_stmt.body);
                self.loop_depth -= 1;
                self.visit_body(&for_stmt.orelse);
            }
            Stmt::While(while_stmt) => {
                self.forget_loop_carried(&while_stmt.body);
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
        self.stmt_depth -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            // Nothing to see below these: not walked (most expressions are
            // names and attributes).
            Expr::Name(_)
            | Expr::NumberLiteral(_)
            | Expr::StringLiteral(_)
            | Expr::BytesLiteral(_)
            | Expr::BooleanLiteral(_)
            | Expr::NoneLiteral(_)
            | Expr::EllipsisLiteral(_) => {}
            Expr::Attribute(attribute) => self.visit_expr(&attribute.value),
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
                    let mut names = LocalNames::new(false);
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
        let left = self.value(left);
        let right = self.value(right);
        self.arithmetic_of([&left, &right], offset);
    }

    /// [`Walker::arithmetic`] with the operands' values.
    fn arithmetic_of(&mut self, sides: [&Value; 2], offset: TextSize) {
        for side in sides {
            match side {
                value if value.is_tensor_like() => {
                    self.add(Effect::TensorComputation, offset, "computes with tensors");
                }
                &Value::Param(index) => {
                    self.param_conditional(
                        index,
                        ParamRule::TensorIfTensor,
                        offset,
                        "computes with `",
                        "`",
                    );
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
struct LocalNames<'a> {
    assigned: HashSet<&'a str>,
    globals: HashSet<&'a str>,
    nonlocals: HashSet<&'a str>,
    /// Whether the module has an assignment expression (`:=`) at all; if
    /// not, expressions bind nothing and are not walked.
    walrus: bool,
}

impl<'a> LocalNames<'a> {
    fn new(walrus: bool) -> Self {
        Self {
            assigned: HashSet::default(),
            globals: HashSet::default(),
            nonlocals: HashSet::default(),
            walrus,
        }
    }

    fn bind(&mut self, target: &'a Expr) {
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

/// The range of a function's name, where its findings point.
pub fn name_range(model: &SemanticModel, id: FunctionId) -> TextRange {
    model.functions[id].def.name.range()
}
