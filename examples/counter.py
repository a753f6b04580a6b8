"""The classic silent bug: Python state read once, at trace time."""
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


model = Model()
print([int(model()) for _ in range(3)])  # prints [1, 2, 3]; [1, 1, 1] was meant
