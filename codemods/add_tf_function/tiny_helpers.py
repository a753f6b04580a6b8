# fixture: --show-refusals
"""Helpers too small to gain as graph functions, and some that are not."""
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(4)])


# HY113: one operation, on the Python floats its callers pass.
def to_float(x):
    return tf.cast(x, tf.float32)


# HY113: two operations on a Python value.
def scaled_ones(scale):
    return tf.ones([4]) * scale


# HY001: one operation, but on tensors (no Python value to retrace on).
def softmax(x):
    return tf.nn.softmax(x)


# HY001: a model is any number of operations.
def infer(x, scale):
    return model(x) * scale


# HY001: more than two operations.
def affine(x, scale):
    return tf.matmul(x, x) * scale + tf.reduce_sum(x)


# HY113: one operation on arguments no caller is seen to make tensors.
def dot(a, b):
    return tf.matmul(a, b)


# Left quietly (HY105 under `--show-refusals`): arithmetic on parameters is
# tensor work only if tensors come in, and no caller shows one.
def padded_length(size, stride):
    return (size + stride - 1) // stride * stride


def run_all(batches, step_sizes):
    for a, b in batches:
        dot(a, b)
    for size in step_sizes:
        padded_length(size, 2)


class Blocks(tf.keras.layers.Layer):
    def build(self, input_shape):
        # A loop that builds, not a step: `widen` is not hot for it.
        self.blocks = [tf.keras.layers.Dense(widen(n)) for n in range(3)]
        for n in range(3):
            widen(tf.constant(n))


# Not a candidate: called in a loop only where a layer is built.
def widen(n):
    return tf.cast(n, tf.int32) * 2 + 1


x = tf.ones([4, 4])
for _ in range(10):
    to_float(2.0)
    scaled_ones(0.5)
    softmax(x)
    infer(x, 0.5)
    affine(x, 0.5)


MULTI_DEVICE = False


def using_multi_device():
    if tf.distribute.has_strategy():
        return tf.distribute.get_strategy().num_replicas_in_sync > 1
    return MULTI_DEVICE


# HY113: one operation per call (one branch or the other); the call to a
# Python helper adds nothing a graph would speed up.
def batch_size(batch):
    if using_multi_device():
        return tf.shape(batch[0])[0]
    return tf.shape(batch)[0]


# HY113: shape queries and one addition (the batch of each replica summed):
# reading shapes is no work a graph would speed up.
def replicated_batch_size(batch):
    if using_multi_device():
        size = 0
        for part in batch.values:
            size += tf.shape(part)[0]
        return size
    return tf.shape(batch)[0]


def count(dataset):
    total = 0
    for batch in dataset:
        total += batch_size(batch) + replicated_batch_size(batch)
    return total
