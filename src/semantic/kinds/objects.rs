//! TensorFlow and Keras objects as the analysis knows them: what a
//! constructor builds (a layer, a model, an optimizer, a checkpoint, ...),
//! and what calling the object or one of its methods does. Keras objects
//! keep their own state (variables, optimizer slots, metric totals) in
//! TensorFlow variables, so calling them is tensor work a graph function
//! can do; checkpoints, summary writers and Keras's own training loops
//! reach outside the graph and are not.

use crate::names::{is_keras, last_segment};

/// A kind of TensorFlow or Keras object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ObjectKind {
    /// `tf.Variable`.
    Variable,
    /// A Keras layer (`layers.Dense(...)`).
    Layer,
    /// A Keras model (`tf.keras.Sequential`, `tf.keras.Model`).
    Model,
    /// A Keras optimizer.
    Optimizer,
    /// A learning-rate schedule (`optimizers.schedules.X`).
    Schedule,
    /// A Keras loss object (`losses.SparseCategoricalCrossentropy()`).
    Loss,
    /// A Keras metric object (`metrics.Mean()`).
    Metric,
    /// A `tf.Module`.
    Module,
    /// A `tf.GradientTape`.
    Tape,
    /// A `tf.TensorArray`: its methods are graph operations.
    TensorArray,
    /// A `tf.train.Checkpoint` or `CheckpointManager`: saving and restoring
    /// are file I/O.
    Checkpoint,
    /// A summary writer (`tf.summary.create_file_writer(...)`).
    SummaryWriter,
    /// A writer of records or files (`tf.io.TFRecordWriter(...)`): what it
    /// writes is output, not state a graph can keep.
    FileWriter,
    /// A Keras symbolic tensor: what `keras.Input(...)` gives, and what
    /// layers and operations make of it while a functional model is built.
    /// No `tf.function` can take one.
    SymbolicTensor,
    /// Any other TensorFlow or Keras object.
    Other,
}

