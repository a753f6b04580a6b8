# fixture: --show-refusals
"""Recursion, generators, variables created per call, Python scalars, tensor iteration."""
import tensorflow as tf


def power(x, n):
    if n == 0:
        return tf.ones_like(x)
    return x * power(x, n - 1)


def ping(x, n):
    return pong(x, n) if n else tf.square(x)


def pong(x, n):
    return ping(x, n - 1)


def uses_recursive(x):
    return power(x, 3)


def batches(data):
    for i in range(3):
        yield tf.reduce_mean(data) * i


def makes_variable(x):
    v = tf.Variable(0.0)
    return v + tf.reduce_sum(x)


def makes_layer(x):
    layer = tf.keras.layers.Dense(4)
    return layer(x)


def scalar_step(step, x):
    return x * tf.cast(step, tf.float32)


def iterates(x):
    total = tf.zeros([])
    for row in x:
        total += tf.reduce_sum(row)
    return total


x = tf.constant([[1.0, 2.0]])
for step in range(10):
    power(x, 3)
    ping(x, 2)
    uses_recursive(x)
    for b in batches(x):
        pass
    makes_variable(x)
    makes_layer(x)
    scalar_step(step, x)
    iterates(x)


# OK: the same Python constant at every call does not retrace.
def constant_scalar(x, scale):
    return x * scale


for _ in range(10):
    constant_scalar(x, 2.0)
