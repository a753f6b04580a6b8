"""`from tensorflow import *` binds TensorFlow's public names: `matmul`,
`ones` and `reduce_sum` are TensorFlow's, and so are `print` (`tf.print`,
which runs in a graph on every call) and `range`. The decorator uses the
name the star import bound."""
from tensorflow import *


# HY001 (safe): tensor work on tensors, its `print` is `tf.print`.
def step(x, w):
    y = matmul(x, w)
    print(y)
    return reduce_sum(y**2) + reduce_mean(x)


def main():
    w = ones([3, 1])
    for _ in range(10):
        step(ones([2, 3]), w)
