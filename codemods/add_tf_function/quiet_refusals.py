"""Refusals of hot functions without tensor work are counted, not printed."""
import tensorflow as tf


# Not printed: no tensor work (`--show-refusals` prints its HY101, HY105).
def log(history, value):
    history.append(value)


# HY101: a refusal of a function that does tensor work, printed always.
def step(history, x):
    history.append(tf.reduce_sum(x))


history = []
for i in range(3):
    log(history, i)
    step(history, tf.ones([2]))
