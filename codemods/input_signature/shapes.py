import tensorflow as tf

w = tf.ones([4, 3])


# Batch size varies between call sites, features do not.
@tf.function
def _forward(x):
    return tf.matmul(x, w)


_forward(tf.ones([8, 4]))
_forward(tf.zeros([16, 4]))


# OK: the same fixed shapes at every call site: traced once, so a signature
# would change nothing.
@tf.function()
def _project(x, bias):
    return tf.matmul(x, w) + bias


for _ in range(3):
    _project(tf.ones([2, 4]), tf.constant([0.5, 0.5, 0.5]))


# A public function: other code may call it with other shapes.
@tf.function(jit_compile=True)
def score(x):
    return tf.reduce_sum(x)


def evaluate():
    for _ in range(3):
        score(tf.random.normal([5, 4]))
        score(tf.random.normal([6, 4]))


# Shapes the analysis cannot see: reduce_retracing instead.
def batches():
    return [tf.ones([n, 4]) for n in range(1, 5)]


@tf.function
def total(x):
    return tf.reduce_sum(x)


for batch in batches():
    total(batch)


class Model(tf.Module):
    @tf.function
    def __call__(self, x):
        return tf.matmul(x, w)


model = Model()
for _ in range(3):
    model(tf.ones([2, 4], dtype=tf.float32))


# OK: an existing signature that agrees. A varying Python value (HY004 passes
# it as a tensor of unknown shape): reduce_retracing, never a signature.
@tf.function(input_signature=[tf.TensorSpec(shape=[None, 4], dtype=tf.float32)])
def agreed(x):
    return x


@tf.function
def scaled(x, k):
    return x * k


for k in range(3):
    agreed(tf.ones([2, 4]))
    scaled(tf.ones([2, 4]), k)
