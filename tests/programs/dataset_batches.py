"""A training step fed by a shuffled, batched tf.data dataset whose last batch is smaller: the partial batch retraces the step. The element shapes come from the dataset (its element_spec)."""
import time

import tensorflow as tf

FEATURES = 8

tf.random.set_seed(0)
features = tf.random.normal([1000, FEATURES], seed=1)
labels = tf.random.normal([1000], seed=2)
w = tf.Variable(tf.zeros([FEATURES, 1]))
optimizer = tf.keras.optimizers.SGD(0.01)


@tf.function
def _train_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((tf.matmul(x, w)[:, 0] - y) ** 2)
    optimizer.apply_gradients([(tape.gradient(loss, w), w)])
    return loss


dataset = tf.data.Dataset.from_tensor_slices((features, labels)).batch(48)

start = time.perf_counter()
total = 0.0
for epoch in range(5):
    for x, y in dataset:
        total += float(_train_step(x, y))
elapsed = (time.perf_counter() - start) * 1000.0

print("RESULT %.6f %.6f" % (total, float(tf.reduce_sum(w))))
print("TRACES %d" % _train_step.experimental_get_tracing_count())
print("TIME_MS %.3f" % elapsed)
