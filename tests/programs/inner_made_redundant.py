"""An eager training step calls a private helper that its author decorated
on its own. HY001 decorates the step; the helper's decorator then only adds
a trace inside the step's graph, and HY020 removes it in the same run (a
second run proposes nothing). Same trained weights, faster."""
import time

import tensorflow as tf

tf.keras.utils.set_random_seed(0)
w = tf.Variable(tf.random.normal([8, 1]))
optimizer = tf.keras.optimizers.SGD(0.05)


@tf.function
def _features(x):
    mean, variance = tf.nn.moments(x, axes=[0])
    return (x - mean) * tf.math.rsqrt(variance + 1e-6)


def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.matmul(_features(x), w) - y))
    optimizer.apply_gradients([(tape.gradient(loss, w), w)])
    return loss


x = tf.random.normal([64, 8])
y = tf.reduce_sum(x[:, :3], axis=1, keepdims=True)
train_step(x, y)
start = time.perf_counter()
for _ in range(300):
    loss = train_step(x, y)
print("TIME_MS %.3f" % ((time.perf_counter() - start) * 1000))
print("RESULT %.6f %.6f" % (float(loss), float(tf.reduce_sum(w))))
