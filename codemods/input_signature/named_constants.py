import tensorflow as tf

NUM_STATES = 4
HIDDEN: int = 3


# Named constants in shapes stay names in the signature; the batch varies.
@tf.function
def _q_values(states, weights):
    return tf.matmul(states, weights)


_q_values(tf.zeros([8, NUM_STATES]), tf.ones([NUM_STATES, HIDDEN]))
_q_values(tf.zeros([16, NUM_STATES]), tf.ones([NUM_STATES, HIDDEN]))


# A name spelled at one call site and a number at another may or may not be
# the same size: no signature guesses it; `reduce_retracing` relaxes what
# varies.
@tf.function
def _mixed(x):
    return x * 2.0


_mixed(tf.ones([2, NUM_STATES]))
_mixed(tf.ones([3, 4]))


# Not constants: reassigned, shadowed elsewhere in the file, bound only
# under a condition, or bound after the function. Their sizes are unknown,
# so no signature states them; the first dimension varies:
# `reduce_retracing`.
STEPS = 5
STEPS = 6
WIDTH = 2
if tf.__version__:
    DEPTH = 3


def _shadow(WIDTH):
    return WIDTH


@tf.function
def _early(x):
    return x + 1.0


LATER = 9


@tf.function
def _not_constants(a, b, c):
    return tf.reduce_sum(a) + tf.reduce_sum(b) + tf.reduce_sum(c)


for n in range(1, 4):
    _not_constants(tf.zeros([n, STEPS]), tf.zeros([n, WIDTH, 1]), tf.zeros([n, DEPTH]))
    _early(tf.zeros([n, LATER]))


# Inside a function, a local of the same name is not the constant.
def run():
    NUM = 3
    for n in range(1, 4):
        _local(tf.zeros([n, NUM]))


@tf.function
def _local(x):
    return x


run()
