"""An eager training step called in a loop: a candidate for `tf.function`."""
import tensorflow as tf

w = tf.Variable(tf.ones([4, 1]))
optimizer = tf.keras.optimizers.SGD(0.1)


def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((tf.matmul(x, w) - y) ** 2)
    grads = tape.gradient(loss, [w])
    optimizer.apply_gradients(zip(grads, [w]))
    return loss


def log(history, loss):
    history.append(float(loss))


history = []
for step in range(100):
    loss = train_step(tf.ones([8, 4]), tf.zeros([8, 1]))
    log(history, loss)
