"""Refusals are printed by default only about functions worth converting."""
import tensorflow as tf


# Not printed: no tensor work (`--show-refusals` prints its HY101, HY105).
def log(history, value):
    history.append(value)


# Not printed: one tensor operation is no conversion anyone would make
# (`--show-refusals` prints its HY101).
def record(history, x):
    history.append(tf.reduce_sum(x))


# HY101: a refusal of a function that does tensor work of its own.
def step(history, x):
    y = tf.nn.relu(tf.matmul(x, x))
    history.append(tf.reduce_sum(y) + tf.reduce_max(y))


# Not printed: a closure nobody would lift out (`--show-refusals` prints
# its HY114, HY101).
def train(steps):
    def inner(x):
        y = tf.nn.relu(tf.matmul(x, x))
        history.append(tf.reduce_sum(y) + tf.reduce_max(y))

    for _ in range(steps):
        inner(tf.ones([2, 2]))


history = []
for i in range(3):
    log(history, i)
    record(history, tf.ones([2, 2]))
    step(history, tf.ones([2, 2]))
