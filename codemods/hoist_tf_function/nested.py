import tensorflow as tf

w = tf.ones([2, 2])


# The enclosing function is clean: the decoration moves out.
def step(x):
    @tf.function
    def inner(v):
        return tf.tanh(tf.matmul(v, w))

    return inner(x)


# The enclosing function logs: lift `inner`, passing `scale` along.
def logged_step(x, scale):
    history = []

    @tf.function
    def inner(v):
        return tf.matmul(v, w) * scale

    y = inner(x)
    history.append(y)
    print("done")
    return y


class Model(tf.Module):
    def __init__(self):
        self.w = tf.Variable(tf.ones([2, 2]))

    # Nested decorator in a method: the method becomes the graph function.
    def predict(self, x):
        @tf.function
        def forward(v):
            return tf.matmul(v, self.w)

        return forward(x)

    # The method writes Python state: `forward` becomes a method of `Model`.
    def predict_and_count(self, x):
        @tf.function
        def forward(v):
            return tf.matmul(v, self.w)

        self.calls = 1
        return forward(x)


# OK: inside a graph function the nested one is created once per trace.
@tf.function
def already_graph(x):
    @tf.function
    def inner(v):
        return v * 2.0

    return inner(x)


for _ in range(3):
    step(tf.ones([2, 2]))
    logged_step(tf.ones([2, 2]), 2.0)
