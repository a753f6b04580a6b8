import tensorflow as tf


# A closure over a loop variable must not be hoisted; made once per `k` by a
# factory called once, and kept, each is traced once: nothing to report.
def build_scalers():
    scalers = []
    for k in range(3):
        @tf.function
        def scale(x):
            return x * k

        scalers.append(scale)
    return scalers


# The nested function is returned: it outlives the call, no fix. Made per
# batch, it is traced per batch: reported.
def make_step(w):
    @tf.function
    def step(x):
        return tf.matmul(x, w)

    return step


for batch in tf.data.Dataset.range(3):
    make_step(tf.ones([2, 2]))(tf.ones([2, 2]))


# A factory called once: its graph function is made and traced once.
def make_signature(w):
    @tf.function
    def serve(x):
        return tf.matmul(x, w)

    return serve


SERVE = make_signature(tf.ones([2, 2]))


# A captured name rebound after the definition: no lifting.
def rebound(x, factor):
    @tf.function
    def inner(v):
        return v * factor

    factor = factor + 1
    print(factor)
    return inner(x)


# The nested function closes over a local computed before it: lifted, with
# the local passed as an argument.
def local_capture(x):
    offset = tf.constant(1.0)
    print("start")

    @tf.function
    def inner(v):
        return v + offset

    return inner(x)


# Called in the loop, but closing over the loop variable: not lifted.
def loop_calls(x):
    for k in range(3):
        @tf.function
        def scale(v):
            return v * k

        x = scale(x)
    print(x)
    return x


# Defaults on the nested function's parameters: no room for new ones.
def with_defaults(x, w):
    print("start")

    @tf.function
    def scaled(v, twice=False):
        return v * w

    return scaled(x)


# A captured list mutated inside: as a parameter it would be a copy.
def collect(x):
    print("start")
    seen = []

    @tf.function
    def record(v):
        seen.append(v)
        return v * 2

    record(x)
    return seen
