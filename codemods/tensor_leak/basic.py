"""Tensors stored by graph code and read outside it."""
import tensorflow as tf

last_logits = None


class Trainer(tf.Module):
    def __init__(self):
        self.last_loss = None
        self.cache = None

    @tf.function
    def step(self, x):
        loss = tf.reduce_sum(x * x)
        self.last_loss = loss
        self.cache = tf.reduce_mean(x)
        return loss

    def report(self):
        print(self.last_loss)


@tf.function
def predict(x):
    global last_logits
    last_logits = tf.nn.softmax(x)
    return last_logits


predict(tf.ones([3]))
print(last_logits)


# OK: a variable, created elsewhere, assigned in graph code.
class Safe(tf.Module):
    def __init__(self):
        self.best = tf.Variable(0.0)
        self.label = None

    @tf.function
    def step(self, x):
        self.best.assign(tf.reduce_max(x))
        self.label = "done"
        return x
