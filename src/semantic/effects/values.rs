//! What an expression evaluates to inside the walker: the abstract value
//! ([`crate::semantic::kinds::Value`]) of names, attributes, calls and
//! arithmetic, with the dtype and shape of tensors and NumPy arrays that
//! constructors state (`tf.constant`, `tf.zeros(shape)`, `np.zeros(...,
//! dtype=)`, `tf.data.Dataset.from_tensor_slices`).

use ruff_python_ast::{Expr, ExprBinOp, ExprCall, Number, Operator, UnaryOp};
use ruff_text_size::Ranged;

use super::walker::Walker;
use crate::names::{concat, is_keras, last_segment, root_segment};
use crate::semantic::builtins::tf_utility;
use crate::semantic::kinds::{
    binary_value, dataset_method_element, forget_shape, known_info, sliced, ClassRef, Container,
    Dim, FunctionRef, FunctionTarget, ObjectKind, Structure, TensorInfo, Value, DTYPES,
};
use crate::semantic::ClassId;

impl Walker<'_, '_> {
    /// The abstract value of an expression. Deep expressions (long operator
    /// chains) are cut off as unknown, so evaluation stays linear.
    pub(super) fn value(&self, expr: &Expr) -> Value {
        if self.depth.get() > 12 {
            return Value::Unknown;
        }
        self.depth.set(self.depth.get() + 1);
        let value = self.value_of(expr);
        self.depth.set(self.depth.get() - 1);
        value
    }

