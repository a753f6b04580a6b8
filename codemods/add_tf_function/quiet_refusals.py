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


@tf.function
def graph_step(x):
    return tf.reduce_sum(tf.nn.relu(tf.matmul(x, x)))


# Not printed: its work runs in `graph_step` already, and summaries are
# bookkeeping (`--show-refusals` prints its HY101, HY106).
def logged_step(x, step):
    loss = graph_step(x)
    tf.summary.scalar("loss", loss, step=step)
    tf.summary.scalar("max", tf.reduce_max(x), step=step)
    history.append(step)
    return loss


# Not printed: summaries of each variable (`--show-refusals` prints its
# HY101, HY106, HY110).
def variable_summaries(variables, step):
    for var in variables:
        tf.summary.histogram(var.name.replace(":", "_"), var, step=step)
        tf.summary.scalar(var.name + "/norm", tf.norm(var), step=step)
        history.append(var.name)


history = []
for i in range(3):
    logged_step(tf.ones([2, 2]), i)
    variable_summaries([tf.Variable(1.0)], i)
    log(history, i)
    record(history, tf.ones([2, 2]))
    step(history, tf.ones([2, 2]))
