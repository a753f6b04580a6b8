"""An eager training loop (a small Keras MLP, GradientTape, 400 steps):
what `hybridize trace` is measured on (bench/trace_overhead/run.sh)."""

import time

import tensorflow as tf


def make_model():
    return tf.keras.Sequential(
        [tf.keras.layers.Dense(64, activation="relu"), tf.keras.layers.Dense(10)]
    )


def loss_fn(model, x, y):
    logits = model(x)
    return tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
    )


def train_step(model, optimizer, x, y):
    with tf.GradientTape() as tape:
        loss = loss_fn(model, x, y)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return loss


def main():
    tf.random.set_seed(0)
    x = tf.random.normal((256, 32))
    y = tf.random.uniform((256,), maxval=10, dtype=tf.int32)
    model = make_model()
    optimizer = tf.keras.optimizers.SGD(0.01)
    train_step(model, optimizer, x[:32], y[:32])
    start = time.perf_counter()
    cpu = time.thread_time()
    for step in range(400):
        i = (step * 32) % 256
        loss = train_step(model, optimizer, x[i : i + 32], y[i : i + 32])
    print(
        "LOOP_MS %.1f" % ((time.perf_counter() - start) * 1000),
        "CPU_MS %.1f" % ((time.thread_time() - cpu) * 1000),
        "LOSS %.4f" % float(loss),
    )


if __name__ == "__main__":
    main()
