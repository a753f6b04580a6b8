"""A tf.function with no tensor computation at all: pure Python, retraced per argument value."""
import time

import tensorflow as tf


@tf.function
def learning_rate(epoch):
    base = 0.1
    return base * (0.5 ** (epoch // 10))


learning_rate(0)  # warm-up

start = time.perf_counter()
rates = []
for epoch in range(40):
    rates.append(float(learning_rate(epoch)))
elapsed = (time.perf_counter() - start) * 1000.0

print("RESULT %.6f %.6f %.6f" % (rates[0], rates[-1], sum(rates)))
print("TIME_MS %.3f" % elapsed)
