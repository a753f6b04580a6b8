import tensorflow as tf


# The signature contradicts the call sites: reported, never changed.
@tf.function(input_signature=[tf.TensorSpec(shape=[None], dtype=tf.int32)])
def wrong(x):
    return x * 2


for _ in range(3):
    wrong(tf.ones([2, 4]))


# Already relaxed.
@tf.function(reduce_retracing=True)
def relaxed(x):
    return x * 2


for n in range(3):
    relaxed(tf.ones([n, 4]))
