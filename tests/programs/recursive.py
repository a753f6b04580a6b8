"""A recursive function doing tensor work, called in a loop: must not be converted."""
import tensorflow as tf


def power(x, n):
    if n == 0:
        return tf.ones_like(x)
    return x * power(x, n - 1)


x = tf.constant([1.1, 0.9, 1.01])
total = tf.zeros_like(x)
for n in range(8):
    total = total + power(x, n)

print("RESULT " + " ".join("%.6f" % v for v in total.numpy()))
