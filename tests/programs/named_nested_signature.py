"""A tf.function taking a (states, rewards) tuple whose batch size changes every call; the state width is a module constant."""
import time

import tensorflow as tf

NUM_STATES = 6
NUM_ACTIONS = 3

tf.random.set_seed(0)
w = tf.random.normal([NUM_STATES, NUM_ACTIONS], seed=1)


@tf.function
def _td_error(batch):
    states, rewards = batch
    q = tf.matmul(states, w)
    return tf.reduce_sum(tf.reduce_max(q, axis=1) - rewards)


_td_error((tf.ones([1, NUM_STATES]), tf.zeros([1])))  # warm-up

start = time.perf_counter()
total = 0.0
for _ in range(2):
    for n in range(2, 32):
        states = tf.random.normal([n, NUM_STATES], seed=n)
        rewards = tf.random.uniform([n], seed=n)
        total += float(_td_error((states, rewards)))
elapsed = (time.perf_counter() - start) * 1000.0

print("RESULT %.6f" % total)
print("TRACES %d" % _td_error.experimental_get_tracing_count())
print("TIME_MS %.3f" % elapsed)
