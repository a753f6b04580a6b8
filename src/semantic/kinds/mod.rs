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

mod tensor;

pub use tensor::{batched, dataset_method_element, sliced, Dim, Structure, TensorInfo, DTYPES};

/// The abstract value of an expression inside one function or module.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Unknown,
    Tensor(TensorInfo),
    /// A TensorFlow or Keras object that is not a plain tensor: a variable,
    /// a layer or model, an optimizer, a `GradientTape`. Calling it or its
    /// methods is tensor computation.
    TfObject,
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
    /// A list, dict, set or tuple built right here; mutating it touches
    /// nothing that outlives the call.
    Fresh,
    /// A file, a logger or a stream: every method call is I/O.
    Io,
    /// The `index`-th parameter of the function being analysed.
    Param(usize),
    /// An instance of a class defined in the project: `Local` in this module,
    /// `External` by qualified name.
    Instance(ClassRef),
    /// A tuple, list or dict built at a call site as an argument, of tensors
    /// and arrays of known kind. Only call arguments have it; elsewhere such
    /// a literal is `Fresh`.
    Structure(Box<Structure>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClassRef {
    Local(usize),
    External(String),
}

impl Value {
    pub fn join(&self, other: &Self) -> Self {
        match (self, other) {
            (a, b) if a == b => a.clone(),
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
            _ => Value::Unknown,
        }
    }

    pub fn is_tensor_like(&self) -> bool {
        matches!(self, Value::Tensor(_) | Value::TfObject)
    }
}

/// The kind of a parameter, joined over the call sites that pass it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
}

impl ParamKind {
    /// The kind an argument with this value gives its parameter, passed at
    /// `line`.
    pub fn of_argument(value: &Value, line: u32) -> Self {
        match value {
            Value::Tensor(info) => ParamKind::Tensor(Box::new(info.clone())),
            Value::TfObject => ParamKind::Tensor(Box::default()),
            Value::Primitive { literal, varies } => ParamKind::Primitive {
                literal: literal.as_deref().map(Box::from),
                varies_at: varies.then_some(line),
            },
            Value::NdArray(Some(info)) => {
                ParamKind::Other(Some(Box::new(Structure::Leaf((**info).clone()))))
            }
            Value::Structure(structure) => ParamKind::Other(Some(structure.clone())),
            Value::NdArray(None) | Value::Fresh | Value::Io | Value::Instance(_) => {
                ParamKind::Other(None)
            }
            Value::Unknown | Value::Param(_) => ParamKind::Unknown,
        }
    }

    /// Joins the kinds two call sites give a parameter. A varying Python
    /// primitive stays visible whatever else is passed, so that a refusal
    /// can name it.
    pub fn join(&self, other: &Self) -> Self {
        match (self, other) {
            (a, b) if a == b => a.clone(),
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
            (ParamKind::Tensor(a), ParamKind::Tensor(b)) => ParamKind::Tensor(Box::new(a.join(b))),
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

    /// Whether the parameter could be a tensor (it is one, or nothing says
    /// it is not).
    pub fn may_be_tensor(&self) -> bool {
        matches!(self, ParamKind::Tensor(_) | ParamKind::Unknown)
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
        (Value::NdArray(_), _) | (_, Value::NdArray(_)) => Value::NdArray(None),
        _ => Value::Unknown,
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
        );
        let two = ParamKind::of_argument(
            &Value::Primitive {
                literal: Some("2".into()),
                varies: false,
            },
            4,
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
