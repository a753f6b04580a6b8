"""`tf.function`s that need their graph: never removed, and reasons that are
true."""
import random

import tensorflow as tf

w = tf.ones([6, 4])


# A real side effect, but `tf.gradients` works only in a graph: reported,
# not removed.
@tf.function
def noisy_gradients(x):
    y = tf.reduce_sum(tf.matmul(x, w) * random.random())
    return tf.gradients(y, [x])


# A real side effect, but its `tf.function` object is used: reported, not
# removed.
@tf.function
def noisy_traced(x):
    return x * random.random()


concrete = noisy_traced.get_concrete_function(tf.TensorSpec([None], tf.float32))


for _ in range(3):
    noisy_gradients(tf.ones([2, 6]))


# OK: `tf.gradients` and a fresh dict of results: nothing to remove.
@tf.function(input_signature=[tf.TensorSpec([None, 6], tf.float32)])
def gradient_stats(x):
    y = tf.reduce_sum(tf.tanh(tf.matmul(x, w)) ** 2)
    (grad,) = tf.gradients(y, [x])
    positives = {}
    positives["count"] = tf.reduce_sum(tf.cast(grad > 0, tf.int32))
    positives["norm"] = tf.norm(grad)
    return positives


# OK: a `tf.TensorArray` written in a loop over `tf.range`: `.write` is a
# graph operation, not a Python side effect, and the loop needs AutoGraph.
@tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32)])
def gather_rows(ids):
    n = tf.shape(ids)[0]
    out = tf.TensorArray(ids.dtype, size=n)
    out = out.write(0, ids[0])
    with tf.control_dependencies([tf.debugging.assert_positive(n)]):
        for t in tf.range(1, n):
            out = out.write(t, ids[t] + ids[t - 1])
    return out.stack()


# OK: dicts this function makes (new dicts unpacked from a tuple, the
# `**kwargs` dict, a TensorFlow result) are nobody else's.
@tf.function
def split(features):
    positives, negatives = {}, {}
    for key, value in features.items():
        if key.startswith("p"):
            positives[key] = value
        else:
            negatives[key] = value
    return positives, negatives


@tf.function
def scaled(x, **kwargs):
    options = kwargs
    options["scale"] = 2.0
    return x * options["scale"]


@tf.function
def parsed(serialized):
    features = tf.io.parse_example(serialized, {"x": tf.io.FixedLenFeature([], tf.float32)})
    features["y"] = features["x"] * 2.0
    return features


# OK: it calls a recursive Python helper, which runs once while tracing;
# that is no reason to remove its `tf.function`.
def flatten(structure):
    if isinstance(structure, dict):
        return [leaf for value in structure.values() for leaf in flatten(value)]
    return [structure]


@tf.function
def total(structure):
    return tf.add_n(flatten(structure))


# A Keras layer that swaps its inner layer's activation for one call and
# puts it back: reported, not removed (the decorator keeps the layer a
# graph in eager training; without it, the swap runs on every call).
class WeightNorm(tf.keras.layers.Layer):
    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    @tf.function
    def call(self, inputs):
        activation = self.layer.activation
        self.layer.activation = None
        outputs = self.layer(inputs)
        self.layer.activation = activation
        return tf.nn.relu(outputs)


norm = WeightNorm(tf.keras.layers.Dense(3, activation="relu"))
for _ in range(3):
    norm(tf.ones([2, 4]))
