# fixture: --show-refusals
"""Parameters passed on from caller to callee take the kinds the caller's own
call sites give them."""
import tensorflow as tf


def scaled_norm(x, scale):
    return tf.reduce_sum(tf.square(x)) * float(scale) + tf.reduce_mean(x)


# HY001: `scale` reaches `float()` in `scaled_norm` as the constant 2,
# not a tensor (before, an unknown kind refused it as HY102).
def loss(x, scale):
    return scaled_norm(x, scale) + 1.0


def checked(x, steps):
    return tf.reduce_sum(x) * float(steps) + tf.reduce_mean(x) + tf.reduce_max(x)


# HY102: `steps` is a tensor where `train` is called, and `checked` passes
# it to `float()`.
def train(x, steps):
    return checked(x, steps) * 2.0


for _ in range(10):
    loss(tf.ones([3]), 2)
    train(tf.ones([3]), tf.constant(5))
