//! Abstract values: what an expression evaluates to, as far as graph
//! conversion cares (a tensor, a Python primitive, a TensorFlow object, a
//! container built on the spot, ...), and the kind of a parameter joined
//! over every call site.
//!
//! This is where the analysis's lattice of values lives: what the walker of
//! effects infers for an expression ([`Value`]), what a parameter is joined
//! over its call sites ([`ParamKind`]), and the operations on them that
//! do not depend on the syntax (joins, forgetting what a loop may change,
//! arithmetic). Tensors' dtypes and shapes are in `tensor.rs`.

mod objects;
mod tensor;

pub use objects::{ObjectCall, ObjectKind};

pub use tensor::{batched, dataset_method_element, sliced, Dim, Structure, TensorInfo, DTYPES};

/// The abstract value of an expression inside one function or module.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Unknown,
    /// No value at all: what the elements of an empty container are, until
    /// something is put into it.
    Nothing,
    Tensor(TensorInfo),
    /// A TensorFlow or Keras object that is not a plain tensor: a variable,
    /// a layer or model, an optimizer, a `GradientTape`, a checkpoint. What
    /// calling it or its methods does depends on its kind.
    Object(ObjectKind),
    /// A Python number, string, bool or `None`; `literal` is its source text
    /// when it is a constant, `varies` when it changes between evaluations
    /// (a loop counter).
    Primitive {
        literal: Option<String>,
        varies: bool,
    },
    /// A NumPy array or value, with the dtype and shape of an array built
    /// by a constructor that says.
    NdArray(Option<Box<TensorInfo>>),
    /// A list, dict, set or tuple, with what its elements are when they are
    /// all of one kind (the values, for a dict).
    Container(Box<Container>),
    /// A file, a logger or a stream: every method call is I/O.
    Io,
    /// The `index`-th parameter of the function being analysed.
    Param(usize),
    /// A value computed from parameters (the set bits) by arithmetic or
    /// Python's numeric builtins: a tensor when one of them is a tensor, a
    /// Python value when all of them are Python values.
    Derived(u64),
    /// An instance of a class defined in the project: `Local` in this module,
    /// `External` by qualified name.
    Instance(ClassRef),
    /// A tuple, list or dict built at a call site as an argument, of tensors
    /// and arrays of known kind. Only call arguments have it; elsewhere such
    /// a literal is a [`Value::Container`].
    Structure(Box<Structure>),
    /// A function of the project, or a method bound to its object
    /// (`self.loss = loss_fn`, `step = self.policy.train`).
    Function(Box<FunctionRef>),
}

/// A list, dict, set or tuple.
#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    /// What its elements are, when they are all of one kind.
    pub element: Value,
    /// Whether it was built right here: mutating it touches nothing that
    /// outlives the call.
    pub fresh: bool,
}

