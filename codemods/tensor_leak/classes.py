"""An attribute of `self` belongs to its class: only that class, its bases
and its subclasses read it through `self`."""
import tensorflow as tf


class Stats(tf.Module):
    @tf.function
    def step(self, x):
        self.spread = tf.math.reduce_std(x)
        return tf.reduce_mean(x)


# OK: another class's `self.spread` is its own attribute.
class NumpyStats:
    def __init__(self):
        self.spread = 0.0

    def report(self):
        return self.spread


# HY015: a subclass reads what its base's graph code stored.
class LoggedStats(Stats):
    def report(self):
        return self.spread


# HY015: another graph method is traced on its own, where the tensor is out
# of scope ("is out of scope and cannot be used here" under TF 2.21).
class Normalizer(tf.Module):
    def __init__(self):
        self.total = tf.Variable(0.0)

    @tf.function
    def observe(self, x):
        self.total.assign_add(x)
        self.var = tf.clip_by_value(self.total, 1e-2, 1e2)

    @tf.function
    def normalize(self, x):
        return x / tf.math.sqrt(self.var)


# OK: the graph method that reads it runs inside the storing trace.
class Cached(tf.Module):
    @tf.function
    def step(self, x):
        self.cache = tf.reduce_sum(x)
        return self.scaled(x)

    @tf.function
    def scaled(self, x):
        return x * self.cache


# A constructor under `tf.function` (seen in a published library): what it
# stores are its parameters, tensors only when a caller passes tensors (said
# so for `scale`); what some code calls (`likelihood`, `postprocess`) and a
# bound method of its own are no tensors at all.
class Surrogate:
    @tf.function
    def __init__(self, likelihood, scale, postprocess=None):
        self.likelihood = likelihood
        self.scale = scale
        self.postprocess = postprocess
        if self.postprocess is None:
            self.postprocess = self._total

    def scaled(self, x):
        return x * self.scale

    @tf.function
    def _total(self, values):
        return tf.reduce_sum(values)

    def gradient(self, x):
        return self.postprocess(self.likelihood(x))
