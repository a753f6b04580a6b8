//! What the walker of effects finds in small Python snippets: each test
//! states what a user would see in a refusal (the effect, its words and its
//! line) or what propagation is handed (the calls and their arguments).

use super::{Call, Callee, Culprit, DirectEffects, Effect, ParamRule};
use crate::semantic::kinds::{Dim, TensorInfo, Value};
use crate::semantic::{FunctionId, ModelInputs, SemanticModel};

/// Parses `source`, builds its model and hands `check` the model and a way
/// to find a function by its qualified name.
fn with_model(source: &str, check: impl FnOnce(&SemanticModel, &dyn Fn(&str) -> FunctionId)) {
    let parsed = ruff_python_parser::parse_module(source).expect("the snippet parses");
    let model = SemanticModel::new(parsed.syntax(), source, ModelInputs::default());
    let find = |name: &str| {
        model
            .functions
            .iter()
            .position(|function| function.qualified_name == name)
            .unwrap_or_else(|| panic!("no function `{name}`"))
    };
    check(&model, &find);
}

/// The culprit of `effect` in `effects` as a user reads it: its words and
/// its line.
fn culprit(
    model: &SemanticModel,
    source: &str,
    effects: &DirectEffects,
    effect: Effect,
) -> Option<(String, usize)> {
    effects
        .culprit(effect)
        .map(|Culprit { what, offset, .. }| (what.clone(), model.line_number(source, *offset)))
}

/// The culprit of `effect` in function `name` of `source`.
fn culprit_in(source: &str, name: &str, effect: Effect) -> Option<(String, usize)> {
    let mut found = None;
    with_model(source, |model, find| {
        found = culprit(model, source, &model.effects[find(name)], effect);
    });
    found
}

/// Every effect function `name` of `source` has on its own.
fn effects_in(source: &str, name: &str) -> Vec<Effect> {
    let mut found = Vec::new();
    with_model(source, |model, find| {
        found = model.effects[find(name)]
            .culprits
            .iter()
            .map(|culprit| culprit.effect)
            .collect();
    });
    found
}

fn said(what: &str, line: usize) -> Option<(String, usize)> {
    Some((what.to_string(), line))
}

#[test]
fn print_is_a_python_side_effect_with_its_line() {
    let source = "def log(x):\n    y = x + 1\n    print(y)\n    return y\n";
    assert_eq!(
        culprit_in(source, "log", Effect::Print),
        said("calls `print`", 3)
    );
}

#[test]
fn incrementing_a_self_attribute_in_a_method_writes_to_it() {
    let source = "\
class Counter:
    def __init__(self):
        self.count = 0

    def step(self):
        self.count += 1
";
    assert_eq!(
        culprit_in(source, "Counter.step", Effect::StateWrite),
        said("writes to `self.count`", 6)
    );
    // Setting the attribute up while the object is built is no state write.
    assert_eq!(effects_in(source, "Counter.__init__"), []);
}

#[test]
fn writing_a_declared_global_writes_to_it() {
    let source = "step = 0\n\ndef train():\n    global step\n    step += 1\n";
    assert_eq!(
        culprit_in(source, "train", Effect::StateWrite),
        said("writes to the global `step`", 5)
    );
}

#[test]
fn numpy_on_a_tensor_is_eager_only() {
    let source = "\
import tensorflow as tf

def total(x):
    t = tf.reduce_sum(x)
    return t.numpy()
";
    assert_eq!(
        culprit_in(source, "total", Effect::EagerOnly),
        said("calls `.numpy()`", 5)
    );
    assert_eq!(
        culprit_in(source, "total", Effect::TensorComputation),
        said("calls `reduce_sum`", 4)
    );
}

#[test]
fn numpy_functions_on_a_tensor_are_eager_only() {
    let source = "\
import numpy as np
import tensorflow as tf

def mean(x):
    t = tf.square(x)
    return np.mean(t)
";
    assert_eq!(
        culprit_in(source, "mean", Effect::EagerOnly),
        said("passes a tensor to `numpy.mean`", 6)
    );
}

#[test]
fn mutating_a_fresh_local_list_is_no_side_effect() {
    let source = "\
def collect(n):
    items = []
    for i in range(n):
        items.append(i)
    items.sort()
    return items
";
    assert_eq!(effects_in(source, "collect"), []);
}

#[test]
fn mutating_an_argument_or_a_global_is_a_side_effect() {
    let source = "\
import collections

history = collections.deque()

def record(losses, loss):
    losses.append(loss)

def remember(loss):
    history.appendleft(loss)
";
    assert_eq!(
        culprit_in(source, "record", Effect::SideEffect),
        said("mutates the argument `losses` (`.append`)", 6)
    );
    // A deque's own methods count too, not only those of lists, dicts and
    // sets.
    assert_eq!(
        culprit_in(source, "remember", Effect::SideEffect),
        said("mutates the global `history` (`.appendleft`)", 9)
    );
}

