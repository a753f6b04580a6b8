"""A trainer object that keeps the loss function, the model, the optimizer
and an input scaler given to its constructor (`self.loss = loss_fn`), with
an eager loop over its `train_step`. The previous binary refused the step
("calls `self.loss`: an unknown callee"); every construction passes the
project's `mse`, so the step is decorated and trains the same weights."""
import time

import tensorflow as tf


def mse(y, p):
    return tf.reduce_mean(tf.square(y - p))


class Scaler:
    def scale(self, x):
        return (x - tf.reduce_mean(x, axis=0)) / (tf.math.reduce_std(x, axis=0) + 1e-6)


class Trainer:
    def __init__(self, model, optimizer, loss_fn, scaler):
        self.model = model
        self.optimizer = optimizer
        self.loss = loss_fn
        self.scaler = scaler

    def train_step(self, x, y):
        with tf.GradientTape() as tape:
            loss = self.loss(y, self.model(self.scaler.scale(x)))
        grads = tape.gradient(loss, self.model.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.model.trainable_variables))
        return loss


def main():
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential(
        [tf.keras.layers.Dense(32, activation="relu"), tf.keras.layers.Dense(1)]
    )
    trainer = Trainer(model, tf.keras.optimizers.SGD(0.01), loss_fn=mse, scaler=Scaler())
    x = tf.random.normal([64, 8])
    y = tf.reduce_sum(x, axis=1, keepdims=True)
    trainer.train_step(x, y)
    start = time.perf_counter()
    for step in range(200):
        loss = trainer.train_step(x, y)
    print("TIME_MS %.3f" % ((time.perf_counter() - start) * 1000))
    weights = sum(float(tf.reduce_sum(w)) for w in model.trainable_variables)
    print("RESULT %.4f %.4f" % (float(loss), weights))


main()
