"""A tf.function defined inside a function that is called every step: re-created and re-traced each time."""
import time

import tensorflow as tf

w = tf.constant([[0.5, -0.25], [0.75, 0.1]])


def step(x):
    @tf.function
    def inner(v):
        return tf.tanh(tf.matmul(v, w) + 0.3) + 0.2 * v

    return inner(x)


x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
step(x)  # warm-up

start = time.perf_counter()
for _ in range(60):
    x = step(x)
elapsed = (time.perf_counter() - start) * 1000.0

print("RESULT " + " ".join("%.6f" % v for v in x.numpy().ravel()))
print("TIME_MS %.3f" % elapsed)
