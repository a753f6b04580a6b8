"""Variables created in the body of graph methods and functions."""
import tensorflow as tf


class Accumulator(tf.Module):
    def __init__(self, scale):
        self.scale = scale  # kept as given

    @tf.function
    def __call__(self, x):
        total = tf.Variable(0.0, trainable=False)
        total.assign_add(tf.reduce_sum(x) * self.scale)
        return total.read_value()


class FirstInput(tf.Module):
    def __init__(self):
        self.calls = tf.Variable(0)

    @tf.function
    def __call__(self, x):
        state = tf.Variable(tf.zeros_like(x))
        state.assign_add(x)
        return state.read_value()


class Stored(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.units = 4

    @tf.function
    def call(self, x):
        self.bias = tf.Variable(tf.zeros([4]))
        return x + self.bias


@tf.function
def accumulate(x):
    total = tf.Variable(0.0)
    total.assign_add(tf.reduce_sum(x))
    return total.read_value()


def helper(x):
    counter = tf.Variable(initial_value=0, dtype=tf.int64)
    counter.assign_add(1)
    return x


@tf.function
def calls_helper(x):
    return helper(x)
