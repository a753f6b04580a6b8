# fixture: --show-refusals
"""Hot functions with tensor work, called in loops: converted."""
import numpy as np
import tensorflow as tf

w = tf.Variable(tf.ones([4, 1]))
optimizer = tf.keras.optimizers.SGD(learning_rate=0.1)


def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
    grads = tape.gradient(loss, [w])
    optimizer.apply_gradients(zip(grads, [w]))
    return loss


def scaled(x):
    return x * 2.0 + 1.0


def through_helper(x):
    return helper(x)


def helper(x):
    return tf.nn.relu(x)


def with_constant_flag(x, training):
    if training:
        return tf.nn.dropout(x, 0.5)
    return x


x = tf.constant([[1.0, 2.0, 3.0, 4.0]])
y = tf.zeros([1, 1])
for _ in range(100):
    train_step(x, y)
    scaled(x)
    through_helper(x)
    with_constant_flag(x, True)


# OK: called once, outside any loop.
def called_once(x):
    return tf.reduce_sum(x)


called_once(x)


# OK: never called, no hot-step name.
def unused(x):
    return tf.reduce_sum(x)


# OK: called in a loop but only with NumPy arrays and no TensorFlow work.
def numpy_only(a):
    return a.sum() if False else a


for _ in range(3):
    numpy_only(np.ones(3))
