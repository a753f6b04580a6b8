import tensorflow as tf
from layers import Base


class Scaler(tf.Module):
    def __init__(self):
        self.w = tf.Variable(tf.ones([2, 2]))
        self.bias = 0.5
        self.calls = 0

    # Reads `self.w` and the method's `scale`: lifted to a method of
    # `Scaler`, with `scale` as a new parameter.
    def apply(self, x, scale):
        self.calls += 1

        @tf.function
        def forward(v):
            return tf.matmul(v, self.w) * scale + self.bias

        return forward(x) + forward(x)

    # A name the class already has: not a method, lifted to module level.
    def project(self, x):
        self.calls += 1

        @tf.function
        def apply(v):
            return tf.matmul(v, self.w)

        return apply(x)

    # Writes to `self`: no lifting at all.
    def accumulate(self, x):
        self.calls += 1

        @tf.function
        def add(v):
            self.total = v * 2.0
            return tf.matmul(v, self.w)

        return add(x)

    # A closure over the loop variable: no lifting.
    def repeat(self, x):
        self.calls += 1
        for k in range(3):
            @tf.function
            def scaled(v):
                return tf.matmul(v, self.w) * k

            x = scaled(x)
        return x

    # Reads `self.rate`, which `set_rate` reassigns: created once, the graph
    # function would keep the first value.
    def decay(self, x):
        self.calls += 1

        @tf.function
        def step(v):
            return v * self.rate

        return step(x)

    def set_rate(self, rate):
        self.rate = rate

    # Prints: once lifted it would print only when first traced.
    def noisy(self, x):
        self.calls += 1

        @tf.function
        def shout(v):
            print("tracing")
            return tf.matmul(v, self.w)

        return shout(x)

    # No tensor computation: HY020 removes the decoration instead.
    def label(self, n):
        self.calls += 1

        @tf.function
        def describe(k):
            return "layer-" + str(k)

        return describe(3)

    # A static method has no `self`: lifted to module level as before.
    @staticmethod
    def double(x):
        print("double")
        @tf.function
        def twice(v):
            return v * 2.0

        return twice(x)


class Signed(tf.Module):
    def __init__(self):
        self.w = tf.ones([2, 2])
        self.calls = 0

    # The decorator reads the method's local `spec`: it cannot move.
    def run(self, x):
        self.calls += 1
        spec = tf.TensorSpec(shape=[2, 2], dtype=tf.float32)

        @tf.function(input_signature=[spec])
        def signed(v):
            return tf.matmul(v, self.w)

        return signed(x)


class Dense(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.kernel = tf.ones([2, 2])
        self.count = 0

    # `call` would override the Keras `call`: lifted to module level.
    def run(self, x):
        self.count += 1

        @tf.function
        def call(v):
            return tf.matmul(v, self.kernel)

        return call(x)


class Imported(Base):
    # The base class is defined elsewhere and may have a `mix`.
    def blend(self, x):
        self.count = 1

        @tf.function
        def mix(v):
            return v * self.alpha

        return mix(x)


class Child(Scaler):
    # The base `Scaler` defines `apply` (and `forward`, once lifted).
    def transform(self, x):
        self.calls += 1

        @tf.function
        def forward(v):
            return tf.matmul(v, self.w)

        return forward(x)


class Plain:
    def __init__(self, w):
        self.w = w
        self.calls = 0

    # A subclass below defines `inner`: lifted to module level instead.
    def run(self, x):
        self.calls += 1

        @tf.function
        def inner(v):
            return tf.matmul(v, self.w)

        return inner(x)


class Special(Plain):
    def inner(self, v):
        return v


class Cached(tf.Module):
    def __init__(self):
        self.w = tf.ones([2, 2])
        self.hits = 0

    # A decorated method may not receive an instance: lifted to module level.
    @property
    def doubled(self):
        self.hits += 1

        @tf.function
        def twice_w(v):
            return tf.matmul(v, self.w)

        return twice_w(tf.ones([2, 2]))


class Recursive(tf.Module):
    def __init__(self):
        self.w = tf.ones([2, 2])
        self.n = 0

    # Recursive: HY020 removes the decoration instead.
    def run(self, x):
        self.n += 1

        @tf.function
        def step(v, k):
            if k == 0:
                return v
            return step(tf.matmul(v, self.w), k - 1)

        return step(x, 2)
