# fixture: --candidates all --show-refusals
"""`--candidates all`: every function is judged on safety alone."""
import tensorflow as tf

history = []


# HY001: nobody calls it here, but it may run as a graph function.
def normalize(x):
    return (x - tf.reduce_mean(x)) / tf.math.reduce_std(x)


# HY001: called once at module level (HY112 is asked only of hot code).
def setup_step(x):
    return tf.reduce_sum(tf.square(x))


setup_step(tf.ones([3]))


# HY001: one operation on a Python value (HY113 is asked only of hot code).
def to_float(x):
    return tf.cast(x, tf.float32)


for step in range(2):
    to_float(1.0)


# HY101: a refusal, printed: it does tensor work.
def record(x):
    history.append(tf.reduce_sum(x))


# Left eager, not printed: no tensor work (`--show-refusals` shows why).
def describe(config):
    return {"name": config.name}


class Scaler:
    def __init__(self, factor):
        self.factor = factor

    # HY001: a method (unsafe: it reads `self`).
    def apply(self, x):
        return tf.multiply(x, self.factor)


# HY115 (on request): Keras traces `call` itself; a `tf.function` of its own
# would freeze the weights built on the first call.
class Block(tf.keras.layers.Layer):
    def call(self, x):
        return tf.nn.relu(x)


# HY115, naming the `add_loss` Keras would no longer see.
class Penalized(tf.keras.layers.Layer):
    def call(self, x):
        self.add_loss(0.01 * tf.reduce_sum(tf.square(x)))
        return tf.nn.relu(x)


def outer(x):
    # HY114: a nested function is created anew on every call of `outer`.
    def inner(y):
        return tf.square(y)

    return inner(x)
