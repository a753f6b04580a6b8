import numpy as np
import tensorflow as tf


# NumPy arrays become tensors of the array's dtype: float32 when it says,
# float64 by default for zeros/ones/empty.
@tf.function
def _from_numpy(a, b):
    return tf.reduce_sum(a) + tf.cast(tf.reduce_sum(b), tf.float32)


a = np.zeros((2, 3), dtype=np.float32)
_from_numpy(a, np.ones([5]))
_from_numpy(np.zeros((4, 3), dtype="float32"), np.ones([5], dtype=float))


# Arithmetic that keeps dtype and shape, `tf.cast`, `tf.convert_to_tensor`.
@tf.function
def _arithmetic(p, q, r, s):
    return p, q, r, s


ints = tf.constant([[1, 2], [3, 4]])
for n in range(1, 4):
    x = tf.zeros([n, 4])
    _arithmetic(
        -(x * 2.0 + x),
        tf.cast(ints, tf.float64),
        tf.convert_to_tensor(np.zeros((2, 2), dtype=np.int64), dtype=tf.float32),
        (ints - 1) * ints,
    )
_arithmetic(tf.zeros([5, 4]), tf.cast(ints, tf.float64), tf.zeros([2, 2]), (ints - 1) * ints)


# A dtype given by position counts; one spelled as a string, or a
# `dtype_hint`, is not read: no signature, `reduce_retracing` instead.
@tf.function
def _positional(a):
    return a


@tf.function
def _unread_dtype(a, b):
    return a, b


for n in range(1, 4):
    _positional(tf.zeros([n], tf.int32))
    _unread_dtype(tf.zeros([n], dtype="int32"), tf.convert_to_tensor([1, 2], dtype_hint=tf.float32))


# OK: a NumPy array whose dtype depends on its values or the platform: no
# signature, and nothing known varies.
@tf.function
def _numpy_without_dtype(a, b):
    return a + b


_numpy_without_dtype(np.array([[1, 2]]), np.full((1, 2), 7))
_numpy_without_dtype(np.array([[1, 2], [3, 4]]), np.full((2, 2), 7))


# OK: integer division gives floats: the dtype and shape are unknown, and
# nothing known varies.
@tf.function
def _division(q):
    return q


_division(ints / ints)
_division(tf.constant([1, 2]) / tf.constant([3, 4]))
