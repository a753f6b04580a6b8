"""Library-style shape arithmetic on Python ints: a helper computes a strided
conv's output width from static sizes, and the hot loop uses that int to look
up (or build) a per-shape zero state in a dict cache and a TensorShape."""
import time

import numpy as np
import tensorflow as tf

rng = np.random.default_rng(0)
kernel = tf.constant(rng.normal(size=(3, 1, 4)), dtype=tf.float32)

FILTER = 3
STRIDE = 2


def _conv_output_shape(input_size, filter_size, stride):
    padded = (input_size + stride - 1) // stride * stride
    return (max(padded, input_size) - filter_size) // stride + 1


_state_cache = {}


def zero_state(batch, width):
    key = (batch, width)
    if key not in _state_cache:
        _state_cache[key] = tf.zeros(tf.TensorShape([batch, width, 4]))
    return _state_cache[key]


signals = [
    tf.constant(rng.normal(size=(2, n, 1)), dtype=tf.float32) for n in (17, 24, 31, 40)
]

start = time.perf_counter()
total = 0.0
widths = []
for step in range(40):
    x = signals[step % len(signals)]
    out_width = _conv_output_shape(x.shape[1], FILTER, STRIDE)
    state = zero_state(x.shape[0], out_width)
    y = tf.nn.conv1d(x, kernel, stride=STRIDE, padding="VALID")[:, :out_width] + state
    total += float(tf.reduce_sum(tf.tanh(y)))
    widths.append(out_width)
elapsed = (time.perf_counter() - start) * 1000.0

print("RESULT %.6f %d %d" % (total, sum(widths), len(_state_cache)))
print("TIME_MS %.3f" % elapsed)
