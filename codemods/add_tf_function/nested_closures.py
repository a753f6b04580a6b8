# fixture: --show-refusals
"""Functions defined inside others: created anew on every call."""
import tensorflow as tf

w = tf.Variable(tf.ones([4, 4]))


# HY001: the loop's function, called in a loop itself.
def epoch(batches):
    # HY114: hot inside `epoch`, but a new function on every call of it.
    def step(x):
        return tf.reduce_sum(tf.matmul(x, w))

    total = 0.0
    for x in batches:
        total += step(x)
    return total


@tf.function
def graph_epoch(x):
    # OK: inside a graph function, a nested function is traced with it.
    def step(y):
        return tf.reduce_sum(tf.matmul(y, w))

    for _ in tf.range(3):
        x = x + step(x)
    return x


for _ in range(3):
    epoch([tf.ones([2, 4])])
    graph_epoch(tf.ones([2, 4]))
