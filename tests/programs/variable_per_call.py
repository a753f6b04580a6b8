"""A tf.Variable created on every call inside a tf.function: ValueError on the first call."""
import tensorflow as tf


@tf.function
def accumulate(x):
    total = tf.Variable(0.0)
    total.assign_add(tf.reduce_sum(x))
    return total.read_value()


results = []
try:
    for i in range(3):
        results.append(float(accumulate(tf.constant([1.0, 2.0]) * (i + 1))))
    print("RESULT " + " ".join("%.6f" % v for v in results))
except ValueError as err:
    print("RESULT error ValueError")
