import numpy as np
import tensorflow as tf

FEATURES = 8

features = tf.random.normal([1000, FEATURES])
labels = tf.zeros([1000])
w = tf.Variable(tf.zeros([FEATURES, 1]))


# The elements of a batched `tf.data` dataset: a first dimension that
# varies (the last batch is smaller), then each sliced tensor's own shape
# and dtype.
@tf.function
def _train_step(x, y):
    return tf.reduce_mean((tf.matmul(x, w)[:, 0] - y) ** 2)


dataset = tf.data.Dataset.from_tensor_slices((features, labels)).shuffle(100).batch(32)
for epoch in range(3):
    for x, y in dataset:
        _train_step(x, y)


# A NumPy array sliced, then batched: the rows keep their width.
@tf.function
def _row_norm(rows):
    return tf.norm(rows, axis=1)


for rows in tf.data.Dataset.from_tensor_slices(np.ones((10, 3), dtype=np.float32)).batch(4):
    _row_norm(rows)


# OK: one row at a time, all of one shape.
@tf.function
def _one_row(row):
    return tf.norm(row)


for row in tf.data.Dataset.from_tensor_slices(np.ones((10, 3), dtype=np.float32)):
    _one_row(row)


# OK: `map` can change anything: its elements are not followed.
@tf.function
def _mapped(x, y):
    return x, y


for x, y in dataset.map(lambda a, b: (a * 2, b)):
    _mapped(x, y)


# OK: a list is one tensor to TensorFlow, not a structure of two.
@tf.function
def _from_list(x):
    return x


for x in tf.data.Dataset.from_tensor_slices([features, features]).batch(4):
    _from_list(x)
