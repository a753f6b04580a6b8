"""Keras traces `call` itself: the step that calls the model is converted."""
import tensorflow as tf


# OK: Keras traces a layer's `call` (inside `fit`, `predict` and any graph
# caller); decorated, its `add_loss` would be dropped.
class ActivityRegularized(tf.keras.layers.Layer):
    def __init__(self, rate):
        super().__init__()
        self.rate = rate

    def call(self, inputs):
        out = tf.tanh(inputs)
        self.add_loss(self.rate * tf.reduce_mean(tf.square(out)))
        return out


# OK: a model's `call`, `train_step` and `test_step` are Keras's to trace.
class Regressor(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = tf.keras.layers.Dense(1)

    def call(self, x):
        return self.dense(x)

    def train_step(self, data):
        x, y = data
        return {"loss": tf.reduce_mean(tf.square(self(x) - y))}


# A `tf.Module`'s `__call__` is not traced by Keras: when hot, a candidate.
class Affine(tf.Module):
    def __init__(self):
        self.w = tf.Variable(tf.ones([4, 4]))

    def __call__(self, x):
        return tf.matmul(x, self.w) + 1.0


model = Regressor()
optimizer = tf.keras.optimizers.SGD(0.1)


# HY001: the step that calls the model in the loop is the graph's place.
def predict_step(x):
    return tf.nn.softmax(model(x))


affine = Affine()
x = tf.ones([8, 4])
for _ in range(10):
    predict_step(x)
    affine(x)
