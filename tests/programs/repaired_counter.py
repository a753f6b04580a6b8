"""A hot step that counts its calls in a global Python int: HY001 decorates it
and, in the same change, keeps the counter in a tf.Variable (as HY010 does),
so the count stays right and the step runs as a graph."""
import time

import tensorflow as tf

calls = 0
w = tf.constant([[0.5, -0.25, 0.1], [0.125, 1.0, -0.3], [0.2, 0.05, 0.7]])


def step(x):
    global calls
    calls += 1
    for _ in range(20):
        x = tf.tanh(tf.matmul(x, w)) + x * 0.01
    return x


x = tf.constant([[1.0, 2.0, 3.0]])
step(x)
start = time.perf_counter()
for _ in range(200):
    y = step(x)
elapsed = (time.perf_counter() - start) * 1000
print("RESULT %d %.6f %.6f %.6f" % (calls, float(y[0, 0]), float(y[0, 1]), float(y[0, 2])))
print("TIME_MS %.1f" % elapsed)
