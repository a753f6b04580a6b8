"""A small custom training loop, written eagerly, as many TF2 projects start."""
import numpy as np
import tensorflow as tf

tf.random.set_seed(0)
x_train = np.random.RandomState(0).normal(size=(256, 8)).astype("float32")
y_train = x_train @ np.arange(8, dtype="float32")[:, None]

model = tf.keras.Sequential([tf.keras.layers.Dense(16, activation="relu"), tf.keras.layers.Dense(1)])
optimizer = tf.keras.optimizers.SGD(0.01)


@tf.function(experimental_relax_shapes=True)
def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x) - y) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    print("loss", loss)
    return loss


for epoch in range(3):
    for start in range(0, 256, 32):
        loss = train_step(x_train[start : start + 32], y_train[start : start + 32])
    print("epoch", epoch, "loss", float(loss))
