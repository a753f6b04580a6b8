"""`tf.function`s that can only hurt: removed (unsafe fix) with the reason."""
import random

import tensorflow as tf


@tf.function
def learning_rate(epoch):
    base = 0.1
    return base * (0.5 ** (epoch // 10))


@tf.function(reduce_retracing=True)
def factorial(n):
    return 1 if n <= 1 else n * factorial(n - 1)


@tf.function
def noisy(x):
    return x * random.random()


@tf.function
def collects(x):
    results.append(tf.square(x))
    return x


def label(step):
    return "step-%d" % step


shout = tf.function(label)

results = []
for epoch in range(20):
    learning_rate(epoch)
    factorial(5)
    noisy(tf.constant(1.0))
    collects(tf.constant(1.0))
    shout(epoch)


# OK: tensor work.
@tf.function
def step(x):
    return tf.square(x)


# OK: `print` is repaired by HY011, a global counter by HY010.
counter = 0


@tf.function
def repairable(x):
    global counter
    counter += 1
    print("x", x)
    return x * 2.0


# OK: parameters that may be tensors.
@tf.function
def identity(x):
    return x


for _ in range(3):
    step(tf.constant(1.0))
    repairable(tf.constant(1.0))
