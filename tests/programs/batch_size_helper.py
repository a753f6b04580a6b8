"""An evaluation loop that counts examples with a batch-size helper: shape
queries and, on several devices, one addition, over a sample of many
features. Nothing a graph speeds up: passing the sample into a graph function
costs more than the queries."""
import time

import numpy as np
import tensorflow as tf

rng = np.random.default_rng(0)
sample = {
    "k%d" % i: tf.constant(rng.normal(size=(100, 10, 3)), dtype=tf.float32)
    for i in range(18)
}
sample["x"] = tf.constant(rng.normal(size=(100, 6)), dtype=tf.float32)
sample["image"] = tf.constant(rng.normal(size=(100, 32, 32, 3)), dtype=tf.float32)
labels = tf.constant(rng.integers(0, 3, size=100), dtype=tf.int64)
dataset = tf.data.Dataset.from_tensor_slices((sample, labels)).batch(16)
weights = tf.constant(rng.normal(size=(6, 3)), dtype=tf.float32)


def using_multi_device():
    return tf.distribute.get_strategy().num_replicas_in_sync > 1


def compute_batch_size(tensor_dict):
    if using_multi_device():
        dummy = next(iter(tensor_dict.values())).values
        batch_size = 0
        for part in dummy:
            batch_size += tf.shape(part)[0]
    else:
        dummy = next(iter(tensor_dict.values()))
        batch_size = tf.shape(dummy)[0]
    return batch_size


def evaluate(batches):
    seen = 0
    correct = 0
    for batch, label in batches:
        seen += int(compute_batch_size(batch))
        predicted = tf.argmax(tf.matmul(batch["x"], weights), axis=1)
        correct += int(tf.reduce_sum(tf.cast(predicted == label, tf.int32)))
    return seen, correct


batches = list(dataset)
evaluate(batches)
start = time.perf_counter()
for _ in range(50):
    seen, correct = evaluate(batches)
elapsed = (time.perf_counter() - start) * 1000.0
print("RESULT %d %d" % (seen, correct))
print("TIME_MS %.3f" % elapsed)
