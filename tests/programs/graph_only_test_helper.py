"""Test-style helper that only works as a graph: it takes symbolic gradients
with tf.gradients (which raises under eager execution) and collects per-case
statistics in a fresh local dict it mutates; checked over a table of cases."""
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(0)
w = tf.constant(rng.normal(size=(6, 4)), dtype=tf.float32)


@tf.function(input_signature=[tf.TensorSpec([None, 6], tf.float32)])
def gradient_stats(x):
    y = tf.reduce_sum(tf.tanh(tf.matmul(x, w)) ** 2)
    (grad,) = tf.gradients(y, [x])
    positives = {}
    positives["count"] = tf.reduce_sum(tf.cast(grad > 0, tf.int32))
    positives["mass"] = tf.reduce_sum(tf.nn.relu(grad))
    positives["norm"] = tf.norm(grad)
    return positives


cases = [tf.constant(rng.normal(size=(3, 6)), dtype=tf.float32) for _ in range(8)]

counts, mass, norm = 0, 0.0, 0.0
for _ in range(5):
    for x in cases:
        stats = gradient_stats(x)
        counts += int(stats["count"])
        mass += float(stats["mass"])
        norm += float(stats["norm"])

print("RESULT %d %.6f %.6f" % (counts, mass, norm))
print("TRACES %d" % gradient_stats.experimental_get_tracing_count())
