"""Static shapes and `tf.train` records are Python values: code that only
builds them does no tensor work, and is never decorated."""
import tensorflow as tf


# Not decorated: `tf.TensorShape` is a Python object, and its answer a
# Python bool that callers branch on (as a graph function it would return
# a tensor).
def is_fully_defined(x):
    return tf.TensorShape(x).is_fully_defined()


# Not decorated: a record is a protocol buffer built from Python values.
def make_example(values):
    return tf.train.Example(
        features=tf.train.Features(
            feature={"v": tf.train.Feature(float_list=tf.train.FloatList(value=values))}
        )
    )


# HY001: tensor work, for contrast.
def normalize(x):
    return (x - tf.reduce_mean(x)) / (tf.math.reduce_std(x) + 1e-6)


for step in range(3):
    x = tf.random.normal([4, 4])
    if is_fully_defined([4, 4]):
        x = normalize(x)
    record = make_example([1.0, 2.0])
