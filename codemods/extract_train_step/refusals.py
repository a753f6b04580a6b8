import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
optimizer = tf.keras.optimizers.SGD(0.1)
dataset = tf.data.Dataset.from_tensor_slices((tf.ones([8, 3]), tf.ones([8, 2]))).batch(4)


# The gradients go through NumPy between the tape and `apply_gradients`:
# the tensor work and the eager-only work are one statement.
def numpy_clipping(epochs):
    for _ in range(epochs):
        for x, y in dataset:
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(model(x) - y))
            grads = tape.gradient(loss, model.trainable_variables)
            grads = [tf.constant(np.clip(g.numpy(), -1.0, 1.0)) for g in grads]
            optimizer.apply_gradients(zip(grads, model.trainable_variables))


# A Python decision on the loss in the middle of the step: skipping
# `apply_gradients` for a large loss cannot be taken out of the loop.
def skip_large_losses(limit):
    for x, y in dataset:
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        if float(loss) > limit:
            continue
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))


# A learning rate computed in Python on every iteration and read by the
# step: a graph function would be traced again for every value.
def decayed(steps):
    step = 0
    for x, y in dataset:
        scale = 0.5**step
        with tf.GradientTape() as tape:
            loss = scale * tf.reduce_mean(tf.square(model(x) - y))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        step += 1
        if step == steps:
            break


# The loop writes a file between the forward pass and the update, with a
# value the update reads.
def logged(log):
    for x, y in dataset:
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        written = log.write("%f\n" % float(loss))
        grads = tape.gradient(loss * written, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))


numpy_clipping(1)
skip_large_losses(10.0)
decayed(2)
with open("log.txt", "w") as log:
    logged(log)
