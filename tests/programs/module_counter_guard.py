"""The classic guard counter on a tf.Module: Python state read and mutated only at trace time.

Meant to return 1, 1, 1; returns 1, 2, 3.
"""
import tensorflow as tf


class Model(tf.Module):
    def __init__(self):
        self.v = tf.Variable(0)
        self.counter = 0

    @tf.function
    def __call__(self):
        if self.counter == 0:
            self.counter += 1
            self.v.assign_add(1)
        return self.v


m = Model()
values = [int(m()) for _ in range(3)]
print("RESULT " + " ".join(str(v) for v in values))
