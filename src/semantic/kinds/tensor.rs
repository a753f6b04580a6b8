//! What is known of a tensor: its dtype and shape, and the structure of
//! tensors and arrays that `tf.function` sees in an argument or in the
//! elements of a `tf.data` dataset; how two of them join, and how dataset
//! methods change the structure of the elements.

/// What is known about a tensor's dtype and shape. `None` means unknown; a
/// `None` dimension varies or is unknown. An input signature writes it as
/// a `tf.TensorSpec`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Dim {
    Size(i64),
    Named(Box<str>),
    /// A dimension known to take different sizes: two call sites pass
    /// different sizes, a shape is built from a loop counter, a batched
    /// dataset's last batch is smaller. Evidence that the function is
    /// traced once per size; a signature writes it as `None`.
    Varies,
}

impl Dim {
    /// The dimension that two call sites passing `a` and `b` have in
    /// common: the same one; one that varies when both are sizes that
    /// differ, or either varies; unknown otherwise (a name and a size may
    /// be the same number).
    pub fn join_calls(a: &Option<Dim>, b: &Option<Dim>) -> Option<Dim> {
        match (a, b) {
            (x, y) if x == y => x.clone(),
            (Some(Dim::Varies), _)
            | (_, Some(Dim::Varies))
            | (Some(Dim::Size(_)), Some(Dim::Size(_))) => Some(Dim::Varies),
            _ => None,
        }
    }
}

/// What `tf.function` turns into tensors when it is passed as an argument
/// and is not a tensor itself: a NumPy array of known dtype, or a tuple,
/// list or dict (built at the call site) of such values and tensors. A
/// signature must repeat the structure exactly: a list does not match a
/// tuple spec.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Structure {
    Leaf(TensorInfo),
    Tuple(Vec<Structure>),
    List(Vec<Structure>),
    /// Sorted by key.
    Dict(Vec<(String, Structure)>),
}

impl Structure {
    /// The structure both call sites pass (sizes that differ vary), or
    /// `None` when they differ.
    pub fn join(&self, other: &Self) -> Option<Self> {
        let all = |a: &[Structure], b: &[Structure]| -> Option<Vec<Structure>> {
            if a.len() != b.len() {
                return None;
            }
            a.iter().zip(b).map(|(x, y)| x.join(y)).collect()
        };
        match (self, other) {
            (Structure::Leaf(a), Structure::Leaf(b)) => Some(Structure::Leaf(a.join_calls(b))),
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
    /// What one value that is either `self` or `other` is known to be:
    /// what they have in common (a dimension they disagree on is unknown).
    pub fn join(&self, other: &Self) -> Self {
        self.join_with(other, |x, y| if x == y { x.clone() } else { None })
    }

    /// What the arguments of two call sites, `self` and `other`, have in
    /// common: as [`TensorInfo::join`], but sizes that differ vary (see
    /// [`Dim::join_calls`]).
    pub fn join_calls(&self, other: &Self) -> Self {
        self.join_with(other, Dim::join_calls)
    }

    fn join_with(
        &self,
        other: &Self,
        join_dims: impl Fn(&Option<Dim>, &Option<Dim>) -> Option<Dim>,
    ) -> Self {
        let dtype = if self.dtype == other.dtype {
            self.dtype.clone()
        } else {
            None
        };
        let shape = match (&self.shape, &other.shape) {
            (Some(a), Some(b)) if a.len() == b.len() => {
                Some(a.iter().zip(b).map(|(x, y)| join_dims(x, y)).collect())
            }
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
pub fn sliced(structure: &Structure) -> Option<Structure> {
    map_shapes(structure, &|dims| Some(dims.split_first()?.1.to_vec()))
}

/// The elements of `dataset.method(...)` when the dataset's are `element`:
/// `batch` adds a first dimension of any size; methods that reorder,
/// repeat or cut keep the elements as they are; anything else (`map`,
/// `padded_batch`, ...) is not followed.
pub fn dataset_method_element(element: &Structure, method: &str) -> Option<Structure> {
    match method {
        "batch" => batched(element),
        "shuffle" | "repeat" | "prefetch" | "cache" | "take" | "skip" | "shard" | "filter"
        | "with_options" => Some(element.clone()),
        _ => None,
    }
}

/// `structure` with a first dimension that varies added to every tensor
/// (the last batch is smaller, unless the remainder is dropped; either way
/// `tf.data` says `None`); a tensor of unknown rank stays unknown.
pub fn batched(structure: &Structure) -> Option<Structure> {
    map_shapes(structure, &|dims| {
        Some(
            std::iter::once(Some(Dim::Varies))
                .chain(dims.iter().cloned())
                .collect(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantic::kinds::ParamKind;

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
            a.join_calls(&b),
            TensorInfo {
                dtype: Some("float32".into()),
                shape: Some(vec![Some(Dim::Varies), Some(Dim::Size(8)), named(), None]),
                element: None,
            }
        );
        // One value that is either: what they disagree on is unknown.
        assert_eq!(
            a.join(&b).shape,
            Some(vec![None, Some(Dim::Size(8)), named(), None])
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
            shape: Some(vec![Some(Dim::Varies)]),
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
