# fixture: --show-refusals
"""Python side effects, direct and through callees: refused with the culprit's line."""
import logging
import random
import time

import numpy as np
import tensorflow as tf

history = []
step_count = 0
log = logging.getLogger(__name__)


def appends_to_global(x):
    y = tf.reduce_sum(x)
    history.append(y)
    return y


def writes_global(x):
    global step_count
    step_count += 1
    return x * 2.0


def prints(x):
    print("value", x)
    return tf.square(x)


def logs(x):
    log.info("step")
    return tf.square(x)


def python_random(x):
    return x * random.random()


def numpy_random(x):
    import numpy as np
    return x * np.random.rand()


def reads_clock(x):
    start = time.time()
    return tf.square(x) + start


def mutates_argument(x, out):
    out.append(tf.square(x))
    return out


def writes_file(x):
    with open("out.txt", "w") as f:
        f.write("done")
    return tf.square(x)


def outer_dict(x, cache={}):
    cache["last"] = x
    return tf.square(x)


def record(y):
    history.append(y)


def transitive(x):
    y = tf.square(x)
    record(y)
    return y


def deeper(x):
    return transitive(x)


x = tf.constant([1.0, 2.0])
counter = tf.train.Checkpoint(step=tf.Variable(1.0))
for i in range(10):
    appends_to_global(x)
    writes_global(x)
    prints(x)
    logs(x)
    python_random(x)
    numpy_random(x)
    reads_clock(x)
    mutates_argument(x, [])
    writes_file(x)
    outer_dict(x)
    deeper(x)


# OK: local containers may be mutated freely.
def local_list(x):
    parts = []
    for _ in range(3):
        parts.append(tf.square(x))
    out = {}
    out["sum"] = tf.add_n(parts)
    return out["sum"]


# OK: a NumPy array made here may be mutated freely.
def local_array(x):
    mask = np.ones(3, dtype=bool)
    mask[0] = False
    return tf.reduce_sum(tf.boolean_mask(x, mask)) + tf.reduce_mean(x)


# HY101: the name may hold the caller's array (`other`) when it is mutated.
def maybe_shared_array(x, other):
    mask = np.ones(3, dtype=bool)
    if x.shape[0] > 2:
        mask = other
    mask[0] = False
    return tf.reduce_sum(tf.boolean_mask(x, mask)) + tf.reduce_mean(x)


# HY101: `np.asarray` hands back the caller's array itself.
def array_view(x, values):
    view = np.asarray(values)
    view[0] = 1.0
    return tf.reduce_sum(x) + tf.reduce_mean(x) + tf.reduce_max(x)


# HY101: TensorFlow's logger is Python's `logging`; a graph function would
# log once, while tracing.
def logged_step(x):
    tf.get_logger().info("step")
    return tf.reduce_sum(x) + tf.reduce_mean(x) + tf.reduce_max(x)


# HY102: `.numpy()` asks for an eager value, whatever it is called on.
def eager_readout(x, counter):
    return tf.reduce_sum(x) + tf.reduce_mean(x) * float(counter.step.numpy())


for _ in range(10):
    eager_readout(x, counter)
    logged_step(x)
    local_list(x)
    local_array(x)
    maybe_shared_array(x, np.ones(3, dtype=bool))
    array_view(x, np.zeros(3))
