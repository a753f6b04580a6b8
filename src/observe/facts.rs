//! Observations as facts: what a profile saw a function's parameters
//! receive, in the analysis's own terms ([`ParamKind`]), so that the
//! codemods that write signatures read observed dtypes and shapes the way
//! they read those inferred from call sites. Observations decide benefit
//! (hot or not, which signature); they never enter a safety precondition.

use super::profile::{Entry, Kind};
use crate::semantic::facts::FunctionFacts;
use crate::semantic::kinds::{Dim, ObjectKind, ParamKind, Structure, TensorInfo};

/// A function observed called at least this often in the profiled run is
/// hot: worth a trace, even when no loop around its calls is visible.
pub const HOT_CALLS: u64 = 10;

/// `facts` with each parameter's kind replaced by what the profile saw it
/// receive, where that is one sort of value the analysis can name (a
/// tensor, an array or a structure of them, a Python scalar, a variable).
pub fn observed_facts(facts: &FunctionFacts, entry: &Entry) -> FunctionFacts {
    let mut observed = facts.clone();
    observed.shapes_vary.resize(observed.params.len(), false);
    for (i, (name, kind)) in observed.params.iter_mut().enumerate() {
        let Some(param) = entry.params.iter().find(|p| &p.name == name) else {
            continue;
        };
        if let Some(seen) = param_kind(&param.kinds) {
            observed.shapes_vary[i] = seen.shape_varies();
            *kind = seen;
        }
    }
    observed
}

/// The kind of a parameter that received `kinds`, when the analysis can
/// name it.
pub fn param_kind(kinds: &[Kind]) -> Option<ParamKind> {
    let [kind] = kinds else {
        return None;
    };
    match kind {
        Kind::Tensor { dtype, shape } => {
            Some(ParamKind::Tensor(Box::new(tensor_info(dtype, shape))))
        }
        Kind::Variable { .. } => Some(ParamKind::Object(ObjectKind::Variable)),
        Kind::Scalar { values, .. } => Some(ParamKind::Primitive {
            literal: match values.as_slice() {
                [only] => Some(only.clone().into_boxed_str()),
                _ => None,
            },
            // Line 0: the value changes between calls, seen nowhere in
            // particular.
            varies_at: (values.len() > 1).then_some(0),
        }),
        Kind::Ndarray { .. } | Kind::Tuple { .. } | Kind::List { .. } | Kind::Dict { .. } => {
            structure(kind).map(|s| ParamKind::Other(Some(Box::new(s))))
        }
        Kind::Object { .. } | Kind::Mixed => None,
    }
}

/// Whether the profile saw the parameter receive a tensor (or a structure
/// holding one) at every call.
pub fn receives_tensors(kinds: &[Kind]) -> bool {
    !kinds.is_empty()
        && kinds.iter().all(|kind| match kind {
            Kind::Tensor { .. } | Kind::Variable { .. } => true,
            Kind::Tuple { items } | Kind::List { items } => receives_tensors(items),
            Kind::Dict { items } => items
                .values()
                .all(|k| receives_tensors(std::slice::from_ref(k))),
            _ => false,
        })
}

fn tensor_info(dtype: &str, shape: &Option<Vec<Option<i64>>>) -> TensorInfo {
    TensorInfo {
        dtype: Some(dtype.to_string()),
        // A dimension that took different sizes is written `None` in a
        // signature, as one that varies between call sites.
        shape: shape.as_ref().map(|dims| {
            dims.iter()
                .map(|dim| Some(dim.map_or(Dim::Varies, Dim::Size)))
                .collect()
        }),
        element: None,
    }
}

fn structure(kind: &Kind) -> Option<Structure> {
    Some(match kind {
        Kind::Tensor { dtype, shape } | Kind::Ndarray { dtype, shape } => {
            Structure::Leaf(tensor_info(dtype, shape))
        }
        Kind::Tuple { items } => {
            Structure::Tuple(items.iter().map(structure).collect::<Option<_>>()?)
        }
        Kind::List { items } => {
            Structure::List(items.iter().map(structure).collect::<Option<_>>()?)
        }
        Kind::Dict { items } => Structure::Dict(
            items
                .iter()
                .map(|(key, item)| Some((key.clone(), structure(item)?)))
                .collect::<Option<_>>()?,
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dimension_that_took_different_sizes_varies() {
        let kind = param_kind(&[Kind::Tensor {
            dtype: "float32".into(),
            shape: Some(vec![None, Some(8)]),
        }])
        .unwrap();
        assert!(kind.shape_varies());
        let ParamKind::Tensor(info) = kind else {
            panic!("{kind:?}")
        };
        assert_eq!(info.dtype.as_deref(), Some("float32"));
        assert_eq!(
            info.shape,
            Some(vec![Some(Dim::Varies), Some(Dim::Size(8))])
        );
    }

    #[test]
    fn two_sorts_of_value_name_nothing() {
        let tensor = Kind::Tensor {
            dtype: "int32".into(),
            shape: Some(vec![]),
        };
        let scalar = Kind::Scalar {
            type_name: "int".into(),
            values: vec!["1".into()],
        };
        assert_eq!(param_kind(&[tensor.clone(), scalar.clone()]), None);
        assert!(receives_tensors(std::slice::from_ref(&tensor)));
        assert!(!receives_tensors(&[tensor, scalar]));
    }
}
