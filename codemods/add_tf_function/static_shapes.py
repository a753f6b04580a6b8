"""Static shapes (`x.shape`, `x.shape.as_list()`, `x.ndim`) are Python
values, known while tracing: NumPy on them works in a graph function, and
a function that only computes with them does no tensor work."""
import numpy as np
import tensorflow as tf


def pad_dim(dim):
    return 2 ** int(np.ceil(np.log2(dim)))


def pad(x):
    dim = x.shape.as_list()[1]
    padded = pad_dim(dim)
    if padded != dim:
        x = tf.pad(x, [[0, 0], [0, padded - dim]])
    return x


# HY001: NumPy on the static width of `x` runs while tracing, on a Python
# int; it is no eager-only call.
def kashin_step(x, signs):
    x = pad(x * signs)
    return tf.clip_by_value(x, -1.0, 1.0) + tf.reduce_mean(x)


# Not decorated: shape arithmetic on Python ints, whose answer callers use
# as a Python int (as a graph function it would return a tensor).
def padded_size(x, stride):
    size = x.shape[1]
    return max((size + stride - 1) // stride * stride, size)


# Not decorated: the rank of `x` is a Python int.
def rank_of(x):
    return x.ndim + len(x.shape)


signs = tf.ones([4, 5])
for step in range(3):
    x = tf.random.normal([4, 5])
    y = kashin_step(x, signs)
    width = padded_size(x, 2)
    rank = rank_of(x)
