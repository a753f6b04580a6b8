# fixture: --show-refusals
"""Hot functions whose only Python side effect is a counter HY010 keeps in a
`tf.Variable`: decorated and repaired in one change (unsafe). Any write the
repair would not rewrite keeps the refusal."""
import tensorflow as tf

steps = 0
seen = 0
total = 0.0
names = []
pair = 0


# HY001 (unsafe): the counter becomes a variable in the same change.
def counted(x):
    global steps
    steps += 1
    return x * 2.0


# HY001 (unsafe): through a callee in this module.
def bump():
    global seen
    seen += 1


def counted_through_helper(x):
    bump()
    return tf.nn.relu(x)


# HY101: a list is not state HY010 rewrites.
def rebinds_list(x):
    global names
    names = names + ["x"]
    return x * 2.0


# HY101: a tuple target is not rewritten.
def tuple_write(x):
    global pair, total
    pair, total = 1, 2.0
    return x * 2.0


# HY101: the counter is also read where a Python number is needed in a way
# HY010 cannot follow (identity comparison), so it is never rewritten.
def identity_read(x):
    global total
    total += 1.0
    return x * 2.0


# HY101: a `nonlocal` counter is not state HY010 rewrites.
def nested_counter(x):
    count = 0

    def inner():
        nonlocal count
        count += 1

    inner()
    return x * 2.0


# HY001 (unsafe): a counter a graph function already bumps (HY010 reports
# it); the candidate's write is rewritten into the same variable.
shared = 0


@tf.function
def graph_bumps(x):
    global shared
    shared += 1
    return x


def also_bumps(x):
    global shared
    shared += 1
    return x * 3.0


# HY001: a function nested in the candidate writes a global it declares,
# but nothing calls it: the candidate itself writes no Python state.
def nested_writer(x):
    def later():
        global steps
        steps = 5

    return x * 2.0


x = tf.ones([2])
for _ in range(3):
    graph_bumps(x)
    also_bumps(x)
    nested_writer(x)
    counted(x)
    counted_through_helper(x)
    rebinds_list(x)
    tuple_write(x)
    identity_read(x)
    nested_counter(x)
print(steps, seen, total is None)
