# OK: this module defines its own `print`.
import tensorflow as tf


def print(*args):
    pass


@tf.function
def step(x):
    print(x)
    return x
