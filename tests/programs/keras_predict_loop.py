"""Inference loop over a Keras model of many small Dense layers via a plain predict_step."""
import time

import numpy as np
import tensorflow as tf

tf.keras.utils.set_random_seed(0)

model = tf.keras.Sequential(
    [tf.keras.Input(shape=(16,))]
    + [tf.keras.layers.Dense(16, activation="tanh") for _ in range(50)]
    + [tf.keras.layers.Dense(1)]
)

x = tf.constant(np.random.rand(32, 16), dtype=tf.float32)


def predict_step(x):
    return model(x, training=False)


predict_step(x)  # warm-up

start = time.perf_counter()
total = 0.0
for _ in range(20):
    out = predict_step(x)
    total += float(tf.reduce_sum(out))
elapsed = (time.perf_counter() - start) * 1000.0

print("RESULT %.6f %.6f" % (total, float(tf.reduce_mean(out))))
print("TIME_MS %.3f" % elapsed)
