//! Abstract values: what an expression evaluates to, as far as graph
//! conversion cares (a tensor, a Python primitive, a TensorFlow object, a
//! container built on the spot, ...), and the kind of a parameter joined
//! over every call site.

/// What is known about a tensor's dtype and shape. `None` means unknown; a
/// `None` dimension varies or is unknown. HY003 turns this into a
/// `tf.TensorSpec`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TensorInfo {
    pub dtype: Option<String>,
    pub shape: Option<Vec<Option<Dim>>>,
    /// When the value is a `tf.data` dataset: what each of its elements is
    /// (its `element_spec`), as far as known.
    pub element: Option<Box<Structure>>,
}

/// A known dimension: a number, or a module-level name bound to an integer
/// literal (`NUM_STATES`), kept by name so that a signature can say so.
/// Whether the name really is a constant is checked where it is used.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Dim {
    Size(i64),
    Named(Box<str>),
}

/// What `tf.function` turns into tensors when it is passed as an argument
/// and is not a tensor itself: a NumPy array of known dtype, or a tuple,
/// list or dict (built at the call site) of such values and tensors. A
/// signature must repeat the structure exactly: a list does not match a
/// tuple spec.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Structure {
    Leaf(TensorInfo),
    Tuple(Vec<Structure>),
    List(Vec<Structure>),
    /// Sorted by key.
    Dict(Vec<(String, Structure)>),
}

impl Structure {
    /// The structure both call sites pass, or `None` when they differ.
    pub fn join(&self, other: &Self) -> Option<Self> {
        let all = |a: &[Structure], b: &[Structure]| -> Option<Vec<Structure>> {
            if a.len() != b.len() {
                return None;
            }
            a.iter().zip(b).map(|(x, y)| x.join(y)).collect()
        };
        match (self, other) {
            (Structure::Leaf(a), Structure::Leaf(b)) => Some(Structure::Leaf(a.join(b))),
            (Structure::Tuple(a), Structure::Tuple(b)) => all(a, b).map(Structure::Tuple),
            (Structure::List(a), Structure::List(b)) => all(a, b).map(Structure::List),
            (Structure::Dict(a), Structure::Dict(b)) => {
                if a.len() != b.len() || a.iter().zip(b).any(|((x, _), (y, _))| x != y) {
                    return None;
                }
                a.iter()
                    .zip(b)
                    .map(|((key, x), (_, y))| Some((key.clone(), x.join(y)?)))
                    .collect::<Option<Vec<_>>>()
                    .map(Structure::Dict)
            }
            _ => None,
        }
    }
}

impl TensorInfo {
    pub fn join(&self, other: &Self) -> Self {
        let dtype = if self.dtype == other.dtype {
            self.dtype.clone()
        } else {
            None
        };
        let shape = match (&self.shape, &other.shape) {
            (Some(a), Some(b)) if a.len() == b.len() => Some(
                a.iter()
                    .zip(b)
                    .map(|(x, y)| if x == y { x.clone() } else { None })
                    .collect(),
            ),
            _ => None,
        };
        let element = if self.element == other.element {
            self.element.clone()
        } else {
            None
        };
        Self {
            dtype,
            shape,
            element,
        }
    }
}

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
    /// argument of every call (some 135,000 on the 1M-line corpus), and the
    /// kind is 24 bytes this way instead of 56.
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
    /// primitive stays visible whatever else is passed, so that HY106 can
    /// name it.
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

/// The dtypes a `tf.TensorSpec` is written with (`tf.<dtype>`).
pub const DTYPES: &[&str] = &[
    "float16",
    "float32",
    "float64",
    "bfloat16",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "bool",
    "string",
    "complex64",
    "complex128",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_join_to_varying_dimensions() {
        let named = || Some(Dim::Named("N".into()));
        let a = TensorInfo {
            dtype: Some("float32".into()),
            shape: Some(vec![
                Some(Dim::Size(4)),
                Some(Dim::Size(8)),
                named(),
                named(),
            ]),
            element: None,
        };
        let b = TensorInfo {
            dtype: Some("float32".into()),
            shape: Some(vec![
                Some(Dim::Size(2)),
                Some(Dim::Size(8)),
                named(),
                Some(Dim::Size(3)),
            ]),
            element: None,
        };
        assert_eq!(
            a.join(&b),
            TensorInfo {
                dtype: Some("float32".into()),
                shape: Some(vec![None, Some(Dim::Size(8)), named(), None]),
                element: None,
            }
        );
    }

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

    #[test]
    fn structures_join_only_when_they_match() {
        let leaf = |n| {
            Structure::Leaf(TensorInfo {
                dtype: Some("float32".into()),
                shape: Some(vec![Some(Dim::Size(n))]),
                element: None,
            })
        };
        let pair = |n| Structure::Tuple(vec![leaf(n), leaf(2)]);
        let varying = Structure::Leaf(TensorInfo {
            dtype: Some("float32".into()),
            shape: Some(vec![None]),
            element: None,
        });
        assert_eq!(
            pair(1).join(&pair(3)),
            Some(Structure::Tuple(vec![varying, leaf(2)]))
        );
        assert_eq!(pair(1).join(&Structure::List(vec![leaf(1), leaf(2)])), None);
        assert_eq!(pair(1).join(&Structure::Tuple(vec![leaf(1)])), None);
        let dict = |key: &str| Structure::Dict(vec![(key.to_string(), leaf(1))]);
        assert_eq!(dict("a").join(&dict("a")), Some(dict("a")));
        assert_eq!(dict("a").join(&dict("b")), None);
        let structure = |s| ParamKind::Other(Some(Box::new(s)));
        assert_eq!(
            structure(dict("a")).join(&structure(dict("b"))),
            ParamKind::Other(None)
        );
    }
}
