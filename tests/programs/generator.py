"""A generator yielding tensors, consumed in a loop: must not be converted."""
import tensorflow as tf


def batches(data, size):
    for start in range(0, int(data.shape[0]), size):
        yield tf.reduce_mean(data[start:start + size], axis=0)


data = tf.reshape(tf.range(24, dtype=tf.float32), [12, 2])
means = []
for epoch in range(3):
    for m in batches(data, 4):
        means.append(float(tf.reduce_sum(m)) * (epoch + 1))

print("RESULT " + " ".join("%.6f" % v for v in means))
