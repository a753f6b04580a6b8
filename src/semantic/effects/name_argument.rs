//! A TensorFlow operation given a `name` that is no string: eager execution
//! ignores the name, a graph rejects it (`TypeError: expected string or
//! bytes-like object`). The usual slip is a dtype passed where the
//! signature has `name` (`tf.sqrt(x, tf.float32)`,
//! `tf.reduce_sum(x, 1, True, tf.float32)`).

use ruff_python_ast::{Expr, ExprCall, Number};
use ruff_text_size::Ranged;

use super::values::tf_dtype;
use super::walker::Walker;
use super::Effect;
use crate::names::last_segment;
use crate::semantic::kinds::DTYPES;

/// The position of `name` among the positional parameters of common
/// operations whose signatures end with it.
fn name_position(operation: &str) -> Option<usize> {
    match operation {
        "sqrt" | "square" | "abs" | "exp" | "log" | "negative" | "sigmoid" | "tanh" | "sin"
        | "cos" | "tan" | "floor" | "ceil" | "round" | "sign" | "reciprocal" | "rsqrt"
        | "log1p" | "expm1" | "identity" | "stop_gradient" | "relu" | "relu6" | "elu" | "selu"
        | "softplus" | "softsign" | "erf" | "logical_not" | "is_nan" | "is_inf" | "is_finite" => {
            Some(1)
        }
        "add" | "subtract" | "multiply" | "divide" | "maximum" | "minimum" | "pow" | "equal"
        | "not_equal" | "less" | "less_equal" | "greater" | "greater_equal" | "logical_and"
        | "logical_or" | "squared_difference" | "truediv" | "floordiv" | "floormod" => Some(2),
        "reduce_sum" | "reduce_mean" | "reduce_max" | "reduce_min" | "reduce_prod"
        | "reduce_any" | "reduce_all" | "reduce_logsumexp" | "reduce_std" | "reduce_variance" => {
            Some(3)
        }
        _ => None,
    }
}

impl Walker<'_, '_> {
    /// Records, as eager-only, a call of the TensorFlow operation
    /// `qualified` whose `name` is a value that is certainly no string.
    pub(super) fn name_argument(&mut self, qualified: &str, call: &ExprCall) {
        let operation = last_segment(qualified);
        let keyword = call.arguments.find_keyword("name").map(|k| &k.value);
        let positional = name_position(operation).and_then(|i| call.arguments.args.get(i));
        let Some(value) = keyword.or(positional) else {
            return;
        };
        let Some(shown) = self.not_a_string(value) else {
            return;
        };
        self.add(
            Effect::EagerOnly,
            call.start(),
            format_args!("passes {shown} where `{operation}` takes its `name` (a string)"),
        );
    }

    /// How to show `value` when it is certainly no string: a number, a
    /// boolean, a container, a TensorFlow dtype.
    fn not_a_string(&self, value: &Expr) -> Option<String> {
        match value {
            Expr::NumberLiteral(number) => Some(match &number.value {
                Number::Int(int) => format!("`{int}`"),
                _ => "a number".to_string(),
            }),
            Expr::BooleanLiteral(boolean) => Some(format!(
                "`{}`",
                if boolean.value { "True" } else { "False" }
            )),
            Expr::List(_) | Expr::Tuple(_) | Expr::Dict(_) | Expr::Set(_) => {
                Some("a container".to_string())
            }
            Expr::Attribute(_) => {
                let dtype = tf_dtype(self, value).filter(|d| DTYPES.contains(&d.as_str()))?;
                Some(format!("the dtype `tf.{dtype}`"))
            }
            _ => None,
        }
    }
}
