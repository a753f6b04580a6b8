"""A graph train step that decays its learning rate with a module-level
Python step counter (`global step; step += 1; lr = 0.5 / step`): the author
meant lr to fall on every call, but the Python code runs only while tracing,
so the step stays 1 and lr stays 0.5."""
import tensorflow as tf

step = 0
w = tf.Variable([2.0, -1.0, 0.5])
target = tf.constant([1.0, 1.0, 1.0])


@tf.function
def train_step(x):
    global step
    step += 1
    lr = 0.5 / step
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(w * x - target))
    grad = tape.gradient(loss, w)
    w.assign_sub(lr * grad)
    return loss


x = tf.constant([1.5, 0.5, 2.0])
for _ in range(8):
    loss = train_step(x)

print("RESULT %d %.6f %.6f %.6f %.6f" % (int(step), float(loss), float(w[0]), float(w[1]), float(w[2])))
