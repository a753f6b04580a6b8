"""Python state that is mutated in graph code but escapes the analysis: reported, not rewritten."""
import tensorflow as tf


def log_value(value):
    return value


class PassedOn(tf.Module):
    def __init__(self):
        self.count = 0

    @tf.function
    def __call__(self, x):
        self.count += 1
        log_value(self.count)
        return x


class Returned(tf.Module):
    def __init__(self):
        self.total = 0

    def bump(self):
        self.total += 1
        return self.total

    @tf.function
    def __call__(self, x):
        return x * self.bump()


class Identity(tf.Module):
    def __init__(self):
        self.flag = False

    @tf.function
    def __call__(self, x):
        self.flag = True
        return x

    def check(self):
        return self.flag is True


class DictKey(tf.Module):
    def __init__(self):
        self.slot = 0

    @tf.function
    def __call__(self, x):
        self.slot += 1
        return x

    def table(self):
        return {self.slot: "value"}


class ReadOutside(tf.Module):
    def __init__(self):
        self.ticks = 0

    @tf.function
    def __call__(self, x):
        self.ticks += 1
        return x


r = ReadOutside()
print(r.ticks)


class ByName(tf.Module):
    def __init__(self):
        self.hits = 0

    @tf.function
    def __call__(self, x):
        self.hits += 1
        return x

    def get(self):
        return getattr(self, "hits")


class SetEagerly(tf.Module):
    def __init__(self):
        self.epoch = 0

    @tf.function
    def __call__(self, x):
        self.epoch += 1
        return x

    def restore(self, saved):
        self.epoch = saved["epoch"]


class Conditional(tf.Module):
    def __init__(self, warm):
        if warm:
            self.level = 1
        else:
            self.level = 0

    @tf.function
    def __call__(self, x):
        self.level += 1
        return x


class Scaled(tf.Module):
    def __init__(self):
        self.scale = 1

    @tf.function
    def __call__(self, x):
        self.scale *= 2
        return x


class Indexed(tf.Module):
    def __init__(self):
        self.position = 0
        self.table = [1, 2, 3]

    @tf.function
    def __call__(self, x):
        self.position += 1
        return x * self.table[self.position]


class Mixed(tf.Module):
    def __init__(self):
        self.n = 0

    @tf.function
    def __call__(self, x):
        self.n += 0.5
        return x


class Truthy(tf.Module):
    def __init__(self):
        self.pending = 0

    @tf.function
    def __call__(self, x):
        self.pending += 1
        if self.pending:
            x = x + 1.0
        return x


class IndexedThroughLocal(tf.Module):
    def __init__(self):
        self.cursor = 0
        self.table = [1.0, 2.0, 3.0]

    @tf.function
    def __call__(self, x):
        self.cursor += 1
        position = self.cursor - 1
        return x * self.table[position]


class Halved(tf.Module):
    def __init__(self):
        self.budget = 8

    @tf.function
    def __call__(self, x):
        self.budget = self.budget / 2
        return x


class Captured(tf.Module):
    def __init__(self):
        self.seen = 0

    @tf.function
    def __call__(self, x):
        self.seen += 1
        seen = self.seen
        return tf.map_fn(lambda v: v * seen, x)


steps = 0


@tf.function
def counted(x):
    global steps
    steps += 1
    return x


for steps in range(3):
    counted(tf.constant(1.0))


# OK: a variable already; not Python state.
class AlreadyVariable(tf.Module):
    def __init__(self):
        self.count = tf.Variable(0)

    @tf.function
    def __call__(self, x):
        self.count.assign_add(1)
        return x


# OK: mutated only in eager code.
class Eager:
    def __init__(self):
        self.count = 0

    def bump(self):
        self.count += 1
