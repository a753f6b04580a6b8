"""`next()` inside graph code."""
import tensorflow as tf

batches = iter([tf.ones([2]), tf.zeros([2])])
dataset = tf.data.Dataset.from_tensor_slices([[1.0], [2.0]]).batch(1)
data_iter = iter(dataset)


def numbers():
    yield 1.0
    yield 2.0


@tf.function
def frozen():
    return tf.reduce_sum(next(batches))


class Loop(tf.Module):
    def __init__(self):
        self.source = numbers()

    @tf.function
    def __call__(self):
        return next(self.source) * 2.0


# A tf.data iterator advances on every call; a public function may have
# callers elsewhere that would have to pass the element: no fix.
@tf.function
def from_dataset():
    return next(data_iter)


# OK: an iterator passed in may be a tf.data iterator.
@tf.function
def from_argument(iterator):
    return next(iterator)


# Of unknown origin: may be either kind.
@tf.function
def unknown(model):
    return next(model.batches)


# OK: eager code calls next() on every call.
def eager():
    return next(batches)
