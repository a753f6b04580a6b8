"""A Keras layer whose call() adds an activity-regularisation loss with
self.add_loss(...), in a small regression model trained with model.fit."""
import numpy as np
import tensorflow as tf

tf.keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)


class ActivityRegularizedDense(tf.keras.layers.Layer):
    def __init__(self, units, rate, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.rate = rate

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units), initializer="glorot_uniform", name="kernel"
        )
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        out = tf.tanh(tf.matmul(inputs, self.kernel) + self.bias)
        self.add_loss(self.rate * tf.reduce_mean(tf.square(out)))
        return out


x = rng.normal(size=(128, 8)).astype("float32")
y = (x @ rng.normal(size=(8, 1))).astype("float32")

model = tf.keras.Sequential(
    [tf.keras.Input(shape=(8,)), ActivityRegularizedDense(16, 0.5), tf.keras.layers.Dense(1)]
)
model.compile(optimizer=tf.keras.optimizers.SGD(0.05), loss="mse")
history = model.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0)

print("RESULT %.6f %.6f %.6f" % (
    history.history["loss"][0], history.history["loss"][-1], float(tf.reduce_sum(model(x[:4])))
))
