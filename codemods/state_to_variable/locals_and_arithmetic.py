"""State read through local names and arithmetic: casts where Python would have made a float."""
import tensorflow as tf

step = 0
w = tf.Variable([2.0, -1.0, 0.5])


@tf.function
def train_step(x, grad):
    """A learning rate decayed by a global step: `0.5 / step` is a float."""
    global step
    step += 1
    lr = 0.5 / step
    decayed = lr * 0.9
    w.assign_sub(decayed * grad)
    return x


class RunningMean(tf.Module):
    """A float variable total divided by an int count, returned as a tuple."""

    def __init__(self):
        super().__init__()
        self.total = tf.Variable(0.0)
        self.count = 0

    @tf.function
    def __call__(self, x):
        self.count += 1
        self.total.assign_add(tf.reduce_sum(x))
        weight = 1.0 / self.count
        return self.total / self.count, weight


class Schedule(tf.Module):
    """Int arithmetic stays int; a float comparison, a true division and a
    float accumulator get casts; a local updated in place is followed."""

    def __init__(self):
        self.calls = 0

    @tf.function
    def __call__(self, x):
        self.calls += 1
        doubled = self.calls * 2 + 1
        if doubled > 10:
            x = x * 2.0
        if self.calls > 2.5:
            x = x + 1.0
        fraction = self.calls / 4
        acc = 0.0
        acc += self.calls
        power = 2 ** self.calls
        tf.print(fraction, acc, power)
        return x

    def report(self):
        print("calls:", self.calls)


class Epochs(tf.Module):
    """A float64 tensor meets a float state: the state is cast to float64."""

    def __init__(self):
        self.progress = 0.0
        self.scale = tf.Variable(1.0, dtype=tf.float64)

    @tf.function
    def __call__(self, x):
        self.progress += 0.5
        scaled = self.scale * self.progress
        tf.print(scaled)
        return x


s = Schedule()
s(tf.ones([2]))
s.report()
print(step)
