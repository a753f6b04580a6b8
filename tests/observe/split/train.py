"""Prints a loss per epoch; the offset changes every epoch."""

import tensorflow as tf

from ops import loss_of, set_offset, shifted


def main():
    x = tf.reshape(tf.range(64, dtype=tf.float32) % 5.0, (16, 4))
    for epoch in range(3):
        set_offset(0.5 * epoch)
        total = 0.0
        for step in range(1000):
            total += float(loss_of(shifted(x), x * 0.9))
        print("epoch", epoch, "loss %.6f" % (total / 1000))


if __name__ == "__main__":
    main()
