"""Two hot functions in one file: a loss made of many small operations,
which pays off as a graph function, and a shift by a module-level offset,
which a graph function would freeze at the value of its first trace."""

import tensorflow as tf

OFFSET = 0.0


def set_offset(value):
    global OFFSET
    OFFSET = value


def loss_of(x, y):
    # Many small operations, each dispatched from Python when run eagerly,
    # all in one call as a graph.
    err = x - y
    total = tf.reduce_mean(tf.square(err))
    for power in range(1, 9):
        total += tf.reduce_mean(tf.abs(err) ** power) / (10.0 * power)
    return total


def shifted(x):
    return x + OFFSET
