"""The study's Example 2: a subclassed Keras model of 100 small Dense layers,
called for inference through a plain predict(model, x) in an eager loop."""
import time

import numpy as np
import tensorflow as tf
from tensorflow.keras import layers

tf.keras.utils.set_random_seed(0)


class SequentialModel(tf.keras.Model):
    def __init__(self, **kwargs):
        super(SequentialModel, self).__init__(**kwargs)
        self.flatten = layers.Flatten(input_shape=(28, 28))
        # Add a lot of small layers (he_normal keeps the activations alive
        # through 100 ReLUs, so that the softmax is not uniform)
        self.hidden = [
            layers.Dense(64, activation="relu", kernel_initializer="he_normal") for n in range(100)
        ]
        self.dropout = layers.Dropout(0.2)
        self.dense_2 = layers.Dense(10)

    def call(self, x):
        x = self.flatten(x)
        for layer in self.hidden:
            x = layer(x)
        x = self.dropout(x)
        x = self.dense_2(x)
        return x


def predict(model, x):
    return tf.nn.softmax(model(x))


model = SequentialModel()
images = tf.constant(np.random.default_rng(0).random((16, 28, 28)), dtype=tf.float32)

predict(model, images)  # warm-up (builds the weights)

start = time.perf_counter()
total = 0.0
for _ in range(5):
    probs = predict(model, images)
    total += float(tf.reduce_sum(probs * tf.range(10, dtype=tf.float32)))
elapsed = (time.perf_counter() - start) * 1000.0

print("RESULT %.6f %.6f %d" % (total, float(tf.reduce_max(probs)), int(tf.argmax(probs[0]))))
print("TIME_MS %.3f" % elapsed)