/// A function a value refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionRef {
    pub target: FunctionTarget,
    /// Whether calling it passes its object as `self`.
    pub bound: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FunctionTarget {
    /// A function of this module.
    Local(usize),
    /// A function of another module, by qualified name (`pkg.mod.f`,
    /// `pkg.mod.Class.method`).
    External(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClassRef {
    Local(usize),
    External(String),
}

impl Value {
    /// What the value means in another function: a parameter of this one
    /// (or a value computed from its parameters), also as the elements of
    /// a container, means nothing there.
    pub fn outside_its_function(&self) -> Value {
        match self {
            Value::Param(_) | Value::Derived(_) => Value::Unknown,
            Value::Container(container) => Value::Container(Box::new(Container {
                element: container.element.outside_its_function(),
                fresh: container.fresh,
            })),
            other => other.clone(),
        }
    }

    pub fn join(&self, other: &Self) -> Self {
        match (self, other) {
            (a, b) if a == b => a.clone(),
            (Value::Nothing, other) | (other, Value::Nothing) => other.clone(),
            // What may be a Keras symbolic tensor stays one: no graph
            // function may take it.
            (symbolic @ Value::Object(ObjectKind::SymbolicTensor), _)
            | (_, symbolic @ Value::Object(ObjectKind::SymbolicTensor)) => symbolic.clone(),
            (Value::Tensor(a), Value::Tensor(b)) => Value::Tensor(a.join(b)),
            (Value::NdArray(a), Value::NdArray(b)) => Value::NdArray(match (a, b) {
                (Some(a), Some(b)) => Some(Box::new(a.join(b))),
                _ => None,
            }),
            (Value::Primitive { literal: a, .. }, Value::Primitive { literal: b, .. }) => {
                Value::Primitive {
                    literal: if a == b { a.clone() } else { None },
                    varies: true,
                }
            }
            // Either a tensor or a tensor-like object (a `TensorArray`
            // reassigned to what `stack()` gives): something tensor-like.
            (a, b) if a.is_tensor_like() && b.is_tensor_like() => Value::Object(ObjectKind::Other),
            (Value::Container(a), Value::Container(b)) => Value::Container(Box::new(Container {
                element: a.element.join(&b.element),
                fresh: a.fresh && b.fresh,
            })),
            _ => Value::Unknown,
        }
    }

    /// Whether it is a tensor, or an object that arithmetic and NumPy treat
    /// as one (a variable).
    pub fn is_tensor_like(&self) -> bool {
        matches!(
            self,
            Value::Tensor(_)
                | Value::Object(ObjectKind::Variable | ObjectKind::TensorArray | ObjectKind::Other)
        )
    }

    /// The parameters a value is computed from, as a set of bits: empty for
    /// a Python constant, `None` when it may come from elsewhere.
    pub fn params(&self) -> Option<u64> {
        match self {
            Value::Param(index) if *index < 64 => Some(1 << index),
            Value::Derived(params) => Some(*params),
            Value::Primitive { .. } => Some(0),
            _ => None,
        }
    }

    /// A container built right here, of elements of kind `element`.
    pub fn fresh(element: Value) -> Self {
        Value::Container(Box::new(Container {
            element,
            fresh: true,
        }))
    }

    /// Whether it is a container built right here.
    pub fn is_fresh(&self) -> bool {
        matches!(self, Value::Container(container) if container.fresh)
    }

    /// The same value seen from elsewhere: a container built in another
    /// function (or stored in an attribute) is not fresh there.
    pub fn shared(self) -> Self {
        match self {
            Value::Container(mut container) => {
                container.fresh = false;
                Value::Container(container)
            }
            other => other,
        }
    }

    /// What an element of it is, when it is a container (or a tensor, whose
    /// rows are tensors).
    pub fn element(&self) -> Value {
        match self {
            Value::Container(container) => container.element.clone(),
            Value::Tensor(_) => Value::Tensor(TensorInfo::default()),
            _ => Value::Unknown,
        }
    }
}

/// The kind of a parameter, joined over the call sites that pass it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ParamKind {
    /// No call site seen, or call sites disagree, or an argument could not
    /// be classified.
    Unknown,
    /// Boxed, as the literal below: a large run holds a kind for every
    /// argument of every call, and a kind that only points to a tensor's
    /// dtype and shape is a fraction of their size.
    Tensor(Box<TensorInfo>),
    /// A Python primitive. `varies_at` is the line of the first call site
    /// that passes a value changing between calls (a loop counter, or
    /// different constants at different call sites).
    Primitive {
        literal: Option<Box<str>>,
        varies_at: Option<u32>,
    },
    /// Something else that is known not to be a tensor: a NumPy array, a
    /// list, an object; with what `tf.function` makes of it when every call
    /// site passes NumPy arrays of known dtype or the same structure of
    /// such arrays and tensors.
    Other(Option<Box<Structure>>),
    /// A TensorFlow or Keras object of a known kind (a model, a layer, an
    /// optimizer, a variable, ...).
    Object(ObjectKind),
    /// An instance of a class of the project.
    Instance(Box<InstanceOf>),
    /// A function of the project (`loss_fn=mse`), named as [`InstanceOf`]
    /// names a class: calling it is calling that function.
    Function(Box<InstanceOf>),
}

/// The class of an instance passed as an argument, as the call site names
/// it: the propagation finds its methods from there.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct InstanceOf {
    /// Its qualified name: in the module of the call site (`local`), or as
    /// that module imports it (`pkg.models.Model`).
    pub class: Box<str>,
    pub local: bool,
    /// The module of the call site, once the propagation has joined it
    /// ([`InstanceOf::UNJOINED`] before).
    pub module: u32,
}

impl InstanceOf {
    pub const UNJOINED: u32 = u32::MAX;
}

