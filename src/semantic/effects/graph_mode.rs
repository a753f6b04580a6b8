//! What a function needs a graph for: TensorFlow calls that work only while
//! tracing (`tf.gradients`, TF1 graph and session APIs), calls a graph
//! answers differently (`tf.executing_eagerly()`), and loops that AutoGraph
//! turns into graph loops. A `tf.function` around such code is not there
//! only for speed: removing it breaks the code or changes what it computes.

use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::Ranged;

use super::walker::Walker;
use super::words::ReceiverText;
use super::Effect;

/// Whether `qualified` is an API of TensorFlow 1 only, reached as
/// `tensorflow.x` (`tf.placeholder`, `tf.Session`, `tf.contrib...`,
/// `tf.train.AdamOptimizer`): code that calls it is TF1 code, which builds
/// its own graphs and runs them in sessions (TensorFlow 2 has none of
/// these names outside `tf.compat.v1`).
pub(super) fn tf1_only_api(qualified: &str) -> bool {
    let Some(name) = qualified.strip_prefix("tensorflow.") else {
        return false;
    };
    name.starts_with("contrib.")
        || name.starts_with("layers.")
        || (name.starts_with("train.") && name.ends_with("Optimizer"))
        || matches!(
            name,
            "placeholder"
                | "placeholder_with_default"
                | "Session"
                | "InteractiveSession"
                | "get_default_session"
                | "get_default_graph"
                | "reset_default_graph"
                | "get_variable"
                | "variable_scope"
                | "global_variables_initializer"
                | "local_variables_initializer"
                | "add_to_collection"
                | "get_collection"
                | "trainable_variables"
        )
}

/// Why a call of `qualified` (a name under `tensorflow.`) needs graph
/// execution, as a parenthesis after "calls `tf.x`", when it does.
pub(super) fn graph_only_api(qualified: &str) -> Option<&'static str> {
    if tf1_only_api(qualified) {
        return Some("a TF1 graph API");
    }
    let name = qualified.strip_prefix("tensorflow.")?;
    let (v1, name) = match name.strip_prefix("compat.v1.") {
        Some(rest) => (true, rest),
        None => (false, name.strip_prefix("compat.v2.").unwrap_or(name)),
    };
    match name {
        "gradients" | "hessians" => Some("it works only in a graph"),
        "control_dependencies" => Some("written for a graph's order of operations"),
        "executing_eagerly" | "inside_function" | "get_static_value" => {
            Some("a graph answers it differently")
        }
        // TF1 graph and session APIs, reached through `tf.compat.v1` (or
        // `import tensorflow.compat.v1 as tf`).
        "placeholder"
        | "get_default_graph"
        | "Session"
        | "InteractiveSession"
        | "get_default_session"
        | "add_to_collection"
        | "add_to_collections"
        | "get_collection"
        | "get_collection_ref"
        | "global_variables_initializer"
        | "local_variables_initializer"
        | "tables_initializer"
        | "variables_initializer"
        | "executing_eagerly_outside_functions"
            if v1 =>
        {
            Some("a TF1 graph API")
        }
        _ => None,
    }
}

impl Walker<'_, '_> {
    /// Records a call of a TensorFlow API that needs a graph.
    pub(super) fn graph_only_call(&mut self, qualified: &str, call: &ExprCall) {
        self.effects.tf1_api |= tf1_only_api(qualified);
        if self.has(Effect::GraphOnly) {
            return;
        }
        if let Some(why) = graph_only_api(qualified) {
            let shown = ReceiverText(&call.func);
            self.add(
                Effect::GraphOnly,
                call.start(),
                format_args!("calls `{shown}` ({why})"),
            );
        }
    }

    /// Records a `for` loop over `iter` that AutoGraph converts: over a
    /// TensorFlow value (`tf.range(n)`, a dataset, a tensor) or over
    /// `range()` of a tensor.
    pub(super) fn graph_loop_for(&mut self, iter: &Expr) {
        if self.has(Effect::GraphLoop) {
            return;
        }
        let tensor = self.value(iter).is_tensor_like()
            || matches!(iter, Expr::Call(call)
                if matches!(call.func.as_ref(), Expr::Name(name) if name.id.as_str() == "range" && !self.shadows_builtin("range"))
                && call.arguments.args.iter().any(|arg| self.value(arg).is_tensor_like()));
        if tensor {
            self.add(
                Effect::GraphLoop,
                iter.start(),
                format_args!(
                    "loops over `{}` (AutoGraph makes it a graph loop)",
                    ReceiverText(iter)
                ),
            );
        }
    }

    /// Records a `while` loop whose condition is a tensor.
    pub(super) fn graph_loop_while(&mut self, test: &Expr) {
        if self.has(Effect::GraphLoop) {
            return;
        }
        if self.value(test).is_tensor_like() {
            self.add(
                Effect::GraphLoop,
                test.start(),
                "loops while a tensor condition holds (AutoGraph makes it a graph loop)",
            );
        }
    }

    /// Whether `name` is bound here (a local, a parameter, a global of the
    /// module, an import), so that it is not the builtin of that name.
    pub(super) fn shadows_builtin(&self, name: &str) -> bool {
        self.locals.contains(name)
            || self.param_index(name).is_some()
            || self.module.globals.contains_key(name)
            || self.model.imports.is_bound(name)
    }
}
