"""Records built in a loop: `tf.train.Example` and `tf.TensorShape` are
Python values, so the helpers that build them are no graph candidates.
Decorated (as the previous binary did, as an unsafe fix), `make_example`
raised "must return zero or more Tensors ... found return value of type
Example"."""
import tensorflow as tf


def is_fully_defined(shape):
    return tf.TensorShape(shape).is_fully_defined()


def make_example(values):
    feature = tf.train.Feature(float_list=tf.train.FloatList(value=values))
    return tf.train.Example(features=tf.train.Features(feature={"v": feature}))


def normalize(x):
    return (x - tf.reduce_mean(x)) / (tf.math.reduce_std(x) + 1e-6)


tf.random.set_seed(0)
total = 0.0
size = 0
for step in range(20):
    x = tf.random.normal([8, 8])
    if is_fully_defined([8, 8]):
        x = normalize(x)
    record = make_example([float(v) for v in tf.reduce_sum(x, axis=0).numpy()])
    size += len(record.SerializeToString())
    total += float(tf.reduce_sum(x * x))
print("RESULT %.4f %d" % (total, size))
