"""Python lists appended to in graph loops."""
import tensorflow as tf


@tf.function
def squares(n):
    out = []
    for i in tf.range(n):
        out.append(i * i)
    return out


@tf.function
def countdown(x):
    seen = []
    while x > 0:
        seen.append(x)
        x -= 1
    return x


# `range()` of a tensor is a graph loop: AutoGraph makes it `tf.range`.
@tf.function
def rows(x):
    out = []
    for i in range(tf.shape(x)[0]):
        out.append(x[i])
    return out


# OK: a Python loop over a Python range is unrolled while tracing.
@tf.function
def unrolled(x):
    parts = []
    for i in range(3):
        parts.append(x * i)
    return tf.stack(parts)


# OK: a TensorArray.
@tf.function
def with_tensor_array(n):
    out = tf.TensorArray(tf.int32, size=0, dynamic_size=True)
    for i in tf.range(n):
        out = out.write(i, i * i)
    return out.stack()


# OK: `range()` of a Python `int` (annotated, a default, or what every call
# site passes) is a Python loop, unrolled while tracing: the list gets one
# element per iteration.
class Augmenter(tf.Module):
    @tf.function
    def augment(self, x, num_views: int, is_warmup: bool):
        views = []
        for _ in range(num_views):
            views.append(tf.image.flip_left_right(x))
        return views

    @tf.function
    def augment_twice(self, x, count=2):
        views = []
        for _ in range(count):
            views.append(x * 2.0)
        return views


@tf.function
def repeated(x, times):
    parts = []
    for _ in range(times):
        parts.append(x)
    return tf.stack(parts)


repeated(tf.ones([2]), 3)
repeated(tf.ones([2]), 4)

