# fixture: --show-refusals
"""`--show-refusals`: every refusal, also of functions without tensor work."""
import tensorflow as tf


# HY105 (printed only on request): no tensor work.
def log(history, value):
    history.append(value)


# HY101 (printed only on request): one tensor operation.
def record(history, x):
    history.append(tf.reduce_sum(x))


# HY101: a refusal of a function that does tensor work of its own.
def step(history, x):
    y = tf.nn.relu(tf.matmul(x, x))
    history.append(tf.reduce_sum(y) + tf.reduce_max(y))


history = []
for i in range(3):
    log(history, i)
    record(history, tf.ones([2, 2]))
    step(history, tf.ones([2, 2]))
