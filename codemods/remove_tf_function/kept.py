"""`tf.function`s HY020 leaves alone: nothing here is reported."""
import logging
import custom
import tensorflow as tf
from tf_image.core.convert_type_decorator import convert_type


# Another decorator wraps the `tf.function` object and may expect it.
@custom.decorator(input_signature=None)
@tf.function(autograph=False)
def wrapped():
    pass


# Another decorator inside may add the tensor work the body does not show.
@tf.function
@convert_type
def converted():
    pass


# A tuple of tensors bound to a name and passed in: `t[0] + t[1]` is
# tensor computation, even though the tuple's shape is not followed.
@tf.function
def add(t):
    return t[0] + t[1]


# `[None] * len(values)` is a new list: filling it in touches nothing of
# the caller's (TFP's `common_dtype`, under its decorated `lbeta`).
def common_dtype(values):
    seen = [None] * len(values)
    for i, value in enumerate(values):
        seen[i] = value.dtype
    return seen[0]


@tf.function(autograph=False)
def lbeta(x, y):
    dtype = common_dtype([x, y])
    return tf.math.lgamma(tf.cast(x, dtype)) + tf.math.lgamma(tf.cast(y, dtype))


# Logging while tracing is what the author meant ("Tracing ..."): no
# reason to make the step eager.
@tf.function
def logged_step(x):
    logging.info("Tracing logged_step for %s", x.shape)
    return tf.reduce_sum(x * x)


# Lists it makes itself, two at once (tf-keras's `shard_test_function`):
# filling them touches nothing outside the call.
@tf.function
def shard_metrics(x, metrics):
    unweighted, weighted = [], []
    for metric in metrics:
        unweighted.append(metric)
        weighted.append(metric)
    return tf.reduce_sum(x) + len(unweighted) + len(weighted)


# A parameter first rebound to a new list (tf-keras's `_make_op`):
# inserting into it touches nothing the caller holds.
@tf.function
def make_op(inputs, x):
    inputs = tf.nest.flatten(inputs)
    inputs.insert(0, x)
    return tf.add_n(inputs)


# A step only subclasses (in other modules) implement, wrapped through
# `self` (keras-nlp's `GenerativeTask.generate_step`): the graph runs their
# override.
class Task:
    def generate_step(self):
        """Run generation on one batch."""
        raise NotImplementedError

    def make_generate_function(self):
        jit_compile = getattr(self, "jit_compile", True)
        self.generate_function = tf.function(self.generate_step, jit_compile=jit_compile)
        return self.generate_function



shard_metrics(tf.ones([2]), ["a", "b"])
make_op([tf.ones([2])], tf.ones([2]))
arg = (tf.ones([2, 2]), tf.ones([2, 2]))
result = add(arg)
lbeta(tf.ones([2]), tf.ones([2]))
logged_step(tf.ones([2]))
wrapped()
converted()
