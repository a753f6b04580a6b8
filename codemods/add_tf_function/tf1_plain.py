# TensorFlow 1 code through `import tensorflow as tf`: it calls APIs that
# only TensorFlow 1 has (`tf.placeholder`, `tf.Session`,
# `tf.train.AdamOptimizer`), so it builds graphs and runs them in sessions:
# no candidates, hot or not, and no refusals about them.
import numpy as np
import tensorflow as tf


def build(x):
    w = tf.get_variable("w", [4, 4])
    loss = tf.reduce_sum(tf.matmul(x, w)) + tf.reduce_mean(x)
    return loss, tf.train.AdamOptimizer(0.1).minimize(loss)


def loss_of(x, w):
    return tf.reduce_sum(tf.matmul(x, w)) + tf.reduce_mean(x) + tf.reduce_max(w)


def run_one_step(sess, train_op, feed):
    return float(sess.run(train_op, feed_dict=feed) is None)


x = tf.placeholder(tf.float32, [None, 4])
loss, train_op = build(x)
with tf.Session() as sess:
    for step in range(10):
        run_one_step(sess, train_op, {x: np.ones([2, 4])})
        loss_of(np.ones([2, 4], np.float32), np.ones([4, 4], np.float32))
