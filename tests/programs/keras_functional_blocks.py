"""A functional Keras model put together by a helper called in a loop on
symbolic tensors (`keras.Input`), then run on data. The helper runs once per
block while the model is built: no `tf.function` can take its symbolic
arguments (HY116), so the file is left as it is."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

tf.keras.utils.set_random_seed(0)

hidden = [layers.Dense(8, activation="relu", kernel_initializer="he_normal") for _ in range(3)]


def block(x, layer):
    return layer(x) + x * 0.5


inputs = keras.Input(shape=(8,))
x = inputs
for i in range(3):
    x = block(x, hidden[i])
model = keras.Model(inputs, layers.Dense(1)(x))

data = tf.constant(np.random.default_rng(0).random((16, 8)), dtype=tf.float32)
out = model(data)
print("RESULT %.6f %.6f" % (float(tf.reduce_sum(out)), float(tf.reduce_max(out))))
