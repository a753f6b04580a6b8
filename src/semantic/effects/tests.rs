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

/// The facts of function `name` of `source`, propagated over the module.
fn facts_in(source: &str, name: &str) -> crate::semantic::facts::FunctionFacts {
    let parsed = ruff_python_parser::parse_module(source).expect("the snippet parses");
    let mut model = SemanticModel::new(parsed.syntax(), source, ModelInputs::default());
    crate::propagate::add_local_facts(&mut model, source);
    let id = model
        .functions
        .iter()
        .position(|function| function.qualified_name == name)
        .unwrap_or_else(|| panic!("no function `{name}`"));
    model.facts[id].clone()
}

const SUBCLASSED_MODEL: &str = "\
import tensorflow as tf
from tensorflow.keras import layers

class SequentialModel(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = [layers.Dense(64) for n in range(100)]
        self.out = layers.Dense(10)

    def call(self, x):
        for layer in self.hidden:
            x = layer(x)
        return self.out(x)

def predict(model, x):
    return tf.nn.softmax(model(x))

model = SequentialModel()
for _ in range(10):
    predict(model, tf.zeros([2, 28]))
";

#[test]
fn calling_each_layer_of_a_list_of_layers_is_tensor_work() {
    assert_eq!(
        effects_in(SUBCLASSED_MODEL, "SequentialModel.call"),
        [Effect::TensorComputation]
    );
}

#[test]
fn a_model_passed_in_is_called_through_its_class() {
    let facts = facts_in(SUBCLASSED_MODEL, "predict");
    assert!(facts.effect(Effect::UnknownCallee).is_none(), "{facts:?}");
    assert!(facts.effect(Effect::TensorComputation).is_some());
    assert!(facts.loop_call.is_some());
    // The model's forward pass runs inside `predict`: under `predict`'s
    // graph, it runs under graph too.
    assert!(
        !facts_in(SUBCLASSED_MODEL, "SequentialModel.call").under_graph,
        "nothing is a graph function yet"
    );
}

#[test]
fn what_the_model_does_reaches_the_function_it_is_passed_to() {
    let source = SUBCLASSED_MODEL.replace(
        "        return self.out(x)",
        "        print(x)\n        return self.out(x)",
    );
    let facts = facts_in(&source, "predict");
    let print = facts.effect(Effect::Print).expect("the model's print");
    assert!(
        print.to_string().contains("SequentialModel.call"),
        "{print}"
    );
}

#[test]
fn layers_appended_in_the_constructor_are_layers() {
    let source = "\
import tensorflow as tf

class Blocks(tf.Module):
    def __init__(self):
        self.blocks = []
        for i in range(4):
            self.blocks.append(tf.keras.layers.Dense(8))

    def run(self, x):
        for block in self.blocks:
            x = block(x)
        return x
";
    assert_eq!(
        effects_in(source, "Blocks.run"),
        [Effect::TensorComputation]
    );
}

#[test]
fn saving_a_checkpoint_is_file_io() {
    let source = "\
import tensorflow as tf

class Trainer:
    def __init__(self, model):
        self.checkpoint = tf.train.Checkpoint(model=model)
        self.manager = tf.train.CheckpointManager(self.checkpoint, '/tmp', 3)

    def save(self):
        self.manager.save()
";
    assert_eq!(
        culprit_in(source, "Trainer.save", Effect::SideEffect),
        said("calls `self.manager.save`, which does file I/O", 9)
    );
}

#[test]
fn a_model_passed_in_that_is_fit_runs_a_loop_of_its_own() {
    let source = "\
import tensorflow as tf

def train(model, x, y):
    model.fit(x, y)

model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
for _ in range(3):
    train(model, tf.zeros([2, 2]), tf.zeros([2, 1]))
";
    let facts = facts_in(source, "train");
    let why = facts
        .effect(Effect::SideEffect)
        .expect("fit is no graph code");
    assert!(why.to_string().contains("model.fit"), "{why}");
}

#[test]
fn a_tensor_array_written_is_no_python_mutation() {
    let source = "\
import tensorflow as tf

def gather(values):
    ta = tf.TensorArray(tf.float32, size=3)
    for i in tf.range(3):
        ta = ta.write(i, values[i])
    ta = ta.stack()
    return ta
";
    assert!(culprit_in(source, "gather", Effect::SideEffect).is_none());
}

#[test]
fn keyword_arguments_are_a_dict_of_the_call_s_own() {
    let source = "def build(**kwargs):\n    kwargs.pop('name', None)\n    return kwargs\n";
    assert!(culprit_in(source, "build", Effect::SideEffect).is_none());
}

#[test]
fn shape_arithmetic_with_keras_utilities_is_no_tensor_work() {
    let source = "\
from tensorflow.python.keras.utils import conv_utils

def output_shape(shape, kernel):
    return [conv_utils.conv_output_length(d, k, 'same', 1) for d, k in zip(shape, kernel)]
";
    assert!(!effects_in(source, "output_shape").contains(&Effect::TensorComputation));
}

#[test]
fn shape_arithmetic_on_python_numbers_returns_a_python_value() {
    let source = "\
def output_width(size, stride):
    padded = (size + stride - 1) // stride * stride
    return max(padded, size) // stride

for n in (17, 24):
    output_width(n, 2)
";
    let facts = facts_in(source, "output_width");
    let why = facts.returns_python.expect("a Python number comes back");
    assert!(
        why.contains("computed from `size`, `stride` at line 3"),
        "{why}"
    );
}

#[test]
fn a_tensor_passed_in_makes_the_same_arithmetic_tensor_work() {
    let source = "\
import tensorflow as tf

def output_width(size, stride):
    return (size + stride - 1) // stride

for n in range(3):
    output_width(tf.constant([17, 24]), 2)
";
    let facts = facts_in(source, "output_width");
    assert_eq!(facts.returns_python, None);
    assert_eq!(facts.returns_unknown, None);
    assert!(facts.effect(Effect::TensorComputation).is_some());
}

#[test]
fn returning_metric_objects_is_returning_python_objects() {
    let source = "\
import tensorflow as tf

def make_metrics():
    return [tf.keras.metrics.Mean(), tf.keras.metrics.Mean()]
";
    let facts = facts_in(source, "make_metrics");
    assert_eq!(
        facts.returns_python.as_deref(),
        Some("returns a container of Python values or objects at line 4")
    );
}

#[test]
fn what_a_helper_returns_is_what_its_caller_returns() {
    let source = "\
import numpy as np
import tensorflow as tf

def to_numpy(x):
    return x.numpy()

def through(x):
    return to_numpy(x)

def relu(x):
    return tf.nn.relu(x)

def through_relu(x):
    return relu(x)
";
    let why = facts_in(source, "through")
        .returns_python
        .expect("NumPy comes back");
    assert!(why.contains("returns the result of `to_numpy`"), "{why}");
    let facts = facts_in(source, "through_relu");
    assert_eq!((facts.returns_python, facts.returns_unknown), (None, None));
}

#[test]
fn a_python_flag_of_self_is_state_read_while_tracing() {
    let source = "\
import tensorflow as tf

class Net(tf.Module):
    def __init__(self):
        self.dense = tf.keras.layers.Dense(4)
        self.scale = 2.0

    def forward(self, x):
        return self.dense(x)

    def scaled(self, x):
        return self.dense(x) * self.scale
";
    assert!(facts_in(source, "Net.forward")
        .effect(Effect::PythonStateRead)
        .is_none());
    let why = facts_in(source, "Net.scaled")
        .effect(Effect::PythonStateRead)
        .map(ToString::to_string);
    assert_eq!(why.as_deref(), Some("reads `self.scale` at line 12"));
}

#[test]
fn a_parameter_left_out_takes_its_default() {
    let source = "\
import tensorflow as tf

def loss(y, p, reduction='mean'):
    if reduction.upper() == 'MEAN':
        return tf.reduce_mean(y - p)
    return y - p

for _ in range(3):
    loss(tf.ones([2]), tf.zeros([2]))
";
    let facts = facts_in(source, "loss");
    assert!(facts.effect(Effect::UnknownCallee).is_none(), "{facts:?}");
    assert!(matches!(
        facts.params[2].1,
        crate::semantic::kinds::ParamKind::Primitive { .. }
    ));
}

#[test]
fn joining_paths_as_text_is_no_io_but_reading_files_is() {
    let source = "\
import os

def path_of(root, name):
    return os.path.join(root, name + '.ckpt')

def exists(root):
    return os.path.exists(root)
";
    assert!(culprit_in(source, "path_of", Effect::SideEffect).is_none());
    assert_eq!(
        culprit_in(source, "exists", Effect::SideEffect),
        said("does I/O (`os.path.exists`)", 7)
    );
}

#[test]
fn methods_of_a_dict_passed_in_compute() {
    let source = "\
import tensorflow as tf

def merge(variables, scale):
    return {name: tf.identity(v) * scale for name, v in variables.items()}

for _ in range(3):
    merge({'a': tf.ones([2])}, 2.0)
";
    let facts = facts_in(source, "merge");
    assert!(facts.effect(Effect::UnknownCallee).is_none(), "{facts:?}");
}

#[test]
fn arithmetic_on_parts_of_a_tuple_of_tensors_is_tensor_work() {
    let source = "\
import tensorflow as tf

def add(t):
    return t[0] + t[1]

for _ in range(3):
    add((tf.ones([2]), tf.ones([2])))
";
    let facts = facts_in(source, "add");
    assert!(
        facts.effect(Effect::TensorComputation).is_some(),
        "{facts:?}"
    );
}

// --- static shapes, graph-only calls, graph loops (see `static_shapes.rs`
// and `graph_mode.rs`) ---

#[test]
fn control_flow_on_a_static_rank_or_shape_is_recorded() {
    let source = "\
import tensorflow as tf
from tensorflow.keras import backend as K

def blur(image):
    expand = image.shape.ndims == 3
    if expand:
        image = image[None]
    return image

def pad(x):
    y = tf.identity(x)
    while len(y) < 4:
        y = tf.concat([y, y], 0)
    return y

def dispatch(a):
    return a if K.ndim(a) == 2 else a[0]

def unrolled(x):
    for i in range(x.shape[0]):
        x = x + 1
    return x
";
    assert_eq!(
        culprit_in(source, "blur", Effect::StaticRank),
        said(
            "decides Python control flow on the static rank of `image` (through `expand`)",
            6
        )
    );
    assert_eq!(culprit_in(source, "blur", Effect::StaticShape), None);
    assert_eq!(
        culprit_in(source, "pad", Effect::StaticShape),
        said("decides Python control flow on the static shape of `y`", 12)
    );
    assert_eq!(
        culprit_in(source, "dispatch", Effect::StaticRank),
        said("decides Python control flow on the static rank of `a`", 17)
    );
    assert_eq!(
        culprit_in(source, "unrolled", Effect::StaticShape),
        said("decides Python control flow on the static shape of `x`", 20)
    );
}

#[test]
fn shapes_that_no_trace_fixes_are_no_static_shape_reads() {
    let source = "\
import numpy as np
import tensorflow as tf

class Layer(tf.keras.layers.Layer):
    def call(self, inputs, extra):
        if len(inputs) == 2:
            inputs = inputs[0]
        table = np.zeros((3, 4))
        if table.shape[0] == 3:
            inputs = inputs + 1.0
        if self.kernel.shape[-1] > 1:
            inputs = inputs * 2.0
        if tf.rank(inputs) == 3:
            inputs = inputs[None]
        return inputs
";
    let effects = effects_in(source, "Layer.call");
    assert!(!effects.contains(&Effect::StaticShape), "{effects:?}");
    assert!(!effects.contains(&Effect::StaticRank), "{effects:?}");
}

#[test]
fn graph_only_calls_and_graph_loops_are_recorded() {
    let source = "\
import tensorflow as tf
import tensorflow.compat.v1 as v1

def grads(x):
    y = tf.reduce_sum(x * x)
    return tf.gradients(y, [x])

def feed():
    return v1.placeholder(tf.float32, [None])

def loop(ids):
    out = tf.TensorArray(tf.int32, size=3)
    for t in tf.range(3):
        out = out.write(t, ids[t])
    return out.stack()

def python_loop(x):
    for _ in range(3):
        x = x + 1
    return x
";
    assert_eq!(
        culprit_in(source, "grads", Effect::GraphOnly),
        said("calls `tf.gradients` (it works only in a graph)", 6)
    );
    assert_eq!(
        culprit_in(source, "feed", Effect::GraphOnly),
        said("calls `v1.placeholder` (a TF1 graph API)", 9)
    );
    assert_eq!(
        culprit_in(source, "loop", Effect::GraphLoop),
        said(
            "loops over `tf.range(...)` (AutoGraph makes it a graph loop)",
            13
        )
    );
    // `TensorArray.write` is a graph operation, not a container mutation.
    assert_eq!(culprit_in(source, "loop", Effect::SideEffect), None);
    assert_eq!(culprit_in(source, "python_loop", Effect::GraphLoop), None);
}

#[test]
fn containers_the_function_makes_are_not_shared_with_the_caller() {
    let source = "\
import tensorflow as tf

def split(features, **kwargs):
    positives, negatives = {}, {}
    positives['a'] = features
    options = kwargs
    options['b'] = 1
    parsed = tf.io.parse_example(features, {})
    parsed['c'] = 2
    return positives, negatives, options, parsed

def unpack_arguments(a, b):
    first, second = b, a
    first.append(1)
";
    assert_eq!(culprit_in(source, "split", Effect::SideEffect), None);
    // Unpacked names keep what they were given: the arguments.
    assert_eq!(
        culprit_in(source, "unpack_arguments", Effect::SideEffect),
        said(
            "mutates `first`, which may be shared with the caller (`.append`)",
            14
        )
    );
}

#[test]
fn a_function_passed_to_a_call_may_be_called_by_it() {
    let source = "\
import tensorflow as tf

log = []

def body(x):
    log.append(1)
    return x * 2

def mapped(x):
    return tf.map_fn(body, x)

def distributed(x, strategy):
    return strategy.run(body, args=(x,))

class Trainer:
    def step(self, x):
        self.last = x
        return x

    def run(self, strategy, x):
        return strategy.run(self.step, args=(x,))

def nested(x):
    def inner(y):
        print(y)
        return y
    return tf.map_fn(inner, x)
";
    for name in ["mapped", "distributed"] {
        let facts = facts_in(source, name);
        let why = facts
            .effect(Effect::SideEffect)
            .unwrap_or_else(|| panic!("`{name}` hands `body` over: {facts:?}"));
        assert!(why.to_string().contains("body"), "{why}");
    }
    assert!(facts_in(source, "Trainer.run")
        .effect(Effect::StateWrite)
        .is_some());
    assert!(facts_in(source, "nested").effect(Effect::Print).is_some());
}

#[test]
fn read_only_methods_of_unknown_values_are_no_unknown_callees() {
    let source = "\
import tensorflow as tf

def shapes(x, config, name):
    y = tf.reshape(x, [-1])
    rank = y.get_shape().as_list()
    keys = [k for k, _ in config.items()]
    return y, rank, keys, name.startswith('a')

def flushes(x, stream):
    stream.flush()
    return tf.reduce_sum(x)
";
    let facts = facts_in(source, "shapes");
    assert!(facts.effect(Effect::UnknownCallee).is_none(), "{facts:?}");
    assert!(facts_in(source, "flushes")
        .effect(Effect::UnknownCallee)
        .is_some());
}

#[test]
fn file_io_through_the_compat_v1_module_is_a_side_effect() {
    let source = "\
import tensorflow as tf

def save(x, folder):
    tf.compat.v1.io.gfile.makedirs(folder)
    return tf.reduce_sum(x)
";
    assert!(culprit_in(source, "save", Effect::SideEffect).is_some());
}

#[test]
fn numpy_on_a_static_shape_runs_while_tracing() {
    let source = "\
import numpy as np
import tensorflow as tf

def pad_dim(dim):
    return 2 ** int(np.ceil(np.log2(dim)))

def pad(x):
    dim = x.shape.as_list()[1]
    return tf.pad(x, [[0, 0], [0, pad_dim(dim) - dim]])

for step in range(3):
    pad(tf.ones([2, 3]))
";
    let facts = facts_in(source, "pad");
    assert_eq!(facts.effect(Effect::EagerOnly), None);
    assert!(facts.effect(Effect::TensorComputation).is_some());
}

#[test]
fn a_static_rank_returned_is_a_python_value() {
    let source = "\
import tensorflow as tf

def rank_of(x):
    return x.shape.ndims + x.ndim

for step in range(3):
    rank_of(tf.ones([2, 3]))
";
    let facts = facts_in(source, "rank_of");
    assert!(facts.returns_python.is_some());
    assert!(facts.effect(Effect::TensorComputation).is_none());
}

/// A constructor parameter stored in an attribute, also inside a list,
/// means nothing in another method: reading it there is Python state, never
/// that method's own parameter (sionna's `PUSCHTransmitter.show` crashed the
/// run: the constructor's parameter 0 was read in a method with none).
#[test]
fn a_constructor_parameter_stored_in_a_list_is_no_parameter_of_other_methods() {
    let source = "\
import tensorflow as tf

class Transmitter(tf.keras.layers.Layer):
    def __init__(self, configs):
        super().__init__()
        if not isinstance(configs, list):
            configs = [configs]
        self._configs = configs
        self._layers = []
        self._layers.append(configs)

    def show(self):
        self._configs[0].carrier.show()
        return self._layers[0].name

    def scale(self, x):
        return x * self._configs[0].gain
";
    let show = facts_in(source, "Transmitter.show");
    assert!(show.params.is_empty(), "{:?}", show.params);
    let scale = facts_in(source, "Transmitter.scale");
    // `scale`'s own parameter `x` is not what `self._configs[0]` reads.
    assert!(
        scale
            .params
            .iter()
            .all(|(_, kind)| format!("{kind:?}").find("ReadsAttribute").is_none()),
        "{:?}",
        scale.params
    );
}

/// What a `raise` builds is an exception to raise, also a class passed in
/// (`raise exception(message)`), and `id()` is a builtin that touches
/// nothing: neither is an unknown callee. The message's own calls count.
#[test]
fn raising_a_given_exception_class_and_id_are_no_unknown_callees() {
    let source = "\
HANDLERS = []

def check(x, exception):
    if x is None:
        raise exception('no value: {}'.format(id(x)))
    return x

def explained(x, exception):
    raise exception(HANDLERS[0](x))
";
    assert_eq!(effects_in(source, "check"), []);
    assert_eq!(effects_in(source, "explained"), [Effect::UnknownCallee]);
}

/// A TensorFlow object built in the function is its own: setting its
/// fields touches nothing outside the call (tf-keras's `_make_node_def`);
/// one taken from a global is not.
#[test]
fn an_object_built_here_is_no_shared_state() {
    let source = "\
import tensorflow as tf

DEFAULT = tf.compat.v1.NodeDef()

def make(name):
    node_def = tf.compat.v1.NodeDef()
    node_def.attr['_cloned'].b = True
    node_def.name = name
    return node_def

def reuse(name):
    node_def = DEFAULT
    node_def.name = name
    return node_def
";
    let writes = |name| {
        effects_in(source, name)
            .into_iter()
            .filter(|e| matches!(e, Effect::SideEffect | Effect::StateWrite))
            .collect::<Vec<_>>()
    };
    assert_eq!(writes("make"), []);
    assert_ne!(writes("reuse"), []);
}
