"""An operation written in TensorFlow's style (a `name` that opens a
`tf.name_scope`) is a library's building block, traced into its callers'
graphs: a loop that calls it is no reason to decorate it."""
import tensorflow as tf


# Not a candidate: an operation in TensorFlow's style.
def scale_points(points, scale=(1.0, 1.0, 1.0), name="scale_points"):
    with tf.name_scope(name):
        points = tf.convert_to_tensor(points)
        scale = tf.convert_to_tensor(scale)
        return tf.linalg.matrix_transpose(
            tf.matmul(scale * tf.eye(3), tf.linalg.matrix_transpose(points))
        )


# Not a candidate either: `name or "default"` names the scope.
def shift_points(points, offset, name=None):
    with tf.compat.v1.name_scope(name or "shift_points", values=[points]):
        return tf.reshape(points + offset, [-1, 3]) * tf.reduce_max(points)


# HY001: the same work without an operation's name is an ordinary helper.
def scale_and_shift(points, offset):
    scaled = tf.matmul(points, tf.eye(3) * 2.0)
    return tf.reshape(scaled + offset, [-1, 3]) * tf.reduce_max(points)


for step in range(10):
    points = tf.random.normal([8, 3])
    scale_points(points, (1.0, -1.0, -1.0))
    shift_points(points, 1.0)
    scale_and_shift(points, 1.0)
