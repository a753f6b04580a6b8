"""Keras objects built on every call of eager code and passed to a graph
function: each new object traces it again."""
import tensorflow as tf

w = tf.Variable([1.0, 2.0])


@tf.function
def step(optimizer, x):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(w * x)
    optimizer.apply_gradients([(tape.gradient(loss, w), w)])
    return loss


@tf.function
def apply(layer, x):
    return layer(x)


# Plain SGD with a constant rate: the same updates from one optimizer.
def plain_sgd(x):
    optimizer = tf.keras.optimizers.SGD(learning_rate=0.1)
    loss = step(optimizer, x)
    print("loss", float(loss))
    return loss


# Adam keeps moments: raises on the second call as written, and keeps its
# state once created once.
def adam(x):
    optimizer = tf.keras.optimizers.Adam(1e-3)
    loss = step(optimizer, x)
    print("loss", float(loss))
    return loss


# A layer: new weights on every call as written.
def layer_per_call(x):
    dense = tf.keras.layers.Dense(2)
    y = apply(dense, x)
    print("y", y.numpy())
    return y


class Trainer(tf.Module):
    def __init__(self):
        self.steps = 0

    # In a method: created in `__init__`, and tracked by the module.
    def epoch(self, x):
        optimizer = tf.keras.optimizers.RMSprop(0.01)
        loss = step(optimizer, x)
        print("loss", float(loss))
        return loss

    # Built from an argument: no fix.
    def epoch_with_rate(self, x, rate):
        optimizer = tf.keras.optimizers.RMSprop(rate)
        return step(optimizer, x)


# Nothing else keeps it eager: created once, the function could run as a
# graph function itself (HY001), on a second run only: no fix.
def pure_epoch(x):
    optimizer = tf.keras.optimizers.SGD(0.1)
    return step(optimizer, x)


# Built from an argument (SGD, so no slots): no fix.
def from_argument(x, rate):
    optimizer = tf.keras.optimizers.SGD(rate)
    return step(optimizer, x)


# A metric starts its totals over: no fix.
def metric_per_call(x):
    mean = tf.keras.metrics.Mean()
    return apply(mean, x)


# Reads a constant bound after the function: no fix.
def late_constant(x):
    optimizer = tf.keras.optimizers.SGD(LATE)
    return step(optimizer, x)


LATE = 0.1


# Nested: no fix.
def outer(x):
    def inner(x):
        optimizer = tf.keras.optimizers.SGD(0.1)
        return step(optimizer, x)

    return inner(x) + inner(x)


# OK: a tf.Variable argument is traced by its shape and dtype; a new one
# per call neither retraces nor raises.
def variable_per_call(x):
    v = tf.Variable(0.0)
    return apply(v, x)


# OK: not passed to a graph function.
def kept_eager(x):
    optimizer = tf.keras.optimizers.SGD(0.1)
    return optimizer


# OK: called once, so its objects are built once.
def main(x):
    optimizer = tf.keras.optimizers.Adam(1e-3)
    for _ in range(3):
        step(optimizer, x)


x = tf.ones([2])
trainer = Trainer()
for _ in range(3):
    plain_sgd(x)
    adam(x)
    layer_per_call(tf.ones([1, 2]))
    trainer.epoch(x)
    trainer.epoch_with_rate(x, 0.1)
    from_argument(x, 0.1)
    pure_epoch(x)
    metric_per_call(x)
    late_constant(x)
    outer(x)
    variable_per_call(x)
    kept_eager(x)
main(x)
