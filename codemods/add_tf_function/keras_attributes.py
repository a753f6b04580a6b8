"""An attribute of a Keras class that another method sets takes the values
that method gives it; only one no method sets reads as a TensorFlow object
(a layer made elsewhere)."""
import collections

import tensorflow as tf


class Regularized(tf.keras.Model):
    def __init__(self, label_keys=("label",)):
        super().__init__()
        self.label_keys = label_keys

    def compile(self, metric_lists):
        self._name_count = collections.Counter()
        self._names = []
        for metrics, key in zip(metric_lists, self.label_keys):
            for metric in metrics:
                self._names.append(self._unique_name(metric, key))
        super().compile()

    # Not printed: it counts names in a `Counter`, no tensor work
    # (`--show-refusals` prints its HY101, HY111).
    def _unique_name(self, fn, label):
        name = fn.__name__ + "_" + label
        self._name_count[name] += 1
        return "{}_{}".format(name, self._name_count[name])


def accuracy(y, p):
    return tf.reduce_mean(tf.cast(tf.equal(y, p), tf.float32))


model = Regularized()
model.compile([[accuracy, accuracy]])
