"""A hot helper passes a dtype where `tf.reduce_sum` takes its `name`
(`tf.reduce_sum(x, 1, True, tf.float32)`): eager execution ignores the name,
a graph function raises `TypeError` when it is traced."""
import time

import numpy as np
import tensorflow as tf

rng = np.random.default_rng(0)
batches = [tf.constant(rng.normal(size=(32, 8)), dtype=tf.float32) for _ in range(4)]


def row_norms(x):
    squared = tf.reduce_sum(tf.square(x), 1, True, tf.float32)
    return tf.sqrt(squared + 1e-6) * tf.reduce_mean(x) + tf.reduce_max(x)


row_norms(batches[0])
start = time.perf_counter()
total = 0.0
for step in range(200):
    total += float(tf.reduce_sum(row_norms(batches[step % 4])))
elapsed = (time.perf_counter() - start) * 1000.0
print("RESULT %.6f" % total)
print("TIME_MS %.3f" % elapsed)
