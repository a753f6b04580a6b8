"""An eager MNIST-style training loop (synthetic 28x28 data, 784-64-10 MLP,
50 steps) with the GradientTape work inline in the loop body, a running loss
sum through float(loss) and a Keras SparseCategoricalAccuracy metric."""
import time

import numpy as np
import tensorflow as tf

tf.keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

# Synthetic "digits": each class is a noisy copy of its own random template.
templates = rng.random((10, 784)).astype("float32")
labels_np = rng.integers(0, 10, size=(1600,))
images_np = templates[labels_np] + 0.8 * rng.normal(size=(1600, 784)).astype("float32")
dataset = tf.data.Dataset.from_tensor_slices(
    (images_np.astype("float32"), labels_np.astype("int64"))
).batch(32)

model = tf.keras.Sequential(
    [
        tf.keras.Input(shape=(784,)),
        tf.keras.layers.Dense(64, activation="relu"),
        tf.keras.layers.Dense(10),
    ]
)
loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
optimizer = tf.keras.optimizers.SGD(learning_rate=0.05)
train_acc = tf.keras.metrics.SparseCategoricalAccuracy()

start = time.perf_counter()
loss_sum = 0.0
steps = 0
for images, labels in dataset:
    with tf.GradientTape() as tape:
        logits = model(images, training=True)
        loss = loss_fn(labels, logits)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    train_acc.update_state(labels, logits)
    loss_sum += float(loss)
    steps += 1
elapsed = (time.perf_counter() - start) * 1000.0

print("steps %d" % steps)
print("RESULT %.4f %.4f" % (loss_sum / steps, float(train_acc.result())))
print("TIME_MS %.3f" % elapsed)
