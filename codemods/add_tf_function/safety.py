# fixture: --show-refusals
"""HY001 is Safe only when the analysis sees tensors in and tensors out."""
import tensorflow as tf

learning_rate = 0.1


def scale(x):
    # Reads a global that the loop below reassigns: frozen while tracing.
    return x * learning_rate


def describe(x):
    # Returns text: a graph function would return a string tensor.
    y = tf.reduce_sum(x)
    return "sum is positive"


def is_big(x):
    # Returns a Python truth value.
    return tf.reduce_sum(x) is not None


def rank_of(x):
    # Returns static metadata.
    y = x * 2
    return y.shape


def from_unknown(x):
    # The argument comes from something the analysis cannot see.
    return tf.nn.relu(x) * 2.0 + 1.0


def clean(x):
    # OK: tensors in, tensors out, nothing global that changes.
    return tf.nn.relu(x) * 2.0


for step in range(10):
    learning_rate = learning_rate * 0.9
    batch = tf.ones([4, 4])
    scale(batch)
    describe(batch)
    is_big(batch)
    rank_of(batch)
    from_unknown(load_batch(step))
    clean(batch)
