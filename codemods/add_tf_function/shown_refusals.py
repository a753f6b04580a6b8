# fixture: --show-refusals
"""`--show-refusals`: every refusal, also of functions without tensor work."""
import tensorflow as tf


# HY105 (printed only on request): no tensor work.
def log(history, value):
    history.append(value)


# HY101: a refusal of a function that does tensor work, printed always.
def step(history, x):
    history.append(tf.reduce_sum(x))


history = []
for i in range(3):
    log(history, i)
    step(history, tf.ones([2]))