impl ParamKind {
    /// The kind an argument with this value gives its parameter, passed at
    /// `line`.
    /// `class_name` names a class of the module by its index,
    /// `function_name` a function.
    pub fn of_argument(
        value: &Value,
        line: u32,
        class_name: &dyn Fn(usize) -> String,
        function_name: &dyn Fn(usize) -> String,
    ) -> Self {
        match value {
            Value::Tensor(info) => ParamKind::Tensor(Box::new(info.clone())),
            Value::Object(kind) => ParamKind::Object(*kind),
            Value::Instance(class) => {
                let (class, local) = match class {
                    ClassRef::Local(id) => (class_name(*id), true),
                    ClassRef::External(qualified) => (qualified.clone(), false),
                };
                ParamKind::Instance(Box::new(InstanceOf {
                    class: class.into(),
                    local,
                    module: InstanceOf::UNJOINED,
                }))
            }
            Value::Primitive { literal, varies } => ParamKind::Primitive {
                literal: literal.as_deref().map(Box::from),
                varies_at: varies.then_some(line),
            },
            Value::NdArray(Some(info)) => {
                ParamKind::Other(Some(Box::new(Structure::Leaf((**info).clone()))))
            }
            Value::Structure(structure) => ParamKind::Other(Some(structure.clone())),
            Value::Function(function) if !function.bound => {
                let (name, local) = match &function.target {
                    FunctionTarget::Local(id) => (function_name(*id), true),
                    FunctionTarget::External(qualified) => (qualified.clone(), false),
                };
                ParamKind::Function(Box::new(InstanceOf {
                    class: name.into(),
                    local,
                    module: InstanceOf::UNJOINED,
                }))
            }
            Value::NdArray(None) | Value::Container(_) | Value::Io | Value::Function(_) => {
                ParamKind::Other(None)
            }
            Value::Unknown | Value::Nothing | Value::Param(_) | Value::Derived(_) => {
                ParamKind::Unknown
            }
        }
    }

    /// Joins the kinds two call sites give a parameter. A varying Python
    /// primitive stays visible whatever else is passed, so that a refusal
    /// can name it.
    pub fn join(&self, other: &Self) -> Self {
        match (self, other) {
            (a, b) if a == b => a.clone(),
            (symbolic @ ParamKind::Object(ObjectKind::SymbolicTensor), _)
            | (_, symbolic @ ParamKind::Object(ObjectKind::SymbolicTensor)) => symbolic.clone(),
            (
                ParamKind::Primitive {
                    literal: a,
                    varies_at: va,
                },
                ParamKind::Primitive {
                    literal: b,
                    varies_at: vb,
                },
            ) => {
                let same = a.is_some() && a == b;
                ParamKind::Primitive {
                    literal: if same { a.clone() } else { None },
                    varies_at: va.or(*vb).or(if same { None } else { Some(0) }),
                }
            }
            (
                p @ ParamKind::Primitive {
                    varies_at: Some(_), ..
                },
                _,
            )
            | (
                _,
                p @ ParamKind::Primitive {
                    varies_at: Some(_), ..
                },
            ) => p.clone(),
            (ParamKind::Tensor(a), ParamKind::Tensor(b)) => {
                ParamKind::Tensor(Box::new(a.join_calls(b)))
            }
            (ParamKind::Other(a), ParamKind::Other(b)) => ParamKind::Other(match (a, b) {
                (Some(a), Some(b)) => a.join(b).map(Box::new),
                _ => None,
            }),
            _ => ParamKind::Unknown,
        }
    }

    pub fn is_tensor(&self) -> bool {
        matches!(self, ParamKind::Tensor(_))
    }

    /// Whether arithmetic and NumPy treat it as a tensor: a tensor, or a
    /// variable (or another TensorFlow object that is not a Keras one).
    pub fn is_tensor_like(&self) -> bool {
        matches!(
            self,
            ParamKind::Tensor(_)
                | ParamKind::Object(
                    ObjectKind::Variable | ObjectKind::TensorArray | ObjectKind::Other
                )
        )
    }

    /// Whether it is a tensor, or a structure of tensors and arrays, whose
    /// shape is known at least in part.
    pub fn knows_shape(&self) -> bool {
        match self {
            ParamKind::Tensor(info) => info.shape.is_some(),
            ParamKind::Other(Some(_)) => true,
            _ => false,
        }
    }

