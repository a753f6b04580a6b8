"""Custom training step that takes the Keras model and the optimizer as
parameters, called in a Python loop with a model built at module level."""
import time

import numpy as np
import tensorflow as tf

tf.keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

x_data = tf.constant(rng.normal(size=(64, 8)), dtype=tf.float32)
y_data = tf.constant(np.sin(rng.normal(size=(64, 1)) * 2.0), dtype=tf.float32)

model = tf.keras.Sequential(
    [
        tf.keras.Input(shape=(8,)),
        tf.keras.layers.Dense(32, activation="tanh"),
        tf.keras.layers.Dense(32, activation="tanh"),
        tf.keras.layers.Dense(1),
    ]
)
optimizer = tf.keras.optimizers.SGD(learning_rate=0.05)


def train_step(model, optimizer, x, y):
    with tf.GradientTape() as tape:
        pred = model(x, training=True)
        loss = tf.reduce_mean(tf.square(pred - y))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return loss


train_step(model, optimizer, x_data, y_data)  # warm-up

start = time.perf_counter()
for _ in range(60):
    loss = train_step(model, optimizer, x_data, y_data)
elapsed = (time.perf_counter() - start) * 1000.0

print("RESULT %.6f %.6f" % (float(loss), float(tf.reduce_sum(model.layers[-1].kernel))))
print("TIME_MS %.3f" % elapsed)
