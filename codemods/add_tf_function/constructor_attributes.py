"""An attribute that stores a constructor's parameter (`self.loss =
loss_fn`) holds what every construction in the module passes: a function of
the project, an instance of one of its classes, or a Keras object. Calling
it is then no unknown callee."""
import tensorflow as tf


def mse(y, p):
    return tf.reduce_mean(tf.square(y - p))


def mae(y, p):
    return tf.reduce_mean(tf.abs(y - p))


class Scaler:
    def scale(self, x):
        return x * 0.5 + tf.reduce_mean(x)


# HY001: every construction passes `mse` and a `Scaler`; the model and the
# optimizer are Keras objects.
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


# HY110: two constructions pass different functions; which one a call
# runs is not known.
class Evaluator:
    def __init__(self, metric_fn):
        self.metric = metric_fn

    def evaluate(self, y, p):
        return self.metric(y, p) + tf.reduce_sum(p) * 0.0


# HY110: the construction passes a value chosen at run time.
class Chosen:
    def __init__(self, loss_fn):
        self.loss = loss_fn

    def step(self, y, p):
        return self.loss(y, p) + tf.reduce_sum(p) * 0.0


# HY001: every caller passes the same function, `mse`, as `loss_fn`.
def score(loss_fn, y, p):
    return loss_fn(y, p) + tf.reduce_max(p) * 0.0 + tf.reduce_min(y) * 0.0


LOSSES = {"mse": mse, "mae": mae}


def main(name):
    chosen = Chosen(LOSSES[name])
    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
    trainer = Trainer(model, tf.keras.optimizers.SGD(0.1), loss_fn=mse, scaler=Scaler())
    first, second = Evaluator(mse), Evaluator(mae)
    x, y = tf.ones([8, 3]), tf.ones([8, 1])
    for step in range(10):
        trainer.train_step(x, y)
        first.evaluate(y, model(x))
        second.evaluate(y, model(x))
        chosen.step(y, model(x))
        score(mse, y, model(x))


main("mse")
