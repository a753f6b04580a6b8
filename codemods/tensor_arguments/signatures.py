import tensorflow as tf

w = tf.ones([4, 4])
N_STEPS = 50


# Called from three places with `int`s and a tensor of fixed shape: one
# `input_signature` with a scalar `int32` spec instead of three `tf.constant`s.
@tf.function
def decay(step, x):
    lr = 0.1 / (1.0 + tf.cast(step, tf.float32))
    return x - lr * tf.matmul(x, w)


# Always a `float`: a scalar `float32` spec.
@tf.function
def scaled(factor, x):
    return x * tf.cast(factor, tf.float32)


# An `int` at some calls and a `float` at others: converted at the call sites.
@tf.function
def mixed(amount, x):
    return x + tf.cast(amount, tf.float32)


# The loop's bound is not a literal: converted at the call sites.
@tf.function
def bounded(step, x):
    return x * tf.cast(step, tf.float32)


# A fixed Python number next to the varying one would become a tensor too.
@tf.function
def with_constant(step, x, k):
    return x * tf.cast(step, tf.float32) * tf.cast(k, tf.float32)


# A comparison or a logical operation is a `bool`, which selects a graph:
# left as it is.
@tf.function
def clipped(x, clip):
    return tf.where(tf.cast(clip, tf.bool), tf.clip_by_value(x, -1.0, 1.0), x)


x = tf.ones([2, 4])
total = decay(0, x)
for step in range(1, 100):
    total += decay(step, x)
for step in range(100, 110):
    total += decay(step, x)

total += scaled(0.5, x)
total += scaled(1.5, x)
total += scaled(2.5, x)

x = mixed(1, x)
x = mixed(2, x)
x = mixed(0.5, x)

bounded(0, x)
bounded(1, x)
for step in range(N_STEPS):
    x = bounded(step, x)

y = tf.ones([2, 4])
for step in range(3):
    with_constant(step, y, 2)
    with_constant(step, y, 2)
    with_constant(step, y, 2)

for step in range(100):
    x = clipped(x, step > 50)
    x = clipped(x, step % 7 == 0 or step < 3)


# `mode` selects a graph: left as it is, and no signature that would make it
# a tensor; `step` is converted at the call sites.
@tf.function
def staged(step, mode, x):
    return x * tf.cast(step, tf.float32) + tf.cast(mode, tf.float32)


for mode in range(3):
    staged(0, mode, y)
    staged(1, mode, y)
    staged(2, mode, y)