    pub(super) fn value_of(&self, expr: &Expr) -> Value {
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
            Expr::List(list) => Value::fresh(self.elements_value(&list.elts)),
            Expr::Tuple(tuple) => Value::fresh(self.elements_value(&tuple.elts)),
            Expr::Set(set) => Value::fresh(self.elements_value(&set.elts)),
            Expr::Dict(dict) => Value::fresh(
                self.elements_value_of(dict.items.iter().map(|item| &item.value), dict.items.len()),
            ),
            Expr::ListComp(comp) => Value::fresh(self.value(&comp.elt)),
            // A generator expression is iterated like the list it would
            // build.
            Expr::Generator(generator) => Value::fresh(self.value(&generator.elt)),
            Expr::SetComp(comp) => Value::fresh(self.value(&comp.elt)),
            Expr::DictComp(comp) => Value::fresh(self.value(&comp.value)),
            Expr::Name(name) => self.name_value(name.id.as_str()),
            Expr::Attribute(attribute) => {
                if let Some(is_tf) = self.model.imports.with_resolved(expr, |qualified| {
                    qualified.starts_with("tensorflow.") || is_keras(qualified)
                }) {
                    return if is_tf {
                        Value::Object(ObjectKind::Other)
                    } else {
                        Value::Unknown
                    };
                }
                let name = attribute.attr.id.as_str();
                if self.is_self(&attribute.value) {
                    let stored = self.self_attribute_read(attribute);
                    if let Some(value) = stored {
                        // Other methods (or other code) may assign it anew.
                        return forget_shape(value.clone()).shared();
                    }
                    if let Some(method) = self.class().and_then(|c| self.model.method(c, name)) {
                        return Value::Function(Box::new(FunctionRef {
                            target: FunctionTarget::Local(method),
                            bound: true,
                        }));
                    }
                    return if self.is_tf_method() {
                        Value::Object(ObjectKind::Other)
                    } else {
                        Value::Unknown
                    };
                }
                match self.value(&attribute.value) {
                    Value::Tensor(_) => match name {
                        "shape" | "ndim" => static_shape(name),
                        "dtype" | "name" | "device" => Value::Unknown,
                        _ => Value::Tensor(TensorInfo::default()),
                    },
                    Value::Object(kind) => object_attribute(kind, name),
                    Value::Instance(class) => self.instance_attribute(&class, name),
                    // A tensor's or an array's shape, rank and dtype are
                    // part of what a trace is kept for: reading them reads
                    // no Python state.
                    Value::Param(_) if matches!(name, "shape" | "ndim") => static_shape(name),
                    Value::Param(_) if name == "dtype" => Value::Unknown,
                    Value::Param(param) => {
                        self.note_param_attribute_read(param, attribute.start(), name);
                        Value::Unknown
                    }
                    Value::NdArray(_) | Value::Derived(_) if matches!(name, "shape" | "ndim") => {
                        static_shape(name)
                    }
                    // `x.shape.ndims`, `x.shape.rank`.
                    Value::Container(_) if matches!(name, "ndims" | "rank") => static_shape("ndim"),
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
                Value::Object(kind) if Value::Object(kind).is_tensor_like() => {
                    Value::Tensor(TensorInfo::default())
                }
                Value::NdArray(_) => Value::NdArray(None),
                Value::Container(container) => match subscript.slice.as_ref() {
                    // A slice of a container is a container of the same.
                    Expr::Slice(_) => Value::Container(container).shared(),
                    _ => container.element,
                },
                // Part of what a parameter receives: a tensor's slice, an
                // element of a tuple of tensors, or a Python value.
                Value::Param(index) if index < 64 => Value::Derived(1 << index),
                derived @ Value::Derived(_) => derived,
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

    /// Whether `name` is bound by an import only: no local, parameter or
    /// module-level value of that name.
    fn imported_name(&self, name: &str) -> bool {
        !self.values.contains_key(name)
            && self.param_index(name).is_none()
            && !self.locals.contains(name)
            && !self.module.globals.contains_key(name)
            && !self.tables.module_functions.contains_key(name)
    }

    pub(super) fn name_value(&self, name: &str) -> Value {
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
            return forget_shape(value.clone()).shared();
        }
        if let Some(&id) = self.tables.module_functions.get(name) {
            return Value::Function(Box::new(FunctionRef {
                target: FunctionTarget::Local(id),
                bound: false,
            }));
        }
        Value::Unknown
    }

    /// What the elements of a literal are, when they are all of one kind
    /// (only the first few are looked at: a long literal is data).
    fn elements_value(&self, elements: &[Expr]) -> Value {
        self.elements_value_of(elements.iter(), elements.len())
    }

    fn elements_value_of<'e>(&self, elements: impl Iterator<Item = &'e Expr>, len: usize) -> Value {
        if len == 0 {
            return Value::Nothing;
        }
        if len > 16 {
            return Value::Unknown;
        }
        let mut joined: Option<Value> = None;
        for element in elements {
            let value = self.value(element);
            joined = Some(match joined {
                Some(previous) => previous.join(&value),
                None => value,
            });
        }
        joined.unwrap_or(Value::Unknown)
    }

    /// `object.name` where the object is an instance of a project class: a
    /// method (bound), or an attribute its constructor sets.
    fn instance_attribute(&self, class: &ClassRef, name: &str) -> Value {
        match class {
            ClassRef::Local(class) => {
                if let Some(method) = self.model.method(*class, name) {
                    return Value::Function(Box::new(FunctionRef {
                        target: FunctionTarget::Local(method),
                        bound: true,
                    }));
                }
                self.module.class_attributes[*class]
                    .get(name)
                    .map_or(Value::Unknown, |value| forget_shape(value.clone()).shared())
            }
            ClassRef::External(qualified) => Value::Function(Box::new(FunctionRef {
                target: FunctionTarget::External(concat(&[qualified, ".", name])),
                bound: true,
            })),
        }
    }

    /// The value a call returns, without recording its effects. In a
    /// module that builds Keras inputs, a layer, an operation or a function
    /// given a Keras symbolic tensor gives one back.
    pub(super) fn call_value(&self, call: &ExprCall) -> Value {
        let value = self.plain_call_value(call);
        if self.model.keras_inputs
            && matches!(
                value,
                Value::Tensor(_) | Value::Unknown | Value::Object(ObjectKind::Other)
            )
            && call
                .arguments
                .args
                .iter()
                .chain(call.arguments.keywords.iter().map(|k| &k.value))
                .any(|arg| self.value(arg) == Value::Object(ObjectKind::SymbolicTensor))
        {
            return Value::Object(ObjectKind::SymbolicTensor);
        }
        value
    }

    fn plain_call_value(&self, call: &ExprCall) -> Value {
        if let Some(value) = self.model.imports.with_resolved(&call.func, |qualified| {
            qualified_call_value(qualified, call, self)
        }) {
            return value;
        }
        match call.func.as_ref() {
            Expr::Name(name) => match name.id.as_str() {
                "open" => Value::Io,
                "list" | "tuple" | "set" | "sorted" | "reversed" => Value::fresh(
                    call.arguments
                        .args
                        .first()
                        .map_or(Value::Unknown, |arg| self.value(arg).element()),
                ),
                "dict" | "zip" | "enumerate" => Value::fresh(Value::Unknown),
                "int" | "float" | "bool" | "len" | "str" => Value::Primitive {
                    literal: None,
                    varies: true,
                },
                // Python's arithmetic builtins: computed from what they are
                // given, like arithmetic.
                "max" | "min" | "abs" | "round" | "sum" | "pow" => {
                    let mut params = 0;
                    for arg in &call.arguments.args {
                        let value = self.value(arg);
                        if value.is_tensor_like() {
                            return Value::Tensor(TensorInfo::default());
                        }
                        match value.params() {
                            Some(bits) => params |= bits,
                            None => return Value::Unknown,
                        }
                    }
                    if params == 0 {
                        Value::Primitive {
                            literal: None,
                            varies: true,
                        }
                    } else {
                        Value::Derived(params)
                    }
                }
                other => {
                    if let Some(class) = self.local_class(other) {
                        return Value::Instance(ClassRef::Local(class));
                    }
                    called_value(self.name_value(other), &self.module.tf_classes)
                }
            },
            Expr::Attribute(attribute) => {
                let method = attribute.attr.id.as_str();
                if method == "numpy" {
                    return Value::NdArray(None);
                }
                match self.value(&attribute.value) {
                    Value::Tensor(TensorInfo {
                        element: Some(element),
                        ..
                    }) => Value::Tensor(TensorInfo {
                        element: dataset_method_element(&element, method).map(Box::new),
                        ..TensorInfo::default()
                    }),
                    Value::Tensor(_) => match method {
                        "numpy" => Value::NdArray(None),
                        _ => Value::Tensor(TensorInfo::default()),
                    },
                    Value::Object(kind) => object_method_value(kind, method),
                    Value::Container(container) => match method {
                        "pop" | "get" => container.element,
                        // A static shape's `as_list()`.
                        "copy" | "as_list" => Value::Container(container),
                        "num_elements" => static_shape("ndim"),
                        "values" => Value::fresh(container.element),
                        _ => Value::Unknown,
                    },
                    Value::Primitive { literal, .. } if is_string_literal(literal.as_deref()) => {
                        match method {
                            "split" | "splitlines" => Value::fresh(Value::Primitive {
                                literal: None,
                                varies: true,
                            }),
                            _ => Value::Primitive {
                                literal: None,
                                varies: true,
                            },
                        }
                    }
                    Value::Instance(class) => called_value(
                        self.instance_attribute(&class, method),
                        &self.module.tf_classes,
                    ),
                    _ => Value::Unknown,
                }
            }
            _ => Value::Unknown,
        }
    }

    /// A class defined at module level (or in this function's scope) named `name`.
    pub(super) fn local_class(&self, name: &str) -> Option<ClassId> {
        if self.locals.contains(name) && !self.values.is_empty() && self.values.contains_key(name) {
            return None;
        }
        self.tables.last_class.get(name).copied()
    }

    /// The value of a call argument: a tuple, list or dict built right there
    /// of tensors and arrays of known kind keeps its structure.
    pub(super) fn argument_value(&self, arg: &Expr) -> Value {
        match self.value(arg) {
            // A function imported from a module (`from pkg.losses import
            // mse`): the propagation finds it by name, when it is one.
            Value::Unknown => match arg {
                Expr::Name(name) if self.imported_name(name.id.as_str()) => self
                    .model
                    .imports
                    .with_resolved(arg, |qualified| {
                        let function = qualified.contains('.')
                            && !last_segment(qualified).starts_with(char::is_uppercase)
                            && !matches!(
                                root_segment(qualified),
                                "tensorflow" | "keras" | "tf_keras" | "numpy"
                            );
                        function.then(|| {
                            Value::Function(Box::new(FunctionRef {
                                target: FunctionTarget::External(qualified.to_string()),
                                bound: false,
                            }))
                        })
                    })
                    .flatten()
                    .unwrap_or(Value::Unknown),
                _ => Value::Unknown,
            },
            value @ Value::Container(_) if value.is_fresh() => self
                .structure(arg, 0)
                .map_or(value, |s| Value::Structure(Box::new(s))),
            value => value,
        }
    }

    /// The structure `tf.function` sees in a literal argument, when every
    /// leaf is a tensor or an array of known kind.
    pub(super) fn structure(&self, expr: &Expr, depth: usize) -> Option<Structure> {
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
    pub(super) fn slices_element(&self, call: &ExprCall) -> Option<Structure> {
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
}

pub(super) fn qualified_call_value(qualified: &str, call: &ExprCall, walker: &Walker) -> Value {
    let last = last_segment(qualified);
    let root = root_segment(qualified);
    // TensorFlow's logger is Python's `logging` logger.
    if qualified == "tensorflow.get_logger" {
        return Value::Io;
    }
    if root == "tensorflow" || is_keras(qualified) {
        if let Some(kind) = ObjectKind::built_by(qualified) {
            return Value::Object(kind);
        }
        if tf_utility(qualified).is_some() {
            // `nest.flatten(structure)`: a new list of its leaves.
            if last == "flatten" && qualified.contains(".nest.") {
                return Value::fresh(Value::Unknown);
            }
            return Value::Unknown;
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
pub(super) fn tf_dtype(walker: &Walker, expr: &Expr) -> Option<String> {
    walker
        .model
        .imports
        .with_resolved(expr, |q| q.strip_prefix("tensorflow.").map(str::to_string))
        .flatten()
}

/// Dtype and shape of a tensor built by a constructor whose arguments say.
pub(super) fn tensor_info(qualified: &str, call: &ExprCall, walker: &Walker) -> TensorInfo {
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

/// Dtype and shape of a NumPy array built by `zeros`/`ones`/`empty`
/// (float64 unless a dtype says otherwise), or by `full`/`array` with an
/// explicit dtype: what a graph function's argument becomes (TensorFlow
/// keeps the array's dtype, float64 included). The default integer dtype of
/// NumPy depends on the platform, so only an explicit one counts.
pub(super) fn ndarray_info(
    qualified: &str,
    call: &ExprCall,
    walker: &Walker,
) -> Option<TensorInfo> {
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
pub(super) fn numpy_dtype(name: &str) -> bool {
    DTYPES.contains(&name) && !matches!(name, "bfloat16" | "string")
}

/// Dtype and shape of elementwise arithmetic: `+ - * /` of two tensors of
/// one dtype (broadcast: the larger rank; a dimension both sides agree on),
/// or of a tensor and a number literal that keeps its dtype. Anything else
/// is unknown (`/` of integers gives floats).
pub(super) fn elementwise(binop: &ExprBinOp, left: &Value, right: &Value) -> TensorInfo {
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

pub(super) fn elementwise_dtype<'v>(
    binop: &ExprBinOp,
    left: &'v Value,
    right: &'v Value,
) -> Option<String> {
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
pub(super) fn debug_quoted(text: &str) -> String {
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
pub(super) fn is_number_literal(expr: &Expr, dtype: &str) -> bool {
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
pub(super) fn literal_shape(expr: &Expr) -> (Option<Vec<Option<Dim>>>, Option<&'static str>) {
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
pub(super) fn shape_argument(expr: &Expr, walker: &Walker) -> Option<Vec<Option<Dim>>> {
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
                    // A loop counter: a new size on each iteration.
                    Value::Primitive { varies: true, .. }
                        if walker.counters.contains(&name.id.as_str()) =>
                    {
                        Some(Dim::Varies)
                    }
                    _ => None,
                },
                _ => None,
            })
            .collect(),
    )
}

/// What calling a value returns: a tensor for a tensor, a Keras object or
/// an instance of a Keras class; unknown otherwise.
fn called_value(callee: Value, tf_classes: &[bool]) -> Value {
    match callee {
        Value::Object(ObjectKind::Checkpoint | ObjectKind::SummaryWriter) => Value::Unknown,
        Value::Object(_) | Value::Tensor(_) => Value::Tensor(TensorInfo::default()),
        Value::Instance(ClassRef::Local(class)) if tf_classes[class] => {
            Value::Tensor(TensorInfo::default())
        }
        _ => Value::Unknown,
    }
}

/// `object.name` for a TensorFlow or Keras object: the lists of layers and
/// variables Keras keeps, static metadata (unknown), or another object.
fn object_attribute(kind: ObjectKind, name: &str) -> Value {
    match name {
        "layers" => Value::Container(Box::new(Container {
            element: Value::Object(ObjectKind::Layer),
            fresh: false,
        })),
        "variables"
        | "trainable_variables"
        | "non_trainable_variables"
        | "weights"
        | "trainable_weights"
        | "non_trainable_weights" => Value::Container(Box::new(Container {
            element: Value::Object(ObjectKind::Variable),
            fresh: false,
        })),
        "shape" | "ndim" if kind == ObjectKind::Variable => static_shape(name),
        "shape" | "dtype" | "name" | "ndim" | "device" | "built" | "trainable" => Value::Unknown,
        _ if kind == ObjectKind::Variable => Value::Tensor(TensorInfo::default()),
        _ => Value::Object(ObjectKind::Other),
    }
}

/// A static shape (`x.shape`: a `TensorShape` or a NumPy tuple, of Python
/// ints and `None`s) or a static rank (`x.ndim`): Python values, known
/// while tracing, which change when the shapes of the inputs change.
fn static_shape(name: &str) -> Value {
    let dimension = Value::Primitive {
        literal: None,
        varies: true,
    };
    if name == "shape" {
        Value::fresh(dimension)
    } else {
        dimension
    }
}

/// What calling `method` of a TensorFlow or Keras object returns.
fn object_method_value(kind: ObjectKind, method: &str) -> Value {
    match (kind, method) {
        (_, "numpy") => Value::NdArray(None),
        (ObjectKind::Model, "predict" | "predict_on_batch") => Value::NdArray(None),
        (_, "get_weights") => Value::fresh(Value::NdArray(None)),
        (_, "as_list" | "get_config" | "num_elements" | "is_fully_defined") => Value::Unknown,
        (ObjectKind::Checkpoint | ObjectKind::SummaryWriter, _) => Value::Unknown,
        (ObjectKind::Tape, "gradient") => Value::fresh(Value::Tensor(TensorInfo::default())),
        (ObjectKind::TensorArray, "write" | "scatter" | "unstack" | "split") => {
            Value::Object(ObjectKind::TensorArray)
        }
        _ => Value::Tensor(TensorInfo::default()),
    }
}

/// Whether a primitive's literal is a string.
fn is_string_literal(literal: Option<&str>) -> bool {
    literal.is_some_and(|literal| literal.starts_with('"'))
}
