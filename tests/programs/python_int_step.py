"""A tf.function fed a Python int step: one trace per distinct step value."""
import time

import tensorflow as tf

w = tf.Variable(tf.ones([8, 8]) * 0.01)


@tf.function
def decay_step(step, x):
    lr = 0.1 / (1.0 + tf.cast(step, tf.float32))
    return x - lr * tf.matmul(x, w)


x = tf.ones([4, 8])
decay_step(0, x)  # warm-up

start = time.perf_counter()
for step in range(1, 101):
    x = decay_step(step, x)
elapsed = (time.perf_counter() - start) * 1000.0

print("RESULT %.6f %.6f" % (float(tf.reduce_sum(x)), float(x[0, 0])))
print("TRACES %d" % decay_step.experimental_get_tracing_count())
print("TIME_MS %.3f" % elapsed)
