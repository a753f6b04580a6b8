import tensorflow as tf
import tensorflow.compat.v2 as tf2
from tensorflow import function


@tf.function(experimental_relax_shapes=True)
def relaxed(x):
    return x * 2


@tf.function(
    input_signature=[tf.TensorSpec([None], tf.float32)],
    experimental_compile=True,  # XLA
)
def compiled(x):
    return x + 1


@tf2.function(experimental_relax_shapes=True, experimental_compile=False)
def both(x):
    return x


@function(experimental_relax_shapes=True)
def imported(x):
    return x


def make():
    return tf.function(lambda x: x, experimental_relax_shapes=True)


class Model(tf.Module):
    def __init__(self):
        self.call = tf.function(self.call, experimental_compile=True)

    def call(self, x):
        return x


# Reported without a fix: both names are given.
@tf.function(experimental_relax_shapes=True, reduce_retracing=True)
def conflicting(x):
    return x


# OK
@tf.function(reduce_retracing=True, jit_compile=True)
def modern(x):
    return x


# OK: not TensorFlow's `function`.
import functools


@functools.lru_cache(maxsize=None)
def cached(experimental_relax_shapes=True):
    return experimental_relax_shapes
