import tensorflow as tf


class Schedule(tf.Module):
    def __init__(self):
        self.base = tf.Variable(0.1)

    @tf.function
    def rate(self, epoch):
        return self.base / (1.0 + tf.cast(epoch, tf.float32))

    def train(self):
        total = tf.constant(0.0)
        for epoch in range(5):
            total += self.rate(epoch)
        return total


def decay(step):
    return tf.cast(step, tf.float32) * 0.5


fast_decay = tf.function(decay)
for i in range(10):
    fast_decay(step=i)
