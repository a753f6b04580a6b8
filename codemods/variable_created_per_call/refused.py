"""Creations that are reported without a fix, and the lazy pattern that is fine."""
import tensorflow as tf


@tf.function
def in_loop(xs):
    for x in xs:
        v = tf.Variable(x)
    return xs


@tf.function
def depends_on_argument(x):
    v = tf.Variable(tf.zeros_like(x))
    v.assign_add(x)
    return v.read_value()


@tf.function
def in_expression(x):
    return tf.Variable(1.0) * x


class NoInit(tf.Module):
    @tf.function
    def __call__(self, x):
        v = tf.Variable(0.0)
        return x + v


@tf.function
def outer(x):
    def inner(y):
        w = tf.Variable(1.0)
        return y * w

    return inner(x)


# OK: created on the first call only.
class Lazy(tf.Module):
    def __init__(self):
        self.v = None

    @tf.function
    def __call__(self, x):
        if self.v is None:
            self.v = tf.Variable(tf.zeros_like(x))
        self.v.assign_add(x)
        return self.v.read_value()


# OK: eager code may create variables on every call.
def eager(x):
    v = tf.Variable(x)
    return v
