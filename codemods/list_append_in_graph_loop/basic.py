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