#[test]
fn a_call_to_an_unknown_callee_is_recorded_as_unknown() {
    let source = "def step(x):\n    return mystery(x)\n";
    assert_eq!(
        culprit_in(source, "step", Effect::UnknownCallee),
        said("calls `mystery`", 2)
    );
}

#[test]
fn a_method_of_a_parameter_depends_on_what_is_passed() {
    let source = "def step(model, x):\n    return model.predict(x)\n";
    with_model(source, |model, find| {
        let effects = &model.effects[find("step")];
        assert!(effects.culprits.is_empty(), "{:?}", effects.culprits);
        let conditional = &effects.conditionals[0];
        assert_eq!(conditional.param, 0);
        assert_eq!(conditional.rule, ParamRule::MethodCall);
        assert_eq!(conditional.what, "model.predict");
    });
}

#[test]
fn arithmetic_on_a_parameter_is_tensor_work_if_a_tensor_is_passed() {
    let source = "def scale(x, factor):\n    return x * 2\n";
    with_model(source, |model, find| {
        let effects = &model.effects[find("scale")];
        assert_eq!(effects.params, ["x", "factor"]);
        let conditional = &effects.conditionals[0];
        assert_eq!(
            (
                conditional.param,
                conditional.rule,
                conditional.what.as_str()
            ),
            (0, ParamRule::TensorIfTensor, "computes with `x`")
        );
    });
}

#[test]
fn randomness_and_the_clock_are_side_effects() {
    let source = "\
import random
import time

def noisy(x):
    return x + random.random()

def timed(x):
    start = time.time()
    return x
";
    assert_eq!(
        culprit_in(source, "noisy", Effect::SideEffect),
        said("draws Python random numbers (`random.random`)", 5)
    );
    assert_eq!(
        culprit_in(source, "timed", Effect::SideEffect),
        said("reads the clock (`time.time`)", 8)
    );
}

#[test]
fn creating_variables_and_keras_layers_is_recorded() {
    let source = "\
import tensorflow as tf

def build(x):
    v = tf.Variable(0.0)
    return v

def layer(x):
    return tf.keras.layers.Dense(4)(x)
";
    assert_eq!(
        culprit_in(source, "build", Effect::VariableCreation),
        said("creates a `tf.Variable`", 4)
    );
    assert_eq!(
        culprit_in(source, "layer", Effect::VariableCreation),
        said("creates a Keras `Dense` (and its variables)", 8)
    );
}

#[test]
fn yield_makes_a_generator() {
    let source = "def batches(n):\n    for i in range(n):\n        yield i\n";
    with_model(source, |model, find| {
        let generator = model.effects[find("batches")].generator;
        assert_eq!(
            generator.map(|offset| model.line_number(source, offset)),
            Some(3)
        );
    });
}

#[test]
fn calls_of_module_functions_carry_their_arguments_values() {
    let source = "\
import tensorflow as tf

def step(x, lr):
    return x * lr

def train():
    for i in range(3):
        step(tf.constant([1.0, 2.0]), lr=0.1)
";
    with_model(source, |model, find| {
        let calls = &model.effects[find("train")].calls;
        let [Call {
            callee,
            in_loop,
            bound,
            args,
            keywords,
            ..
        }] = calls.as_slice()
        else {
            panic!("one call expected: {calls:?}");
        };
        assert_eq!(*callee, Callee::Local(find("step")));
        assert!(*in_loop);
        assert!(!*bound);
        assert_eq!(
            args.as_slice(),
            [Some(Value::Tensor(TensorInfo {
                dtype: Some("float32".to_string()),
                shape: Some(vec![Some(Dim::Size(2))]),
                element: None,
            }))]
        );
        assert_eq!(keywords[0].0.as_str(), "lr");
        assert!(matches!(
            &keywords[0].1,
            Value::Primitive { literal: Some(literal), varies: false } if literal == "0.1"
        ));
    });
}

#[test]
fn calls_into_other_modules_are_recorded_by_qualified_name() {
    let source = "from pkg.utils import helper\n\ndef step(x):\n    return helper(x)\n";
    with_model(source, |model, find| {
        let calls = &model.effects[find("step")].calls;
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].callee, Callee::External("pkg.utils.helper".into()));
        // Whether it has effects is for the propagation to say.
        assert!(model.effects[find("step")].culprits.is_empty());
    });
}

#[test]
fn module_level_code_records_calls_but_no_culprits() {
    let source = "def f(x):\n    return x\n\nprint(f(3))\n";
    with_model(source, |model, find| {
        let calls = &model.module_call_effects;
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].callee, Callee::Local(find("f")));
        assert!(matches!(
            &calls[0].args[0],
            Some(Value::Primitive { literal: Some(literal), .. }) if literal == "3"
        ));
    });
}

#[test]
fn the_first_culprit_of_each_effect_is_kept() {
    let source = "def chatty(x):\n    print(x)\n    print(x, x)\n    return x\n";
    assert_eq!(effects_in(source, "chatty"), [Effect::Print]);
    assert_eq!(
        culprit_in(source, "chatty", Effect::Print),
        said("calls `print`", 2)
    );
}
