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
