"""A Keras model whose residual blocks are built by an append loop in
__init__ (self.blocks = []; self.blocks.append(Dense(...))), run for
inference through a plain function in a loop."""
import time

import numpy as np
import tensorflow as tf

tf.keras.utils.set_random_seed(0)


class ResidualMLP(tf.keras.Model):
    def __init__(self, width, depth, **kwargs):
        super().__init__(**kwargs)
        self.blocks = []
        for i in range(depth):
            self.blocks.append(tf.keras.layers.Dense(width, activation="tanh", name="block%d" % i))
        self.head = tf.keras.layers.Dense(1, name="head")

    def call(self, x):
        for block in self.blocks:
            x = x + 0.5 * block(x)
        return self.head(x)


net = ResidualMLP(width=32, depth=30)
x = tf.constant(np.random.default_rng(0).normal(size=(16, 32)), dtype=tf.float32)


def infer(x):
    return tf.squeeze(net(x, training=False), axis=-1)


infer(x)  # warm-up (builds the weights)

start = time.perf_counter()
total = 0.0
for i in range(20):
    y = infer(x * (1.0 + 0.01 * i))
    total += float(tf.reduce_sum(y))
elapsed = (time.perf_counter() - start) * 1000.0

print("RESULT %.6f %.6f" % (total, float(y[0])))
print("TIME_MS %.3f" % elapsed)
