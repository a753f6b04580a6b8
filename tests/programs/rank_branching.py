"""A graph function that branches on static rank: single images (H, W, C) get
a batch dimension, batches (N, H, W, C) pass through, then a 3x3 convolution.
Fed single images and batches of several sizes alternately; it retraces per
shape, which is what makes the static rank check correct."""
import time

import numpy as np
import tensorflow as tf

rng = np.random.default_rng(0)
kernel = tf.constant(rng.normal(size=(3, 3, 3, 8)), dtype=tf.float32)


@tf.function
def features(image):
    if image.shape.ndims == 3:
        image = image[None]
    y = tf.nn.conv2d(image, kernel, strides=1, padding="SAME")
    return tf.reduce_mean(tf.nn.relu(y), axis=[1, 2])


inputs = []
for size in (8, 12, 16):
    inputs.append(tf.constant(rng.normal(size=(size, size, 3)), dtype=tf.float32))
    inputs.append(tf.constant(rng.normal(size=(2, size, size, 3)), dtype=tf.float32))

start = time.perf_counter()
total = 0.0
for _ in range(5):
    for image in inputs:
        total += float(tf.reduce_sum(features(image)))
elapsed = (time.perf_counter() - start) * 1000.0

print("RESULT %.6f" % total)
print("TRACES %d" % features.experimental_get_tracing_count())
print("TIME_MS %.3f" % elapsed)
