//! Which loops run once per training step and which once per element of a
//! structure. A loop over a dataset, an iterator, a tensor, `range` of a
//! number of steps, or a `while` loop repeats the same work on new data:
//! the functions it calls are hot. A loop over the elements of a list,
//! tuple or dict that the function was given or built (its inputs, a
//! layer's sublayers, the levels of a pyramid, the states of a decoder) runs
//! once per element each time the function runs, each time on a different
//! value (often of a different shape): it is no step loop, and calling a
//! function there makes nothing hot.

use ruff_python_ast::{Expr, ExprCall, Number};

use super::walker::Walker;
use crate::semantic::kinds::Value;

/// Name parts (`train_ds` → `train`, `ds`) that say a value is a stream of
/// data.
const DATA_WORDS: &[&str] = &[
    "batch",
    "batches",
    "data",
    "dataloader",
    "dataset",
    "ds",
    "epoch",
    "epochs",
    "episode",
    "episodes",
    "examples",
    "gen",
    "generator",
    "it",
    "iter",
    "iterator",
    "loader",
    "records",
    "samples",
    "step",
    "steps",
    "test",
    "train",
    "training",
    "val",
    "valid",
    "validation",
];

/// Name parts that say a value is the parts of a structure (`inputs`,
/// `keyed_grads`, `next_cell_state`), or a number counts them
/// (`num_levels`, `self.num_channels`, `k`): not data, not steps.
const STRUCTURE_WORDS: &[&str] = &[
    "axes",
    "axis",
    "beams",
    "blocks",
    "branches",
    "cell",
    "cells",
    "channels",
    "chunks",
    "classes",
    "columns",
    "components",
    "depth",
    "dict",
    "dim",
    "dims",
    "elements",
    "features",
    "fields",
    "gradients",
    "grads",
    "groups",
    "heads",
    "hops",
    "inputs",
    "k",
    "keys",
    "labels",
    "layers",
    "levels",
    "list",
    "lists",
    "losses",
    "metrics",
    "models",
    "names",
    "nodes",
    "objects",
    "output",
    "outputs",
    "parts",
    "rank",
    "rows",
    "scales",
    "shapes",
    "sizes",
    "specs",
    "splits",
    "stages",
    "state",
    "states",
    "tasks",
    "tensors",
    "towers",
    "transforms",
    "tuple",
    "units",
    "variables",
    "vars",
    "weights",
];

impl Walker<'_, '_> {
    /// Whether a `for` loop or comprehension over `iter` is a step loop.
    pub(super) fn steps_over(&self, iter: &Expr) -> bool {
        self.steps_over_at(iter, 0)
    }

    fn steps_over_at(&self, iter: &Expr, depth: usize) -> bool {
        if depth > 4 {
            return true;
        }
        match iter {
            Expr::Call(call) => {
                if let Some(builtin) = self.wrapping_builtin(call) {
                    return match builtin {
                        "range" => !self.structure_count(&call.arguments.args),
                        // `zip(*rows)` transposes a structure.
                        "zip" if call.arguments.args.iter().any(Expr::is_starred_expr) => false,
                        // As long as its shortest argument.
                        "zip" => call
                            .arguments
                            .args
                            .iter()
                            .all(|arg| self.steps_over_at(arg, depth + 1)),
                        _ => call
                            .arguments
                            .args
                            .first()
                            .is_none_or(|arg| self.steps_over_at(arg, depth + 1)),
                    };
                }
                // `d.items()`, `d.values()`, `d.keys()`: the entries of a
                // dict, a structure (no stream of data has them).
                if let Expr::Attribute(attribute) = call.func.as_ref() {
                    if call.arguments.is_empty()
                        && matches!(attribute.attr.id.as_str(), "items" | "values" | "keys")
                    {
                        return false;
                    }
                }
                // `tf.range(max_depth)`: as `range`, counts steps unless
                // its bounds count the parts of a structure.
                if self
                    .model
                    .imports
                    .resolves_to(&call.func, "tensorflow.range")
                {
                    return !self.structure_count(&call.arguments.args);
                }
                // `tf.unstack(x)`: the slices of one tensor, one per
                // element of a dimension; `tf.nest.flatten(inputs)`: the
                // leaves of a structure.
                if ["tensorflow.unstack", "tensorflow.nest.flatten"]
                    .iter()
                    .any(|name| self.model.imports.resolves_to(&call.func, name))
                {
                    return false;
                }
                // `six.iteritems(d)` & co.: the same, for Python 2 and 3.
                let six_dict = ["six.iteritems", "six.itervalues", "six.iterkeys"];
                if six_dict
                    .iter()
                    .any(|name| self.model.imports.resolves_to(&call.func, name))
                {
                    return false;
                }
                true
            }
            // `levels[:-1]`: a slice of the same structure.
            Expr::Subscript(subscript) if matches!(subscript.slice.as_ref(), Expr::Slice(_)) => {
                self.steps_over_at(&subscript.value, depth + 1)
            }
            Expr::List(_) | Expr::Tuple(_) | Expr::Set(_) | Expr::Dict(_) => false,
            // A parameter is a stream of data only when named as one
            // (`dataset`, `train_ds`, `batches`): the elements of a list
            // it was given (`inputs`, `keyed_grads`, `tokens`) are parts
            // of a structure. Any other value but a container built here
            // may be data.
            Expr::Name(name) => match self.value(iter) {
                Value::Container(_) => false,
                Value::Param(_) => {
                    let name = name.id.as_str();
                    data_name(name)
                }
                // A parameter rebound under a condition (`if infos is None:
                // infos = []`) is still the parameter.
                Value::Unknown if self.param_index(name.id.as_str()).is_some() => {
                    data_name(name.id.as_str())
                }
                // What an unknown or TensorFlow call returned, named as
                // the parts of a structure (`output = pfor(...)`, `grads =
                // tape.gradient(...)`) and not as data: the same.
                Value::Unknown | Value::Tensor(_) => {
                    let name = name.id.as_str();
                    !structure_name(name) || data_name(name)
                }
                _ => true,
            },
            // `self.layers`, `self._label_spec`: attributes of an object are
            // its structure, unless named as data (`self.dataset`).
            Expr::Attribute(attribute) => match self.value(iter) {
                Value::Tensor(_) | Value::NdArray(_) => true,
                _ => data_name(attribute.attr.id.as_str()),
            },
            _ => true,
        }
    }

