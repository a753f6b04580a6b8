import tensorflow as tf

w = tf.ones([4, 4])


@tf.function
def decay_step(step, x):
    lr = 0.1 / (1.0 + tf.cast(step, tf.float32))
    tf.print("step", step)
    return x - lr * tf.matmul(x, w)


# Used in Python control flow: a tensor would mean something else.
@tf.function
def warmup(step, x):
    if step < 10:
        return x * 0.5
    return x


# Used in range(): refuse.
@tf.function
def repeat(n, x):
    for _ in range(n):
        x = tf.matmul(x, w)
    return x


# A flag selects the graph: left alone.
@tf.function
def forward(x, training):
    return tf.matmul(x, w)


# OK: the same constant at every call.
@tf.function
def fixed(x, k):
    return x * tf.cast(k, tf.float32)


x = tf.ones([2, 4])
decay_step(0, x)
for step in range(100):
    x = decay_step(step, x)
    x = warmup(step, x)
    x = repeat(step % 3, x)
    x = forward(x, step > 50)
    x = forward(x, training=True)
    x = fixed(x, 2)
