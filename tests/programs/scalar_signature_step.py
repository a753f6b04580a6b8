"""A tf.function called from three places with a Python int step and a tensor
of fixed shape: one trace per step value. A scalar int32 TensorSpec in an
input_signature (rather than tf.constant at each call) traces it once."""
import time

import tensorflow as tf

w = tf.Variable(tf.ones([8, 8]) * 0.01)


@tf.function
def decay_step(step, x):
    lr = 0.1 / (1.0 + tf.cast(step, tf.float32))
    tf.print("step", step, output_stream="file:///dev/null")
    return x - lr * tf.matmul(x, w)


x = tf.ones([4, 8])
total = decay_step(0, x)  # warm-up

start = time.perf_counter()
for step in range(1, 81):
    total += decay_step(step, x)
for step in range(1000, 1020):
    total += decay_step(step, x)
elapsed = (time.perf_counter() - start) * 1000.0

print("RESULT %.6f %.6f" % (float(tf.reduce_sum(total)), float(total[0, 0])))
print("TRACES %d" % decay_step.experimental_get_tracing_count())
print("TIME_MS %.3f" % elapsed)
