# TensorFlow 1 code builds graphs and runs them in sessions: no candidates,
# hot or not.
import tensorflow.compat.v1 as tf


def write_stats(stats, path):
    with tf.io.gfile.GFile(path, "w") as out:
        for k in sorted(stats.keys()):
            out.write("{0},{1}\n".format(k, stats[k]))


def loss(x):
    return tf.reduce_sum(tf.matmul(x, x)) + tf.reduce_mean(x)


x = tf.placeholder(tf.float32, [2, 2])
with tf.Session() as sess:
    for step in range(10):
        sess.run(loss(x), feed_dict={x: [[1.0, 2.0], [3.0, 4.0]]})
        write_stats({"loss": step}, "stats.csv")
