# fixture: --show-refusals
"""What values are: Keras objects, lists of layers, models passed in, and the
objects whose calls reach outside the graph."""
import tensorflow as tf
from tensorflow.keras import layers

from outside_the_project import Model as ForeignModel


class SequentialModel(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.flatten = layers.Flatten()
        self.hidden = [layers.Dense(8, activation="relu") for _ in range(4)]
        self.out = layers.Dense(2)

    def call(self, x):
        x = self.flatten(x)
        for layer in self.hidden:
            x = layer(x)
        return self.out(x)


class Blocks(tf.Module):
    def __init__(self):
        self.blocks = []
        for _ in range(3):
            self.blocks.append(layers.Dense(8))


# A model passed in: the call leads to `SequentialModel.call`.
def predict(model, x):
    return tf.nn.softmax(model(x))


# A Keras model and optimizer passed in, a loss object at module level.
loss_fn = tf.keras.losses.MeanSquaredError()


def train_step(model, optimizer, x, y):
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return loss


# Layers appended in a constructor, looped over elsewhere.
def run_blocks(blocks, x):
    for block in blocks.blocks:
        x = block(x)
    return x


# A function stored on an object and called through it.
def relu_loss(x):
    return tf.reduce_mean(tf.nn.relu(x))


class Holder:
    def __init__(self):
        self.loss = relu_loss

    def step(self, x):
        return self.loss(x)


class Saver:
    def __init__(self, model):
        self.checkpoint = tf.train.Checkpoint(model=model)
        self.manager = tf.train.CheckpointManager(self.checkpoint, "/tmp/ckpt", 3)

    # Saving a checkpoint is file I/O: not graph code.
    def save_and_score(self, x):
        self.manager.save()
        return tf.reduce_sum(x)


# Keras's own training loop in a step: not graph code.
def fit_step(model, x, y):
    model.fit(x, y, verbose=0)
    return tf.reduce_sum(x)


# Different kinds at different call sites: what `thing` is stays unknown.
def mixed(thing, x):
    return thing(x)


# A model from outside the analysed files: what its call does is unknown.
def foreign(model, x):
    return model(x)


model = SequentialModel()
other = tf.keras.Sequential([layers.Dense(2)])
optimizer = tf.keras.optimizers.SGD(0.1)
blocks = Blocks()
holder = Holder()
saver = Saver(model)
foreign_model = ForeignModel()
x = tf.zeros([4, 8])
y = tf.zeros([4, 2])
for _ in range(10):
    predict(model, x)
    train_step(other, optimizer, x, y)
    run_blocks(blocks, x)
    holder.step(x)
    saver.save_and_score(x)
    fit_step(other, x, y)
    mixed(model, x)
    mixed(relu_loss, x)
    foreign(foreign_model, x)
