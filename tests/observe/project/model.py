"""A tiny linear model trained on synthetic data."""

import tensorflow as tf


def normalize(x):
    # Called once per batch, but only through the callback `train.run`
    # receives: no loop around a call of it is visible in the source.
    mean = tf.reduce_mean(x, axis=0)
    std = tf.math.reduce_std(x, axis=0)
    return (x - mean) / (std + 1e-6)


@tf.function
def predict(w, x):
    # The last batch is smaller: the batch dimension varies.
    return tf.nn.relu(tf.matmul(x, w))


def loss_of(w, x, y):
    # Mean squared error, a little of the absolute and Huber errors, and
    # an L2 penalty: many small operations, each one dispatched from
    # Python when run eagerly, all of them in one call as a graph.
    err = predict(w, x) - y
    mse = tf.reduce_mean(tf.square(err))
    mae = tf.reduce_mean(tf.abs(err))
    huber = tf.reduce_mean(
        tf.where(tf.abs(err) < 1.0, 0.5 * tf.square(err), tf.abs(err) - 0.5)
    )
    l2 = tf.reduce_sum(tf.square(w))
    return mse + 0.1 * mae + 0.1 * huber + 0.01 * l2


def summary(w):
    # Called once, at the end of training.
    return tf.reduce_sum(tf.abs(w)) + tf.reduce_max(w)
