"""A subclassed Keras model of 30 small Dense layers, called directly at
module level in an eager loop, then trained with `fit`. Under
`--candidates all` its `call` is judged and left as it is (HY115): with a
`tf.function` of its own, the first call builds the weights inside the trace
and captures them as constants, so the last number printed (the model's
output after `fit`) stays what it was before training (TF 2.21, Keras 3:
23.315956 becomes 27.635801)."""
import time

import numpy as np
import tensorflow as tf
from tensorflow.keras import layers

tf.keras.utils.set_random_seed(0)


class Stack(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = [
            layers.Dense(32, activation="relu", kernel_initializer="he_normal") for _ in range(30)
        ]
        self.head = layers.Dense(1)

    def call(self, x):
        for layer in self.hidden:
            x = layer(x)
        return self.head(x)


model = Stack()
rng = np.random.default_rng(0)
x = tf.constant(rng.random((64, 8)), dtype=tf.float32)
y = tf.constant(rng.random((64, 1)), dtype=tf.float32)

model(x)  # warm-up (builds the weights)

start = time.perf_counter()
total = 0.0
for _ in range(50):
    total += float(tf.reduce_sum(model(x)))
elapsed = (time.perf_counter() - start) * 1000.0

model.compile(optimizer=tf.keras.optimizers.SGD(0.01), loss="mse")
history = model.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)

print("RESULT %.5f %.6f %.6f" % (total, history.history["loss"][-1], float(tf.reduce_sum(model(x)))))
print("TIME_MS %.3f" % elapsed)
