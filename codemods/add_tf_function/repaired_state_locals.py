# fixture: --show-refusals
"""HY001's repair of Python state follows the state through locals and
casts it where Python would have made a float, as HY010 does."""
import tensorflow as tf

updates = 0
hits = 0
misses = 0
cursor = 0
table = [1.0, 2.0, 3.0]
w = tf.Variable([1.0, 2.0])


# HY001 (unsafe): `updates` becomes a variable, cast where it is divided.
def decayed_update(grad):
    global updates
    updates += 1
    lr = 0.1 / updates
    w.assign_sub(lr * grad)
    return w * 1.0


# HY001 (unsafe): two counters cast together where their sum is divided.
def hit_rate(x):
    global hits, misses
    hits += 1
    misses += 1
    rate = (hits + misses) / 2.0
    return x * rate


# HY101: the counter flows into a local used as a Python index.
def indexed(x):
    global cursor
    cursor += 1
    position = cursor - 1
    return x * table[position]


g = tf.ones([2])
for _ in range(3):
    decayed_update(g)
    hit_rate(g)
    indexed(g)
print(updates, hits, misses, cursor)
