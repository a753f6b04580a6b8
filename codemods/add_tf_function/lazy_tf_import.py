"""TensorFlow imported lazily into a global (`global tf; import tensorflow as
tf`): `tf` is TensorFlow in the functions, but not yet bound when the module
runs its `def`s, so the decorator imports TensorFlow itself. Rebinding `tf`
to the same module does not make it a global that changes."""
tf = None


def load_tensorflow():
    global tf
    if tf is None:
        import tensorflow as tf
    return tf


def train_step(w, x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
    grads = tape.gradient(loss, [w])
    w.assign_sub(0.1 * grads[0])
    return loss


def train():
    load_tensorflow()
    w = tf.Variable(tf.zeros([8, 1]))
    x = tf.ones([4, 8])
    y = tf.ones([4, 1])
    for _ in range(10):
        train_step(w, x, y)
