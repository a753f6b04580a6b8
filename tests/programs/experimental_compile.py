"""A tf.function using the deprecated experimental_compile=True (now jit_compile=True)."""
import time

import tensorflow as tf


@tf.function(experimental_compile=True)
def fused(x, y):
    return tf.reduce_sum(tf.tanh(x * y + 1.0))


x = tf.reshape(tf.range(64, dtype=tf.float32), [8, 8]) / 64.0
y = tf.ones([8, 8]) * 0.5
fused(x, y)  # warm-up

start = time.perf_counter()
total = 0.0
for _ in range(100):
    total += float(fused(x, y))
elapsed = (time.perf_counter() - start) * 1000.0

print("RESULT %.6f" % total)
print("TIME_MS %.3f" % elapsed)
