"""Functions called exactly once: left eager, and said so only when they
would otherwise have been converted (HY112)."""
import tensorflow as tf

history = []


# HY112: tensor work on a tensor argument, called once at module level.
def normalize(x):
    return (x - tf.reduce_mean(x)) / tf.math.reduce_std(x)


# OK (silent): called once, but refused anyway — no second finding.
def logged(x):
    history.append(x)
    return tf.reduce_sum(x)


# OK (silent): called once with a value the analysis cannot classify.
def untyped(x):
    return tf.reduce_sum(x)


# OK (silent): called twice.
def twice(x):
    return tf.reduce_sum(x)


# OK (silent): called once, from a function; as hot as its caller.
def inner(x):
    return tf.nn.relu(x)


# HY112: the caller, called once at module level.
def outer(x):
    return inner(tf.square(x))


# HY001: called once, but inside a loop.
def looped(x):
    return tf.reduce_sum(x)


# OK (silent): called once at module level but does no tensor work.
def plain(x):
    return x


class Net(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = tf.keras.layers.Dense(1)

    # OK (silent): a Keras forward pass is a known hot step.
    def call(self, x):
        return self.dense(x)


x = tf.ones([2, 2])
normalize(x)
logged(x)
untyped(load())
twice(x)
twice(x)
outer(x)
for _ in range(3):
    looped(x)
plain(x)
Net().call(x)
