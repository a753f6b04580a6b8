# fixture: --show-refusals
"""Helpers that put a functional Keras model together run on symbolic
tensors (`keras.Input`), which no `tf.function` can take: HY116, on
request only (model-building code is no step)."""
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

hidden = [layers.Dense(8, activation="relu") for _ in range(3)]


# HY116: `x` is `inputs`, then what `block` and the layers make of it.
def block(x, layer):
    return layer(x) + x * 0.5


# HY116: a keyword argument, derived through a layer.
def head(features):
    return tf.nn.relu(features) * 2.0 + tf.abs(features) - tf.reduce_mean(features)


# HY001: called with real tensors in the step loop below.
def predict(model, data):
    return tf.nn.softmax(model(data)) * 2.0 + tf.reduce_mean(data)


inputs = keras.Input(shape=(8,))
x = inputs
for i in range(3):
    x = block(x, hidden[i])
    x = head(features=layers.Dense(8)(x))
model = keras.Model(inputs, x)

batches = [tf.ones([4, 8]), tf.zeros([4, 8])]
for _ in range(10):
    predict(model, batches[0])
