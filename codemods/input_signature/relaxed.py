import tensorflow as tf


# Relaxed, but every call site is known and gives a signature: one trace
# instead of a retrace and a relaxed trace.
@tf.function(reduce_retracing=True)
def relaxed(x):
    return x * 2


for n in range(3):
    relaxed(tf.ones([n, 4]))


@tf.function(experimental_relax_shapes=True)
def _pair(x, y):
    return tf.reduce_sum(x) + y


for n in range(3):
    _pair(tf.ones([n, 2]), tf.zeros([2]))


# A Python value that changes between calls retraces a relaxed function
# for every value. Used only through `tf.cast`, it can become a tensor
# (HY004); tested in an `if`, it must stay Python.
@tf.function(experimental_relax_shapes=True)
def _decay(x, step=0):
    return x * tf.cast(step, tf.float32)


@tf.function(reduce_retracing=True)
def _clip(x, limit=None):
    if limit is not None:
        x = tf.minimum(x, tf.cast(limit, tf.float32))
    return x


for step in range(3):
    _decay(tf.ones([2]), step=step)
    _clip(tf.ones([2]), limit=step)


# OK: a public function relaxed on purpose; other code may call it with
# other shapes.
@tf.function(reduce_retracing=True)
def normalize(x):
    return x / tf.norm(x)


def run():
    for n in range(1, 4):
        normalize(tf.ones([n]))


# OK: relaxed, and nothing varies: the relaxation costs nothing.
@tf.function(reduce_retracing=True)
def _fixed(x):
    return x


for _ in range(3):
    _fixed(tf.ones([2]))


# OK: relaxed, and the call sites do not say the shapes.
@tf.function(reduce_retracing=True)
def _unknown(x):
    return x


for x in [tf.ones([1]), tf.ones([2])]:
    _unknown(x)
