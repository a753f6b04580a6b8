import tensorflow as tf


@tf.function
def step(x):
    print(x)
    return x
