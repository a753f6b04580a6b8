"""Attribute state: read in several methods, several instances, a property."""
import tensorflow as tf


class Model(tf.Module):
    """The design's guard counter: meant to return 1, 1, 1."""

    def __init__(self):
        self.v = tf.Variable(0)
        self.counter = 0

    @tf.function
    def __call__(self):
        if self.counter == 0:
            self.counter += 1
            self.v.assign_add(1)
        return self.v


class Trainer(tf.Module):
    def __init__(self, lr):
        self.lr = lr
        self.steps = 0
        self.loss_sum = 0.0
        self.warm = False

    @tf.function
    def train_step(self, x):
        loss = tf.reduce_sum(x * self.lr)
        self.steps += 1
        self.loss_sum += loss
        if self.steps > 10:
            self.warm = True
        return loss

    @property
    def seen(self):
        return self.steps

    def report(self, names):
        # Eager reads that need Python values.
        print("steps:", self.steps)
        print(f"mean loss {self.loss_sum / max(self.steps, 1):.3f}")
        print("%d steps, warm=%s" % (self.steps, self.warm))
        for i in range(self.steps):
            pass
        last = names[self.steps - 1]
        if self.steps == 0 or not self.warm:
            return last
        return int(self.steps), float(self.loss_sum)

    def reset(self):
        self.steps = 0
        self.loss_sum = 0.0
        self.warm = False


a = Trainer(0.1)
b = Trainer(0.2)
for _ in range(3):
    a.train_step(tf.ones([2]))
    b.train_step(tf.ones([2]))
a.report(["x", "y", "z"])
print(a.seen, b.seen)
