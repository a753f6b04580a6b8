"""A tf.function using the deprecated experimental_relax_shapes=True (now reduce_retracing=True)."""
import time

import numpy as np
import tensorflow as tf

rng = np.random.default_rng(1)


@tf.function(experimental_relax_shapes=True)
def score(x):
    return tf.reduce_sum(tf.sigmoid(x) * 2.0 - 1.0)


inputs = [tf.constant(rng.normal(size=(n,)), dtype=tf.float32) for n in range(2, 30)]
score(inputs[0])  # warm-up

start = time.perf_counter()
total = 0.0
for _ in range(5):
    for x in inputs:
        total += float(score(x))
elapsed = (time.perf_counter() - start) * 1000.0

print("RESULT %.6f" % total)
print("TIME_MS %.3f" % elapsed)
