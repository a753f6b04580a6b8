"""Trains the model for a few epochs; prints the final loss."""

import sys

import tensorflow as tf

from model import loss_of, normalize, summary
from scale import scaled
from schedule import decay_all


def batches(n, size):
    data = tf.reshape(tf.range(n * 4, dtype=tf.float32) % 7.0, (n, 4))
    for start in range(0, n, size):
        yield data[start : start + size]


def run(transform, epochs, w):
    total = 0.0
    for _ in range(epochs):
        for x in batches(100, 32):
            x = transform(x)
            y = tf.reduce_sum(x, axis=1, keepdims=True)
            total = loss_of(w, x, y)
    return total


def main(argv):
    epochs = int(argv[1]) if len(argv) > 1 else 3
    w = tf.ones((4, 1))
    final = run(normalize, epochs, w)
    for _ in range(3):
        scaled(w)
    decayed = decay_all(w, 500)
    print("RESULT", float(final), float(summary(w)), round(decayed, 4))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
