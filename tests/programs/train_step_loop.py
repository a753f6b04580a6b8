"""Custom training loop: an eager train_step with GradientTape called in a Python loop."""
import time

import numpy as np
import tensorflow as tf

tf.random.set_seed(0)
rng = np.random.default_rng(0)

x_data = tf.constant(rng.normal(size=(64, 8)), dtype=tf.float32)
true_w = tf.constant(rng.normal(size=(8, 1)), dtype=tf.float32)
y_data = tf.matmul(x_data, true_w) + 0.1

w1 = tf.Variable(tf.random.normal([8, 16], stddev=0.1, seed=1))
b1 = tf.Variable(tf.zeros([16]))
w2 = tf.Variable(tf.random.normal([16, 1], stddev=0.1, seed=2))
b2 = tf.Variable(tf.zeros([1]))
params = [w1, b1, w2, b2]
optimizer = tf.keras.optimizers.SGD(learning_rate=0.05)


def train_step(x, y):
    with tf.GradientTape() as tape:
        h = tf.nn.tanh(tf.matmul(x, w1) + b1)
        pred = tf.matmul(h, w2) + b2
        loss = tf.reduce_mean(tf.square(pred - y))
    grads = tape.gradient(loss, params)
    optimizer.apply_gradients(zip(grads, params))
    return loss


train_step(x_data, y_data)  # warm-up

start = time.perf_counter()
for _ in range(200):
    loss = train_step(x_data, y_data)
elapsed = (time.perf_counter() - start) * 1000.0

print("RESULT %.6f %.6f" % (float(loss), float(tf.reduce_sum(w2))))
print("TIME_MS %.3f" % elapsed)
