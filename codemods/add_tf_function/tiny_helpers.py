"""Helpers too small to gain as graph functions, and some that are not."""
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(4)])


# HY113: one operation, on the Python floats its callers pass.
def to_float(x):
    return tf.cast(x, tf.float32)


# HY113: two operations on a Python value.
def scaled_ones(scale):
    return tf.ones([4]) * scale


# HY001: one operation, but on tensors (no Python value to retrace on).
def softmax(x):
    return tf.nn.softmax(x)


# HY001: a model is any number of operations.
def infer(x, scale):
    return model(x) * scale


# HY001: more than two operations.
def affine(x, scale):
    return tf.matmul(x, x) * scale + tf.reduce_sum(x)


x = tf.ones([4, 4])
for _ in range(10):
    to_float(2.0)
    scaled_ones(0.5)
    softmax(x)
    infer(x, 0.5)
    affine(x, 0.5)
