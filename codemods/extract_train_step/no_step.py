import time

import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
optimizer = tf.keras.optimizers.SGD(0.1)
dataset = tf.data.Dataset.from_tensor_slices((tf.ones([8, 3]), tf.ones([8, 2]))).batch(4)


# Already a graph step: the loop calls it.
@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x) - y))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return loss


def train(epochs):
    for _ in range(epochs):
        for x, y in dataset:
            loss = train_step(x, y)
            print(float(loss))


# A loop inside a graph function is AutoGraph's.
@tf.function
def train_all():
    for x, y in dataset:
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))


# No tensor work in the loop: Keras runs its own loop.
def fit_many(times):
    for _ in range(times):
        model.fit(dataset, epochs=1, verbose=0)
        print(time.time())


# Bookkeeping only.
def report(losses):
    total = 0.0
    for value in losses:
        total += float(value)
        print(value)
    return total


train(1)
train_all()
fit_many(1)
report([1.0])
