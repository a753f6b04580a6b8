"""A function with tensor work called exactly once: tracing would only cost time."""
import tensorflow as tf


def normalize(x):
    mean = tf.reduce_mean(x)
    std = tf.math.reduce_std(x)
    return (x - mean) / std


x = tf.constant([1.0, 4.0, 9.0, 16.0, 25.0])
y = normalize(x)
print("RESULT " + " ".join("%.6f" % v for v in y.numpy()))
