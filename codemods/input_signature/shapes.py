import tensorflow as tf

w = tf.ones([4, 3])


# Batch size varies between call sites, features do not.
@tf.function
def _forward(x):
    return tf.matmul(x, w)


_forward(tf.ones([8, 4]))
_forward(tf.zeros([16, 4]))


# A public function: other code may call it with other shapes, which a
# signature could reject; `reduce_retracing` relaxes only what varies.
@tf.function(jit_compile=True)
def score(x):
    return tf.reduce_sum(x)


def evaluate():
    for n in range(1, 4):
        score(tf.random.normal([n, 4]))


# A method: its callers are not all known either.
class Model(tf.Module):
    @tf.function
    def __call__(self, x):
        return tf.matmul(x, w)


model = Model()
for n in range(1, 4):
    model(tf.ones([n, 4], dtype=tf.float32))


# A tensor whose size varies and a Python value: a signature would turn the
# value into a tensor.
@tf.function
def _sample(x, noise):
    return x + noise


for n in range(1, 4):
    _sample(tf.zeros([n, 2]), 0.5)


# Sizes that vary at the call sites that say, and a call site that does not
# say: still evidence; no signature states the unknown one.
@tf.function
def _features(x):
    return tf.reduce_mean(x, axis=0)


def features_of(batch):
    return _features(batch)


for n in range(1, 4):
    _features(tf.ones([n, 4]))


# OK: fixed shapes everywhere: nothing is traced again.
@tf.function()
def _project(x, bias):
    return tf.matmul(x, w) + bias


for _ in range(3):
    _project(tf.ones([2, 4]), tf.constant([0.5, 0.5, 0.5]))


# OK: shapes the analysis cannot see are no evidence that they vary.
def batches():
    return [tf.ones([n, 4]) for n in range(1, 5)]


@tf.function
def total(x):
    return tf.reduce_sum(x)


for batch in batches():
    total(batch)


# OK: an existing signature that agrees. A varying Python value is HY004's
# (as a tensor, a scalar of one shape): no `reduce_retracing`.
@tf.function(input_signature=[tf.TensorSpec(shape=[None, 4], dtype=tf.float32)])
def agreed(x):
    return x


@tf.function
def scaled(x, k):
    return x * k


for k in range(3):
    agreed(tf.ones([2, 4]))
    scaled(tf.ones([2, 4]), k)

