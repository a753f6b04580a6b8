"""A private helper `_normalize` decorated with @tf.function although it is
called only from the decorated train step: the inner decorator adds nothing
(the outer trace inlines it) but a second Function to trace."""
import time

import numpy as np
import tensorflow as tf

rng = np.random.default_rng(0)
x_data = tf.constant(rng.normal(size=(64, 8)) * 3.0 + 1.0, dtype=tf.float32)
y_data = tf.constant(rng.normal(size=(64, 1)), dtype=tf.float32)
w = tf.Variable(tf.constant(rng.normal(size=(8, 1)) * 0.1, dtype=tf.float32))


@tf.function
def _normalize(x):
    mean, variance = tf.nn.moments(x, axes=[0])
    return (x - mean) * tf.math.rsqrt(variance + 1e-6)


@tf.function(
    input_signature=[tf.TensorSpec([None, 8], tf.float32), tf.TensorSpec([None, 1], tf.float32)]
)
def train_step(x, y):
    x = _normalize(x)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
    w.assign_sub(0.1 * tape.gradient(loss, w))
    return loss


train_step(x_data, y_data)  # warm-up

start = time.perf_counter()
for _ in range(100):
    loss = train_step(x_data, y_data)
elapsed = (time.perf_counter() - start) * 1000.0

print("RESULT %.6f %.6f" % (float(loss), float(tf.reduce_sum(w))))
print("TIME_MS %.3f" % elapsed)
