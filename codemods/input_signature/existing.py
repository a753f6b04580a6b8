import tensorflow as tf


# The signature contradicts the call sites: reported, never changed.
@tf.function(input_signature=[tf.TensorSpec(shape=[None], dtype=tf.int32)])
def wrong(x):
    return x * 2


for _ in range(3):
    wrong(tf.ones([2, 4]))


# OK: nothing to trace again for — a graph function without parameters.
class Counter(tf.Module):
    def __init__(self):
        self.v = tf.Variable(0)

    @tf.function
    def __call__(self):
        self.v.assign_add(1)
        return self.v


counter = Counter()
for _ in range(3):
    counter()
