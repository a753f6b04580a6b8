import sys

import tensorflow as tf


@tf.function
def step(x):
    y = x * 2
    print(f"y = {y}")
    print("y = %s" % y)
    print("y = {}".format(y))
    print(str(y))
    print("y", y, file=sys.stderr)
    print("y", y, flush=True)
    print("y", y)  # noqa: HY011
    return y
