import tensorflow as tf


# Assigned before the call in every iteration: each call sees that value.
@tf.function
def _fresh(v):
    return v - 1.0


for n in range(1, 4):
    batch = tf.ones([n, 4])
    _fresh(batch)


# Assigned under a condition: the old value may remain, so the dimension
# the two values disagree on is unknown (not varying: one value, the same
# at every call). `w` varies: `reduce_retracing`, since `v` has a
# dimension no signature could state.
z = tf.zeros([2, 2])
if tf.executing_eagerly():
    z = tf.ones([2, 3])


@tf.function
def _conditional(v, w):
    return tf.reduce_sum(v) + tf.reduce_sum(w)


for n in range(1, 3):
    _conditional(z, tf.ones([n]))


# OK: a value carried from one iteration into the next: the call sees a
# float32 [2] tensor first, an int32 [3] one after; nothing known varies.
@tf.function
def _carried(x):
    return x * 2


x = tf.zeros([2])
for _ in range(3):
    _carried(x)
    x = tf.zeros([3], dtype=tf.int32)


def loop():
    y = tf.zeros([2])
    while True:
        _carried(y)
        y = tf.zeros([3], dtype=tf.int32)


# OK: a global read inside a function: the call may come before the module
# rebinds it, so its dtype and shape are unknown there.
@tf.function
def _global(v):
    return v


def use_global():
    for _ in range(3):
        _global(state)


state = tf.zeros([2])
use_global()
state = tf.zeros([3], dtype=tf.int64)
use_global()


# OK: an attribute set in `__init__` may be set anew by another method.
class Agent(tf.Module):
    def __init__(self):
        self.hidden = tf.zeros([1, 8])

    @tf.function
    def _cell(self, h):
        return h * 0.5

    def step(self):
        for _ in range(3):
            self.hidden = tf.cast(self._cell(self.hidden), tf.float64)
