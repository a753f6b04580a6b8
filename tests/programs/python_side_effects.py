"""A hot function with real Python side effects (outer list append, .numpy()): must not be converted."""
import tensorflow as tf

history = []
w = tf.constant([[0.9, 0.3], [0.2, 0.7]])


def step(x):
    y = tf.matmul(x, w)
    history.append(float(tf.reduce_sum(y).numpy()))
    return y


x = tf.constant([[1.0, 1.0]])
for _ in range(10):
    x = step(x)

print("RESULT " + " ".join("%.6f" % v for v in history))
