"""Evaluation harness: per batch, a helper clones the configured Keras metric
objects (fresh state), updates them on the batch and returns the metric
objects with their display names; the loop reads name/result pairs."""
import time

import numpy as np
import tensorflow as tf

rng = np.random.default_rng(0)

METRICS = [
    tf.keras.metrics.SparseCategoricalAccuracy(name="acc"),
    tf.keras.metrics.SparseTopKCategoricalAccuracy(k=2, name="top2"),
    tf.keras.metrics.Mean(name="mean_logit"),
]

batches = [
    (
        tf.constant(rng.normal(size=(32, 5)), dtype=tf.float32),
        tf.constant(rng.integers(0, 5, size=(32,)), dtype=tf.int64),
    )
    for _ in range(4)
]


def _batch_metrics(templates, logits, labels):
    metrics = [type(m).from_config(m.get_config()) for m in templates]
    names = [m.name for m in metrics]
    for m in metrics:
        if type(m) is tf.keras.metrics.Mean:
            m.update_state(tf.reduce_max(logits, axis=1))
        else:
            m.update_state(labels, logits)
    return metrics, names


start = time.perf_counter()
totals = {}
for step in range(12):
    logits, labels = batches[step % len(batches)]
    metrics, names = _batch_metrics(METRICS, logits, labels)
    for name, metric in zip(names, metrics):
        totals[name] = totals.get(name, 0.0) + float(metric.result())
elapsed = (time.perf_counter() - start) * 1000.0

print("RESULT " + " ".join("%s=%.6f" % (k, totals[k]) for k in sorted(totals)))
print("TIME_MS %.3f" % elapsed)
