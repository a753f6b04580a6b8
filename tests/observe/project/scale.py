"""A scale that can be changed at run time."""

import tensorflow as tf

SCALE = 1.0


def set_scale(value):
    global SCALE
    SCALE = value


def scaled(x):
    # As a graph function it would keep the value SCALE had when it was
    # traced: `tests/test_scale.py` catches it.
    return tf.reduce_sum(x * SCALE) + tf.reduce_max(x)
