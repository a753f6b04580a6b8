//! What the analysis knows of Python's builtins, its standard library and
//! TensorFlow's class hierarchy, as tables: which builtins compute a value
//! and touch nothing else and which reach outside the program, which methods
//! mutate their receiver, which library modules do I/O or compute without
//! effects, and which Keras names build objects that own variables.
//!
//! Each table is a `match`, not a search of a slice: it compiles to
//! comparisons with each name's length and bytes. The walker asks them on
//! its hot paths, so they are inlined there as they were when they lived
//! beside it.

use crate::names::{is_keras, last_segment};

/// What a method that mutates its receiver is a method of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutates {
    /// A `list`, `dict` or `set`: the in-place methods of Python's built-in
    /// containers.
    BuiltinContainer,
    /// Another receiver: a stream (`write`, `writelines`), a queue (`put`),
    /// a `deque` (`appendleft`, `extendleft`), or any object through an
    /// explicit `__setitem__`.
    OtherReceiver,
}

/// Whether the method `name` mutates the object it is called on, and what
/// kind of object has such a method: one table for every question about
/// in-place mutation, so that the walker of effects and the codemods that
/// look for mutated captures agree on the names.
#[inline]
pub fn mutating_method(name: &str) -> Option<Mutates> {
    match name {
        "append" | "extend" | "insert" | "pop" | "remove" | "clear" | "update" | "setdefault"
        | "popitem" | "add" | "discard" | "sort" | "reverse" => Some(Mutates::BuiltinContainer),
        "write" | "writelines" | "put" | "appendleft" | "extendleft" | "__setitem__" => {
            Some(Mutates::OtherReceiver)
        }
        _ => None,
    }
}

/// Builtins that compute a value and touch nothing else.
#[inline]
pub fn is_pure_builtin(name: &str) -> bool {
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
            | "id"
            | "ord"
            | "chr"
            | "bin"
            | "hex"
            | "oct"
            | "ascii"
            | "bytes"
            | "vars"
            | "dir"
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
            | "AttributeError"
            | "LookupError"
            | "ArithmeticError"
            | "ZeroDivisionError"
            | "OverflowError"
            | "ImportError"
            | "NameError"
            | "UserWarning"
            | "DeprecationWarning"
    )
}