    /// Whether the call sites pass tensors of different sizes: some
    /// dimension varies (see [`Dim::Varies`]).
    pub fn shape_varies(&self) -> bool {
        fn info_varies(info: &TensorInfo) -> bool {
            info.shape
                .as_ref()
                .is_some_and(|shape| shape.contains(&Some(Dim::Varies)))
        }
        fn structure_varies(structure: &Structure) -> bool {
            match structure {
                Structure::Leaf(info) => info_varies(info),
                Structure::Tuple(items) | Structure::List(items) => {
                    items.iter().any(structure_varies)
                }
                Structure::Dict(items) => items.iter().any(|(_, item)| structure_varies(item)),
            }
        }
        match self {
            ParamKind::Tensor(info) => info_varies(info),
            ParamKind::Other(Some(structure)) => structure_varies(structure),
            _ => false,
        }
    }

    /// Whether the parameter could be a tensor (it is one, or nothing says
    /// it is not).
    pub fn may_be_tensor(&self) -> bool {
        self.is_tensor_like() || matches!(self, ParamKind::Unknown)
    }
}

/// The value a loop over a dataset binds for an element: a tensor of the
/// element's dtype and shape; a structure of them is not followed further
/// (a tensor of unknown kind, as before).
pub fn element_value(element: &Structure) -> Value {
    match element {
        Structure::Leaf(info) => Value::Tensor(info.clone()),
        _ => Value::Tensor(TensorInfo::default()),
    }
}

/// Whether a value says something about a tensor's dtype or shape.
pub fn knows_shape(value: &Value) -> bool {
    match value {
        Value::Tensor(info) => {
            info.dtype.is_some() || info.shape.is_some() || info.element.is_some()
        }
        Value::NdArray(info) => info.is_some(),
        _ => false,
    }
}

/// The same kind of value, without what it says of dtype and shape.
pub fn forget_shape(value: Value) -> Value {
    match value {
        Value::Tensor(_) => Value::Tensor(TensorInfo::default()),
        Value::NdArray(_) => Value::NdArray(None),
        other => other,
    }
}

/// What a value says about the tensor it becomes, when it is a tensor or a
/// NumPy array of known kind.
pub fn known_info(value: &Value) -> Option<&TensorInfo> {
    match value {
        Value::Tensor(info) => Some(info),
        Value::NdArray(Some(info)) => Some(info),
        _ => None,
    }
}

/// The kind of value arithmetic on `left` and `right` gives.
pub fn binary_value(left: &Value, right: &Value) -> Value {
    match (left, right) {
        (a, b) if a.is_tensor_like() || b.is_tensor_like() => Value::Tensor(TensorInfo::default()),
        (Value::Primitive { varies: a, .. }, Value::Primitive { varies: b, .. }) => {
            Value::Primitive {
                literal: None,
                varies: *a || *b,
            }
        }
        // `[None] * n`, `xs + [x]`: a new list (or tuple).
        (Value::Container(container), Value::Primitive { .. } | Value::Container(_))
        | (Value::Primitive { .. }, Value::Container(container)) => {
            Value::fresh(container.element.clone())
        }
        // A parameter with a NumPy value is a tensor when a tensor is
        // passed: computed from the parameter.
        (Value::NdArray(_), other) | (other, Value::NdArray(_)) => match other.params() {
            Some(params) if params != 0 => Value::Derived(params),
            _ => Value::NdArray(None),
        },
        (a, b) => match (a.params(), b.params()) {
            (Some(a), Some(b)) if a | b != 0 => Value::Derived(a | b),
            _ => Value::Unknown,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn different_constants_vary() {
        let one = ParamKind::of_argument(
            &Value::Primitive {
                literal: Some("1".into()),
                varies: false,
            },
            3,
            &|_| String::new(),
            &|_| String::new(),
        );
        let two = ParamKind::of_argument(
            &Value::Primitive {
                literal: Some("2".into()),
                varies: false,
            },
            4,
            &|_| String::new(),
            &|_| String::new(),
        );
        assert!(matches!(
            one.join(&one),
            ParamKind::Primitive {
                varies_at: None,
                ..
            }
        ));
        assert!(matches!(
            one.join(&two),
            ParamKind::Primitive {
                varies_at: Some(_),
                ..
            }
        ));
        assert_eq!(
            ParamKind::Tensor(Box::default()).join(&ParamKind::Unknown),
            ParamKind::Unknown
        );
    }
}
