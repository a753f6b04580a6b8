import tensorflow as tf

bias = tf.constant([0.1, 0.2])


def update(x, scale):
    return x * scale + tf.sin(x) + bias


def noisy(x):
    print("noisy")
    return x * 2.0


@tf.function
def decorated(x):
    return x + 1.0


x = tf.constant([1.0, 2.0])
scale = tf.constant(0.5)
tf.function(update)(x, scale)

# A wrapper created per iteration: decorate `update` once instead.
for _ in range(10):
    fast_update = tf.function(update)
    x = fast_update(x, scale)

# `noisy` prints, so it is not decorated; the wrapper moves before the loop.
for _ in range(10):
    fast_noisy = tf.function(noisy)
    x = fast_noisy(x)


def run(x):
    # Wrapping an already decorated function only adds a trace cache.
    fast = tf.function(decorated)
    return fast(x)


def lambdas(x):
    # A lambda cannot be decorated: no fix.
    double = tf.function(lambda v: v * 2.0)
    return double(x)


class Trainer:
    def __init__(self, model):
        # Once per object: fine.
        self.step = tf.function(self.train)

    def train(self, x):
        return x


# Called once per training run: the graph function it creates serves the
# whole loop, and one trace per run costs nothing worth a change.
def fit(x, epochs):
    step = tf.function(update)
    for _ in range(epochs):
        x = step(x, scale)
    return x


fit(x, 3)
for _ in range(5):
    x = run(x) + lambdas(x)
