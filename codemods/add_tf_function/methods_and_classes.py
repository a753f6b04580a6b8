# fixture: --show-refusals
"""Methods, Keras classes, nested classes, closures, already-graph callers."""
import tensorflow as tf


class Model(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = tf.keras.layers.Dense(4)

    def call(self, x):
        return self.dense(x)


class Standalone(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.scale = tf.Variable(2.0)

    def call(self, x):
        return x * self.scale


class Counter(tf.Module):
    def __init__(self):
        self.v = tf.Variable(0)
        self.count = 0

    def __call__(self, x):
        self.count += 1
        return tf.nn.relu(self.v + x) * 2


class Trainer:
    def __init__(self, model):
        self.model = model
        self.losses = []

    def train_step(self, x):
        return tf.reduce_sum(self.model(x))

    def logged_step(self, x):
        loss = tf.reduce_sum(x)
        self.losses.append(loss)
        return loss

    class Inner:
        def test_step(self, x):
            return tf.reduce_mean(tf.square(x - 1.0))


model = Model()
x = tf.ones([2, 4])
for _ in range(10):
    model(x)


def make_closure(scale):
    def apply(x):
        return x * scale

    return apply


@tf.function
def graph_step(x):
    return inner_helper(x)


def inner_helper(x):
    return tf.square(x)


for _ in range(10):
    graph_step(x)


# No forward pass: `__call__` hands out graph functions built by other
# methods (serving signatures); it runs no tensor operation itself.
class Signatures(tf.Module):
    def predict_function(self):
        @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
        def predict(serialized):
            return tf.strings.length(serialized)

        return predict

    def __call__(self, default="predict"):
        return {default: self.predict_function(), "predict": self.predict_function()}