/// What calling an object, or one of its methods, does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectCall {
    /// Tensor work; the object's state lives in TensorFlow variables.
    Tensor,
    /// File I/O or a Keras loop of its own: not for graph code.
    SideEffect(&'static str),
    /// Output written outside the program (a record file): a side effect,
    /// and the sign of code whose job is output.
    Output(&'static str),
    /// Needs eager tensors (NumPy values in or out).
    EagerOnly,
    /// Creates variables.
    CreatesVariables,
}

impl ObjectKind {
    /// The object a call of the TensorFlow or Keras name `qualified`
    /// builds, if it builds one (a class, or a function known to return an
    /// object).
    pub fn built_by(qualified: &str) -> Option<ObjectKind> {
        let last = last_segment(qualified);
        match qualified {
            "tensorflow.Variable" => return Some(ObjectKind::Variable),
            "tensorflow.Module" => return Some(ObjectKind::Module),
            "tensorflow.GradientTape" => return Some(ObjectKind::Tape),
            "tensorflow.TensorArray" => return Some(ObjectKind::TensorArray),
            "tensorflow.train.Checkpoint"
            | "tensorflow.train.CheckpointManager"
            | "tensorflow.compat.v2.train.Checkpoint"
            | "tensorflow.compat.v2.train.CheckpointManager" => {
                return Some(ObjectKind::Checkpoint)
            }
            "tensorflow.summary.create_file_writer"
            | "tensorflow.summary.create_noop_writer"
            | "tensorflow.compat.v2.summary.create_file_writer" => {
                return Some(ObjectKind::SummaryWriter)
            }
            "tensorflow.io.TFRecordWriter"
            | "tensorflow.python_io.TFRecordWriter"
            | "tensorflow.compat.v1.python_io.TFRecordWriter"
            | "tensorflow.compat.v1.io.TFRecordWriter" => return Some(ObjectKind::FileWriter),
            _ => {}
        }
        if !last.chars().next().is_some_and(char::is_uppercase)
            || crate::semantic::builtins::names_python_value_class(qualified)
        {
            return None;
        }
        if is_keras(qualified) {
            let kind = if qualified.contains(".schedules.") {
                ObjectKind::Schedule
            } else if qualified.contains(".optimizers.") {
                ObjectKind::Optimizer
            } else if qualified.contains(".losses.") {
                ObjectKind::Loss
            } else if qualified.contains(".metrics.") {
                ObjectKind::Metric
            } else if matches!(last, "Model" | "Sequential") || qualified.contains(".models.") {
                ObjectKind::Model
            } else if last == "Input" {
                ObjectKind::SymbolicTensor
            } else if qualified.contains(".layers.") && last != "InputSpec" {
                ObjectKind::Layer
            } else {
                ObjectKind::Other
            };
            return Some(kind);
        }
        Some(ObjectKind::Other)
    }

    /// Whether the object owns variables as soon as it is built (creating
    /// one per call of a graph function fails after the first trace).
    pub fn owns_variables(self) -> bool {
        matches!(
            self,
            ObjectKind::Variable
                | ObjectKind::Layer
                | ObjectKind::Model
                | ObjectKind::Optimizer
                | ObjectKind::Metric
        )
    }

    /// What calling the object itself does (`layer(x)`, `loss(y, p)`).
    pub fn call(self) -> ObjectCall {
        match self {
            ObjectKind::Checkpoint | ObjectKind::SummaryWriter => {
                ObjectCall::SideEffect("calls a checkpoint or summary writer")
            }
            ObjectKind::FileWriter => ObjectCall::Output("calls a file writer"),
            _ => ObjectCall::Tensor,
        }
    }

    /// What calling `method` of the object does.
    pub fn method(self, method: &str) -> ObjectCall {
        match (self, method) {
            (_, "numpy") => ObjectCall::EagerOnly,
            (ObjectKind::FileWriter, _) => ObjectCall::Output("writes a file"),
            (
                ObjectKind::Checkpoint,
                "save" | "write" | "restore" | "read" | "sync" | "restore_or_initialize",
            ) => ObjectCall::SideEffect("does file I/O"),
            (ObjectKind::SummaryWriter, "flush" | "close" | "init") => {
                ObjectCall::SideEffect("does file I/O")
            }
            (
                ObjectKind::Model | ObjectKind::Layer | ObjectKind::Module,
                "save" | "save_weights" | "load_weights" | "export" | "save_spec",
            ) => ObjectCall::SideEffect("does file I/O"),
            (
                ObjectKind::Model,
                "fit" | "evaluate" | "predict" | "train_on_batch" | "test_on_batch"
                | "predict_on_batch" | "compile" | "summary",
            ) => ObjectCall::SideEffect("runs a Keras loop of its own (not for graph code)"),
            (
                ObjectKind::Model | ObjectKind::Layer | ObjectKind::Optimizer,
                "get_weights" | "set_weights",
            ) => ObjectCall::EagerOnly,
            (ObjectKind::Model | ObjectKind::Layer, "build" | "add_weight" | "add_variable") => {
                ObjectCall::CreatesVariables
            }
            _ => ObjectCall::Tensor,
        }
    }

    /// How the kind is named in messages ("a Keras layer").
    pub fn describe(self) -> &'static str {
        match self {
            ObjectKind::Variable => "a `tf.Variable`",
            ObjectKind::Layer => "a Keras layer",
            ObjectKind::Model => "a Keras model",
            ObjectKind::Optimizer => "a Keras optimizer",
            ObjectKind::Schedule => "a learning-rate schedule",
            ObjectKind::Loss => "a Keras loss",
            ObjectKind::Metric => "a Keras metric",
            ObjectKind::Module => "a `tf.Module`",
            ObjectKind::Tape => "a `tf.GradientTape`",
            ObjectKind::TensorArray => "a `tf.TensorArray`",
            ObjectKind::Checkpoint => "a checkpoint",
            ObjectKind::SummaryWriter => "a summary writer",
            ObjectKind::FileWriter => "a record writer",
            ObjectKind::SymbolicTensor => "a Keras symbolic tensor",
            ObjectKind::Other => "a TensorFlow object",
        }
    }

    /// Whether a graph function can return it (as a tensor).
    pub fn is_returnable(self) -> bool {
        matches!(
            self,
            ObjectKind::Variable | ObjectKind::TensorArray | ObjectKind::Other
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_name_their_objects() {
        let kind = ObjectKind::built_by;
        assert_eq!(
            kind("tensorflow.keras.layers.Dense"),
            Some(ObjectKind::Layer)
        );
        assert_eq!(kind("keras.layers.Dense"), Some(ObjectKind::Layer));
        assert_eq!(kind("tensorflow.keras.Sequential"), Some(ObjectKind::Model));
        assert_eq!(
            kind("tensorflow.keras.optimizers.Adam"),
            Some(ObjectKind::Optimizer)
        );
        assert_eq!(
            kind("tensorflow.keras.optimizers.schedules.ExponentialDecay"),
            Some(ObjectKind::Schedule)
        );
        assert_eq!(
            kind("tensorflow.keras.metrics.Mean"),
            Some(ObjectKind::Metric)
        );
        assert_eq!(
            kind("tensorflow.train.CheckpointManager"),
            Some(ObjectKind::Checkpoint)
        );
        assert_eq!(
            kind("tensorflow.summary.create_file_writer"),
            Some(ObjectKind::SummaryWriter)
        );
        assert_eq!(kind("tensorflow.nn.relu"), None);
        assert_eq!(kind("tensorflow.keras.losses.mse"), None);
    }

    #[test]
    fn saving_is_io_and_calling_a_layer_is_tensor_work() {
        assert!(matches!(
            ObjectKind::Checkpoint.method("save"),
            ObjectCall::SideEffect(_)
        ));
        assert!(matches!(
            ObjectKind::Model.method("fit"),
            ObjectCall::SideEffect(_)
        ));
        assert_eq!(ObjectKind::Layer.call(), ObjectCall::Tensor);
        assert_eq!(
            ObjectKind::Optimizer.method("apply_gradients"),
            ObjectCall::Tensor
        );
        assert_eq!(ObjectKind::TensorArray.method("write"), ObjectCall::Tensor);
        assert_eq!(ObjectKind::Variable.method("numpy"), ObjectCall::EagerOnly);
    }
}
