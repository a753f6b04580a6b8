"""A training loop with prints inside graph code."""
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(4)])
optimizer = tf.keras.optimizers.SGD(0.1)

@tf.function

def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x) - y) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    print("loss:", loss)  # runs once, at trace time
    return loss


@tf.function(reduce_retracing=True)
def evaluate(x):
    logits = model(x)
    print("logits", logits, sep=" = ", end="\n")
    return tf.argmax(logits, axis=-1)


class Trainer(tf.Module):
    def __init__(self):
        self.step = tf.function(self._step)

    def _step(self, x):
        print(x)
        return x + 1


def plain(x):
    wrapped = tf.function(inner)
    return wrapped(x)


def inner(x):
    print("inner", x)
    return x


# OK: eager code prints on every call already.

    @tf.function
    def __call__(self, x):
        total = tf.Variable(0.0, trainable=False)
        total.assign_add(tf.reduce_sum(x) * self.scale)
        return total.read_value()


def eager_step(x):
    print("eager", x)
    return x * 2


# OK: a print that reports tracing is meant to run only while tracing.
@tf.function
def traced(x):
    print("Tracing traced() with", x)
    print(f"retracing for shape {x.shape}")
    return x


# OK: a nested function that is never called from graph code.
@tf.function
def outer(x):
    def report():
        print("never traced")

    return x
