"""A tf.function fed tensors whose batch size changes on every call (retraces per shape)."""
import time

import numpy as np
import tensorflow as tf

rng = np.random.default_rng(0)
w = tf.constant(rng.normal(size=(4, 3)), dtype=tf.float32)


@tf.function
def forward(x):
    return tf.reduce_sum(tf.nn.relu(tf.matmul(x, w)), axis=1)


batches = [tf.constant(rng.normal(size=(n, 4)), dtype=tf.float32) for n in range(1, 41)]

forward(batches[0])  # warm-up

start = time.perf_counter()
total = 0.0
for _ in range(3):
    for batch in batches:
        total += float(tf.reduce_sum(forward(batch)))
elapsed = (time.perf_counter() - start) * 1000.0

print("RESULT %.6f" % total)
print("TRACES %d" % forward.experimental_get_tracing_count())
print("TIME_MS %.3f" % elapsed)
