"""State initialised in a base class and mutated by a subclass's graph method."""
import tensorflow as tf


class Base(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.calls = 0
        self.dense = tf.keras.layers.Dense(4)

    def describe(self):
        return "called %d times" % self.calls


class Child(Base):
    @tf.function
    def call(self, x):
        self.calls += 1
        return self.dense(x)


class Other(Base):
    def call(self, x):
        return self.dense(x)


class Unrelated:
    def __init__(self):
        self.calls = "a different attribute"

    def show(self):
        return self.calls.upper()
