"""A tf.function with no tensor computation at all: pure Python, retraced per argument value."""
import time

import tensorflow as tf

w = tf.Variable([1.0, -2.0, 3.0])
grad = tf.constant([0.5, 0.25, -0.5])


@tf.function
def learning_rate(epoch):
    base = 0.1
    return base * (0.5 ** (epoch // 10))


learning_rate(0)  # warm-up

start = time.perf_counter()
rates = []
for epoch in range(40):
    lr = learning_rate(epoch)
    w.assign_sub(lr * grad)
    rates.append(float(lr))
elapsed = (time.perf_counter() - start) * 1000.0

print("RESULT %.6f %.6f %.6f %.6f" % (rates[0], rates[-1], sum(rates), float(tf.reduce_sum(w))))
print("TIME_MS %.3f" % elapsed)
