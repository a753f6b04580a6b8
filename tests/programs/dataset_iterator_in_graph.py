"""A graph train step that pulls its batch itself with next(it) on a
module-level iterator over a tf.data.Dataset. next() on a dataset iterator is
a graph op (a new batch per call), so this is correct; taking the batch in
the caller and passing it in is the same computation, traced once."""
import time

import numpy as np
import tensorflow as tf

rng = np.random.default_rng(0)
features = rng.normal(size=(256, 8)).astype("float32")
targets = (features @ rng.normal(size=(8, 1))).astype("float32")
dataset = tf.data.Dataset.from_tensor_slices((features, targets)).batch(32).repeat()
it = iter(dataset)

w = tf.Variable(tf.zeros([8, 1]))


@tf.function
def train_step():
    x, y = next(it)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
    w.assign_sub(0.05 * tape.gradient(loss, w))
    return loss


train_step()  # warm-up

start = time.perf_counter()
total = 0.0
for _ in range(40):
    total += float(train_step())
elapsed = (time.perf_counter() - start) * 1000.0

print("RESULT %.6f %.6f" % (total, float(tf.reduce_sum(w))))
print("TRACES %d" % train_step.experimental_get_tracing_count())
print("TIME_MS %.3f" % elapsed)
