"""Other spellings of TensorFlow: the fix uses the module's own alias."""
import tensorflow as tfx
from tensorflow import keras


def step(x):
    return tfx.nn.softmax(x)


def keras_step(x):
    return keras.activations.relu(x)


x = tfx.constant([1.0, 2.0])
for _ in range(10):
    step(x)
    keras_step(x)
