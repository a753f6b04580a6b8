"""tf.function(...) created inside the loop: a fresh Function, and a fresh trace, per iteration."""
import time

import tensorflow as tf

bias = tf.constant([0.1, 0.2, 0.3, 0.4])


def update(x, scale):
    return x * scale + 0.1 * tf.sin(x) + bias


x = tf.constant([1.0, 2.0, 3.0, 4.0])
scale = tf.constant(0.5)
tf.function(update)(x, scale)  # warm-up

start = time.perf_counter()
for _ in range(60):
    fast_update = tf.function(update)
    x = fast_update(x, scale)
elapsed = (time.perf_counter() - start) * 1000.0

print("RESULT " + " ".join("%.6f" % v for v in x.numpy()))
print("TIME_MS %.3f" % elapsed)