/// Builtins with effects outside the program.
#[inline]
pub fn is_io_builtin(name: &str) -> bool {
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

/// Modules (by the first part of a qualified name) whose functions reach
/// outside the program: logging, the file system, processes, the network,
/// serialisation to files.
#[inline]
pub fn is_io_module(root: &str) -> bool {
    matches!(
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
    )
}

/// Whether a function writes a log message (`logging.info`): Python's
/// `logging`, `absl`'s, TensorFlow 1's `tf.compat.v1.logging`.
pub fn is_logging(qualified: &str) -> bool {
    let module = [
        "logging.",
        "absl.logging.",
        "tensorflow.compat.v1.logging.",
        "tensorflow.logging.",
    ]
    .iter()
    .any(|module| qualified.starts_with(module));
    module && LOG_METHODS.contains(&crate::names::last_segment(qualified))
}

/// The methods of a logger that write a message.
pub const LOG_METHODS: &[&str] = &[
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "fatal",
    "log",
];

/// Modules (by the first part of a qualified name) that draw plots or
/// write images: output made for people, not values a program computes
/// with.
#[inline]
pub fn is_plotting_module(root: &str) -> bool {
    matches!(
        root,
        "matplotlib" | "seaborn" | "plotly" | "PIL" | "cv2" | "imageio" | "bokeh"
    )
}

/// Whether a call makes output outside the program: a plot or image (see
/// [`is_plotting_module`]), a file written by a serialiser or a record
/// writer. Reading files is I/O, not output.
pub fn writes_output(qualified: &str) -> bool {
    is_plotting_module(crate::names::root_segment(qualified))
        || matches!(
            qualified,
            "pickle.dump"
                | "json.dump"
                | "csv.writer"
                | "csv.DictWriter"
                | "numpy.save"
                | "numpy.savez"
                | "numpy.savez_compressed"
                | "numpy.savetxt"
                | "tensorflow.io.TFRecordWriter"
                | "tensorflow.python_io.TFRecordWriter"
                | "tensorflow.compat.v1.python_io.TFRecordWriter"
        )
}

/// Modules (by the first part of a qualified name) whose functions build
/// values and touch nothing else.
#[inline]
pub fn is_pure_module(root: &str) -> bool {
    matches!(
        root,
        "functools"
            | "itertools"
            | "operator"
            | "collections"
            | "typing"
            | "dataclasses"
            | "copy"
            | "re"
            | "string"
            | "enum"
            | "abc"
            | "numbers"
            | "types"
            | "inspect"
            | "textwrap"
            | "contextlib"
    )
}

/// Functions of I/O modules that only compute with their arguments: path
/// manipulation as text, JSON to and from strings.
#[inline]
pub fn is_pure_function(qualified: &str) -> bool {
    matches!(
        qualified,
        "os.path.join"
            | "os.path.basename"
            | "os.path.dirname"
            | "os.path.split"
            | "os.path.splitext"
            | "os.path.normpath"
            | "os.path.relpath"
            | "os.path.commonprefix"
            | "os.fspath"
            | "json.dumps"
            | "json.loads"
            | "posixpath.join"
            // Python 2 compatibility names for builtins and dict views.
            | "six.moves.zip"
            | "six.moves.range"
            | "six.moves.xrange"
            | "six.moves.map"
            | "six.moves.filter"
            | "six.moves.zip_longest"
            | "six.moves.reduce"
            | "six.iteritems"
            | "six.itervalues"
            | "six.iterkeys"
            | "six.viewitems"
            | "six.viewvalues"
            | "six.viewkeys"
    )
}

/// Standard-library modules (by the first part of a qualified name) whose
/// classes a project class may derive from without inheriting project code:
/// `abc.ABC`, `typing.Generic`, `enum.Enum`, ...
pub fn is_standard_base_module(root: &str) -> bool {
    matches!(
        root,
        "abc" | "typing" | "enum" | "collections" | "dataclasses" | "builtins"
    )
}

/// Whether a qualified base class name is a Keras `Model`/`Layer` or
/// `tf.Module`.
pub fn is_tf_base(qualified: &str) -> bool {
    let last = qualified.rsplit('.').next().unwrap_or(qualified);
    // A built-in layer or model (`keras.layers.Conv3D`) is a `Layer` too.
    let class_in = |module: &str| {
        qualified.contains(module) && last.starts_with(|c: char| c.is_ascii_uppercase())
    };
    qualified == "tensorflow.Module"
        || (is_keras(qualified)
            && (matches!(last, "Model" | "Layer" | "Sequential")
                || class_in(".layers.")
                || class_in(".models.")))
}

/// Whether calling a Keras/TF qualified name builds an object that owns
/// variables (a layer, a model, an optimizer, a metric).
#[inline]
pub fn creates_variables(qualified: &str) -> bool {
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

/// Whether a Keras class that `creates_variables` is a layer or a model
/// (not an optimizer or a metric): constructing one builds a model.
pub fn builds_layers(qualified: &str) -> bool {
    creates_variables(qualified)
        && (qualified.contains(".layers.")
            || qualified.contains(".models.")
            || matches!(last_segment(qualified), "Model" | "Sequential"))
}

/// What a TensorFlow or Keras function that is no tensor operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TfUtility {
    /// Python code over Python values (shapes, structures, configuration):
    /// no tensor work, no effect.
    Pure,
    /// Reads or writes files (`tf.io.gfile`, saving and loading models).
    Io,
}

/// The protocol buffers of `tf.train` that records are made of
/// (`tf.train.Example(...)`, `tf.train.Feature(...)`): Python objects built
/// from Python values, no tensor work.
fn is_example_proto(rest: &str) -> bool {
    rest.strip_prefix("train.").is_some_and(|name| {
        matches!(
            name,
            "Example"
                | "SequenceExample"
                | "Features"
                | "Feature"
                | "FeatureList"
                | "FeatureLists"
                | "BytesList"
                | "FloatList"
                | "Int64List"
        )
    })
}

/// Whether a TensorFlow class (its name after `tensorflow.`) builds a
/// Python value, no TensorFlow object: a protocol buffer of records (see
/// [`is_example_proto`]) or a static shape (`tf.TensorShape`,
/// `tf.compat.v1.Dimension`).
fn is_python_value_class(rest: &str) -> bool {
    is_example_proto(rest) || matches!(rest, "TensorShape" | "Dimension")
}

/// [`is_python_value_class`], by the qualified name.
pub fn names_python_value_class(qualified: &str) -> bool {
    qualified
        .strip_prefix("tensorflow.compat.v1.")
        .or_else(|| qualified.strip_prefix("tensorflow."))
        .is_some_and(is_python_value_class)
}

/// TensorFlow and Keras functions that compute Python values or do file
/// I/O rather than tensor operations: calling one is no tensor work (a
/// helper doing shape arithmetic with `conv_utils.conv_output_length` is
/// Python code), and converting its caller gains nothing from it.
pub fn tf_utility(qualified: &str) -> Option<TfUtility> {
    let rest = qualified
        .strip_prefix("tensorflow.")
        .or_else(|| qualified.strip_prefix("tf_keras."))
        .or_else(|| qualified.strip_prefix("keras."))
        .unwrap_or(qualified);
    let rest = rest
        .strip_prefix("compat.v2.")
        .or_else(|| rest.strip_prefix("compat.v1."))
        .unwrap_or(rest);
    if rest.starts_with("io.gfile.")
        || matches!(
            rest,
            "saved_model.save"
                | "saved_model.load"
                | "keras.models.load_model"
                | "keras.models.save_model"
                | "models.load_model"
                | "models.save_model"
                | "keras.utils.get_file"
                | "utils.get_file"
                // Checkpoints read from files, by path: a reader, names,
                // values, the latest file of a folder.
                | "train.load_checkpoint"
                | "train.list_variables"
                | "train.load_variable"
                | "train.latest_checkpoint"
                | "train.checkpoints_iterator"
                | "train.get_checkpoint_state"
                | "train.summary_iterator"
        )
    {
        return Some(TfUtility::Io);
    }
    let pure = rest.starts_with("nest.")
        || is_python_value_class(rest)
        || rest.starts_with("python.util.")
        || rest.starts_with("python.framework.tensor_shape.")
        || rest.starts_with("keras.utils.")
        || rest.starts_with("utils.")
        || rest.starts_with("src.utils.")
        || rest.contains(".utils.conv_utils.")
        || rest.contains(".utils.generic_utils.")
        || rest.contains(".utils.tf_utils.")
        || matches!(
            rest,
            "executing_eagerly"
                | "get_logger"
                | "is_tensor"
                | "as_dtype"
                | "dtypes.as_dtype"
                | "compat.dimension_value"
                | "compat.dimension_at_index"
                | "keras.backend.int_shape"
                | "keras.backend.ndim"
                | "keras.backend.floatx"
                | "keras.backend.epsilon"
                | "keras.backend.image_data_format"
                | "keras.backend.is_keras_tensor"
                | "backend.int_shape"
                | "backend.ndim"
                | "backend.floatx"
                | "backend.epsilon"
                | "backend.image_data_format"
                | "config.list_physical_devices"
                | "config.list_logical_devices"
                | "distribute.has_strategy"
                | "distribute.get_strategy"
                | "distribute.in_cross_replica_context"
                | "distribute.get_replica_context"
        );
    pure.then_some(TfUtility::Pure)
}

/// Whether a base class, as a module names it, is a Keras layer by its name
/// (`tf.keras.layers.Layer`, `Layer`, a project's `BaseLayer`): the methods
/// of a class based on one run where Keras traces its `call`.
pub fn names_a_layer(base: &str) -> bool {
    base.ends_with("Layer")
}

/// Methods of a Keras `Model`/`Layer` or `tf.Module` that run its forward
/// pass (`call`, `__call__`) or, by convention, one training or evaluation
/// step.
pub const FORWARD_AND_STEP_METHODS: &[&str] = &[
    "call",
    "__call__",
    "train_step",
    "test_step",
    "eval_step",
    "predict_step",
    "val_step",
];

/// Methods that read without effects on every kind of receiver that has
/// them: the static-shape methods of tensors, `TensorShape` and ragged
/// tensors, the read-only views of a dict, and predicates of a string. Called
/// on a value of unknown kind, they are taken to be what they are on those
/// (an object of the project's own with such a method is resolved as its
/// class, not through this list).
pub const READ_ONLY_METHODS: &[&str] = &[
    "as_list",
    "assert_has_rank",
    "assert_is_compatible_with",
    "bounding_shape",
    "endswith",
    "get_shape",
    "is_compatible_with",
    "is_fully_defined",
    "items",
    "keys",
    "merge_with",
    "nrows",
    "num_elements",
    "row_lengths",
    "row_splits",
    "startswith",
    "values",
    "with_rank",
    "with_rank_at_least",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_methods_and_other_mutating_methods_are_told_apart() {
        assert_eq!(mutating_method("append"), Some(Mutates::BuiltinContainer));
        assert_eq!(
            mutating_method("setdefault"),
            Some(Mutates::BuiltinContainer)
        );
        assert_eq!(mutating_method("write"), Some(Mutates::OtherReceiver));
        assert_eq!(mutating_method("appendleft"), Some(Mutates::OtherReceiver));
        assert_eq!(mutating_method("copy"), None);
    }
}
