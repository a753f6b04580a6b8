import logging

import tensorflow as tf

logger = logging.getLogger(__name__)


# A training function: the tape block and `apply_gradients` become the step;
# the running sum of `float(loss)`, logging and early stopping stay.
def train(model, optimizer, loss_fn, dataset, epochs):
    best = float("inf")
    for epoch in range(epochs):
        total = 0.0
        batches = 0
        for x, y in dataset:
            with tf.GradientTape() as tape:
                predictions = model(x, training=True)
                loss = loss_fn(y, predictions)
            gradients = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(gradients, model.trainable_variables))
            total += float(loss)
            batches += 1
        mean = total / batches
        logger.info("epoch %d: loss %.4f", epoch, mean)
        if mean > best:
            break
        best = mean
    return best


# An evaluation loop: the forward pass and the metric updates become the
# step; the metric objects stay objects, read after the loop.
def evaluate(model, dataset):
    accuracy = tf.keras.metrics.SparseCategoricalAccuracy()
    mean_loss = tf.keras.metrics.Mean()
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    for x, y in dataset:
        logits = model(x, training=False)
        accuracy.update_state(y, logits)
        mean_loss.update_state(loss_fn(y, logits))
    print("accuracy", float(accuracy.result()), "loss", float(mean_loss.result()))
    return accuracy.result()


# A log call between the tape and the update moves after the step's call.
def train_logged(model, optimizer, dataset):
    for step, (x, y) in enumerate(dataset):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        logger.debug("step %d", step)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))


model = tf.keras.Sequential([tf.keras.layers.Dense(4)])
optimizer = tf.keras.optimizers.SGD(0.1)
loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
dataset = tf.data.Dataset.from_tensor_slices((tf.ones([8, 3]), tf.zeros([8], tf.int64))).batch(4)
train(model, optimizer, loss_fn, dataset, 3)
train_logged(model, optimizer, dataset)
evaluate(model, dataset)

# Module-level code: a `print` of the loss stays in the loop, after the call.
step = 0
for x, y in dataset:
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    step += 1
    if step % 100 == 0:
        print(step, float(loss))
