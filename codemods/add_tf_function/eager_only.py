# fixture: --show-refusals
"""Eager-only calls: `.numpy()`, NumPy on tensors, float() of a tensor."""
import numpy as np
import tensorflow as tf


def calls_numpy(x):
    return tf.square(x).numpy()


def numpy_on_tensor(x):
    y = tf.square(x)
    return np.mean(y)


def numpy_on_param(x):
    return np.sum(x) + tf.reduce_sum(x)


def float_of_tensor(x):
    total = tf.reduce_sum(x)
    return float(total) + 1.0


def helper(x):
    return x.numpy()


def transitive(x):
    return helper(tf.square(x))


x = tf.constant([1.0, 2.0])
for _ in range(5):
    calls_numpy(x)
    numpy_on_tensor(x)
    numpy_on_param(x)
    float_of_tensor(x)
    transitive(x)


# HY102: a dtype where the operation takes its `name`: eager execution
# ignores the name, a graph raises `TypeError` (a string is fine).
def dtype_as_name(x):
    norms = tf.sqrt(tf.reduce_sum(tf.square(x), 1, True, tf.float32))
    return tf.sqrt(norms, name="norms") + tf.nn.relu(x, name=None)


for _ in range(5):
    dtype_as_name(x)


# OK: a tensor in an `if` condition is converted by AutoGraph.
def condition(x):
    if tf.reduce_sum(x) > 0:
        return x * 2.0
    return x


# OK: NumPy on Python constants only runs at trace time.
def numpy_constant(x):
    return x * np.float32(0.5)


for _ in range(5):
    condition(x)
    numpy_constant(x)
