"""An eager per-epoch function creates a fresh tf.keras.optimizers.SGD on
every call and passes it into a graph train step: each new optimizer object
retraces the step (one trace per epoch). Plain SGD without momentum keeps no
per-variable state, so one optimizer for all epochs trains the same weights.
The epoch function logs its last loss, as epoch functions do, so it stays
eager (a graph function would print only while tracing)."""
import time

import numpy as np
import tensorflow as tf

rng = np.random.default_rng(0)
x_data = tf.constant(rng.normal(size=(64, 8)), dtype=tf.float32)
y_data = tf.constant(rng.normal(size=(64, 1)), dtype=tf.float32)
w = tf.Variable(tf.constant(rng.normal(size=(8, 1)) * 0.1, dtype=tf.float32))
b = tf.Variable(tf.zeros([1]))


@tf.function
def train_step(optimizer, x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.tanh(tf.matmul(x, w) + b) - y))
    grads = tape.gradient(loss, [w, b])
    optimizer.apply_gradients(zip(grads, [w, b]))
    return loss


def train_epoch(x, y):
    optimizer = tf.keras.optimizers.SGD(learning_rate=0.1)
    for i in range(0, 64, 16):
        loss = train_step(optimizer, x[i : i + 16], y[i : i + 16])
    print("epoch loss %.6f" % float(loss))
    return loss


start = time.perf_counter()
for epoch in range(8):
    loss = train_epoch(x_data, y_data)
elapsed = (time.perf_counter() - start) * 1000.0

print("RESULT %.6f %.6f %.6f" % (float(loss), float(tf.reduce_sum(w)), float(b[0])))
print("TRACES %d" % train_step.experimental_get_tracing_count())
print("TIME_MS %.3f" % elapsed)
