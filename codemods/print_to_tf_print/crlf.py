import tensorflow as tf


@tf.function
def step(x):
    print("x", x)  # keep this comment
    return x
