# fixture: --show-refusals
"""A helper of a few operations whose callers run a graph function in the
same step gains nothing as a graph function of its own: a second graph call
per step costs more than its operations do eagerly (cleverhans's attack
helpers, measured 2-6x slower per call). The graph belongs at the step."""
import numpy as np
import tensorflow as tf


@tf.function
def compute_gradient(model, x, y):
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_mean(tf.square(model(x) - y))
    return tape.gradient(loss, x)


# HY113 (shown with `--show-refusals`): one branch of a few operations per
# call, beside `compute_gradient`.
def clip_eta(eta, norm, eps):
    if norm == np.inf:
        eta = tf.clip_by_value(eta, -eps, eps)
    else:
        norm = tf.sqrt(tf.maximum(1e-12, tf.reduce_sum(tf.square(eta), 1, keepdims=True)))
        eta = eta * tf.minimum(1.0, tf.math.divide(eps, norm))
    return eta


# HY001: the same operations, in a loop that runs no graph function.
def project(eta, eps):
    norm = tf.sqrt(tf.maximum(1e-12, tf.reduce_sum(tf.square(eta), 1, keepdims=True)))
    return eta * tf.minimum(1.0, tf.math.divide(eps, norm))


def attack(model, x, y, eps, steps):
    adv = x
    for _ in range(steps):
        grad = compute_gradient(model, adv, y)
        adv = x + clip_eta(adv + 0.01 * tf.sign(grad) - x, np.inf, eps)
    return adv


def noise(x, eps, steps):
    for _ in range(steps):
        x = x + project(tf.random.normal(tf.shape(x)), eps)
    return x


model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
for batch in range(3):
    attack(model, tf.ones([2, 3]), tf.ones([2, 1]), 0.1, 10)
    noise(tf.ones([2, 3]), 0.1, 10)