    /// The builtin a call to which wraps an iterable without changing what
    /// it iterates over (or `range`), when `call` is one.
    fn wrapping_builtin(&self, call: &ExprCall) -> Option<&'static str> {
        let name = match call.func.as_ref() {
            Expr::Name(name) => name.id.as_str(),
            // `six.moves.zip(...)`.
            Expr::Attribute(attribute) => attribute.attr.id.as_str(),
            _ => return None,
        };
        let builtin = match name {
            "range" => "range",
            "zip" => "zip",
            "enumerate" => "enumerate",
            "reversed" => "reversed",
            "sorted" => "sorted",
            "list" => "list",
            "tuple" => "tuple",
            "iter" => "iter",
            _ => return None,
        };
        if matches!(call.func.as_ref(), Expr::Name(_)) && !self.shadows_builtin(builtin) {
            return Some(builtin);
        }
        // Python 2 compatibility imports: `from six.moves import range`.
        let six = self
            .model
            .imports
            .resolves_to(&call.func, &format!("six.moves.{builtin}"));
        six.then_some(builtin)
    }

    /// Whether `range(args)` counts the parts of a structure: every bound is
    /// `len(...)` of a structure, a count named after parts (`num_levels`),
    /// or arithmetic of those with constants (`k - 1`), and one is not a
    /// constant.
    fn structure_count(&self, args: &[Expr]) -> bool {
        let mut counted = false;
        for arg in args {
            match self.count_kind(arg, 0) {
                Count::Structure => counted = true,
                Count::Constant => {}
                Count::Steps => return false,
            }
        }
        counted
    }

    fn count_kind(&self, expr: &Expr, depth: usize) -> Count {
        if depth > 4 {
            return Count::Steps;
        }
        match expr {
            Expr::NumberLiteral(number) if matches!(number.value, Number::Int(_)) => {
                Count::Constant
            }
            Expr::BinOp(binary) => {
                match (
                    self.count_kind(&binary.left, depth + 1),
                    self.count_kind(&binary.right, depth + 1),
                ) {
                    (Count::Steps, _) | (_, Count::Steps) => Count::Steps,
                    (Count::Structure, _) | (_, Count::Structure) => Count::Structure,
                    _ => Count::Constant,
                }
            }
            Expr::Call(call)
                if matches!(call.func.as_ref(), Expr::Name(name) if name.id.as_str() == "len")
                    && !self.shadows_builtin("len") =>
            {
                match call.arguments.args.first() {
                    Some(arg) if !self.steps_over_at(arg, depth + 1) => Count::Structure,
                    _ => Count::Steps,
                }
            }
            // A dimension: `x.shape[-1]`, `tf.shape(x)[0]`.
            Expr::Subscript(subscript) if is_shape(&subscript.value) => Count::Structure,
            Expr::Name(name) if structure_name(name.id.as_str()) => Count::Structure,
            Expr::Attribute(attribute) if structure_name(attribute.attr.id.as_str()) => {
                Count::Structure
            }
            _ => Count::Steps,
        }
    }
}

/// Whether `expr` is a shape: `x.shape`, `x.get_shape()`, `tf.shape(x)`.
fn is_shape(expr: &Expr) -> bool {
    match expr {
        Expr::Attribute(attribute) => attribute.attr.id.as_str() == "shape",
        Expr::Call(call) => match call.func.as_ref() {
            Expr::Attribute(attribute) => {
                matches!(attribute.attr.id.as_str(), "get_shape" | "shape")
            }
            _ => false,
        },
        _ => false,
    }
}

#[derive(Clone, Copy)]
enum Count {
    /// A literal number.
    Constant,
    /// The number of parts of a structure.
    Structure,
    /// Anything else: steps, epochs, a number the analysis cannot place.
    Steps,
}

/// The lower-case parts of an identifier (`train_ds`, `numLevels`).
fn words(name: &str) -> impl Iterator<Item = String> + '_ {
    name.split('_')
        .filter(|part| !part.is_empty())
        .flat_map(|part| {
            let mut out = Vec::new();
            let mut current = String::new();
            for c in part.chars() {
                if c.is_uppercase() && !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
                current.extend(c.to_lowercase());
            }
            out.push(current);
            out
        })
}

fn data_name(name: &str) -> bool {
    words(name).any(|word| DATA_WORDS.contains(&word.as_str()))
}

fn structure_name(name: &str) -> bool {
    words(name).any(|word| STRUCTURE_WORDS.contains(&word.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_split_into_words() {
        assert!(data_name("train_ds"));
        assert!(data_name("trainDataset"));
        assert!(!data_name("keyed_grads"));
        assert!(!data_name("images_list"));
        assert!(structure_name("num_levels"));
        assert!(structure_name("numChannels"));
        assert!(!structure_name("num_steps"));
        assert!(!structure_name("EPOCHS"));
        assert!(structure_name("next_cell_state"));
        assert!(structure_name("output"));
    }
}
