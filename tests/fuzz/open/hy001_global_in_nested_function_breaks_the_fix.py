"""doc"""
import tensorflow as tf
steps = 0
def counted(x):
    global steps
    steps += 1
    return x * 2.0
    def inner():
        count += 1
    def later():
        global steps
x = tf.ones([2])
for _ in range(3):
    counted(x)
