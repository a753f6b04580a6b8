import tensorflow as tf


# A tuple of tensors: a tuple of specs, joined over the call sites.
@tf.function
def _train_step(batch):
    x, y = batch
    return tf.reduce_sum(x) + tf.cast(tf.reduce_sum(y), tf.float32)


x = tf.ones([32, 4])
y = tf.constant([1, 2, 3])
_train_step((x, y))
_train_step((tf.ones([8, 4]), tf.constant([1, 2, 3, 4])))


# A dict and a list of tensors: same keys and lengths everywhere (and a
# length of "b" that varies, so that it retraces).
@tf.function
def _features(inputs, pair):
    return inputs["a"] + tf.reduce_sum(inputs["b"]) + pair[0]


for n in range(1, 4):
    _features({"a": tf.zeros([n, 3]), "b": tf.ones([5])}, [tf.zeros([3]), tf.zeros([3])])


# OK: structures that differ between call sites: no signature, and what
# varies is not followed.
@tf.function
def _tuple_or_list(batch):
    return batch[0]


_tuple_or_list((tf.ones([2]), tf.ones([2])))
_tuple_or_list([tf.ones([3]), tf.ones([2])])


@tf.function
def _keys_differ(inputs):
    return inputs


_keys_differ({"a": tf.ones([2])})
_keys_differ({"b": tf.ones([3])})


# OK: a Python number inside the tuple would become a tensor: no signature,
# and the tuple's tensors are not followed.
@tf.function
def _with_number(batch):
    return batch[0] * batch[1]


for n in range(3):
    _with_number((tf.ones([n, 2]), 2))


# The rank of one element is unknown: `reduce_retracing` instead.
@tf.function
def _unknown_rank(batch):
    return batch[0] + batch[1]


for n in range(1, 4):
    _unknown_rank((tf.reshape(tf.ones([n * 3]), [n, 3]), tf.ones([3])))
