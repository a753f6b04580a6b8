"""A learning-rate schedule computed in Python."""

import tensorflow as tf


def learning_rate(step):
    return 0.1 / (1.0 + 0.01 * step)


def decayed(w, rate):
    # `rate` is a new Python float at every step: as a graph function this
    # would be traced again on every call, which is much slower.
    return tf.reduce_sum(w * rate) + tf.reduce_mean(w)


def decay_all(w, steps):
    total = 0.0
    for step in range(steps):
        total += float(decayed(w, learning_rate(step)))
    return total
