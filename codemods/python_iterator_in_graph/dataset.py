"""`next()` on a tf.data iterator inside a graph function: stepped in the
callers instead, the element passed in."""
import numpy as np
import tensorflow as tf

features = np.zeros((256, 8), dtype=np.float32)
labels = np.zeros((256,), dtype=np.int64)
dataset = tf.data.Dataset.from_tensor_slices((features, labels)).shuffle(256).batch(32)
pairs = iter(dataset)
batches = iter(tf.data.Dataset.from_tensor_slices(features).batch(8))
numpy_pairs = dataset.as_numpy_iterator()


# The element spec is known: an input signature.
@tf.function
def _train_step():
    """One step."""
    x, y = next(pairs)
    return tf.reduce_sum(x) + tf.cast(tf.reduce_sum(y), tf.float32)


# The element spec is not known (the dataset is built inline):
# reduce_retracing.
@tf.function
def _total():
    batch = next(batches)
    return tf.reduce_sum(batch)


# Other parameters: the element is appended, with reduce_retracing.
@tf.function
def _scaled(k):
    batch = next(batches)
    return k * tf.reduce_sum(batch)


# Not the first statement: stepping it in the caller would reorder it.
@tf.function
def _late(k):
    k = k * 2
    batch = next(batches)
    return k * tf.reduce_sum(batch)


# The iterator is stepped twice.
@tf.function
def _twice():
    a = next(batches)
    b = next(batches)
    return a + b


# Already has a signature.
@tf.function(input_signature=[])
def _signed():
    batch = next(batches)
    return tf.reduce_sum(batch)


# A caller passes a keyword argument.
@tf.function
def _keyword(scale):
    batch = next(batches)
    return scale * tf.reduce_sum(batch)


# Public, in a module that is not a script: other callers may exist.
@tf.function
def public_step():
    batch = next(batches)
    return tf.reduce_sum(batch)


class Trainer(tf.Module):
    # A method: its callers are not all visible.
    @tf.function
    def step(self):
        batch = next(batches)
        return tf.reduce_sum(batch)


# A dataset's NumPy iterator is a Python iterator: frozen at trace time.
@tf.function
def _numpy_step():
    x, y = next(numpy_pairs)
    return tf.reduce_sum(x)


def train():
    for _ in range(3):
        _train_step()
        _total()
        _scaled(2.0)
        _late(2.0)
        _twice()
        _signed()
        _keyword(scale=2.0)
        _numpy_step()
