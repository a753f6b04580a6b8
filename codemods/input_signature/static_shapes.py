import tensorflow as tf


# A check of the static rank: a signature keeps every rank, so the check
# still holds; the batch size varies.
@tf.function
def _pooled(image):
    if image.shape.ndims == 3:
        image = image[None]
    return tf.reduce_mean(image, axis=[1, 2])


for n in range(1, 4):
    _pooled(tf.ones([n, 8, 8, 3]))


# The same check in a public function: `reduce_retracing` could relax the
# rank away, and the check would decide for every rank at once.
@tf.function
def pooled(image):
    if image.shape.ndims == 3:
        image = image[None]
    return tf.reduce_mean(image, axis=[1, 2])


def evaluate():
    for n in range(1, 4):
        pooled(tf.ones([n, 8, 8, 3]))


# A branch on a static dimension that varies: one trace per size is what
# makes it right.
@tf.function
def _padded(x):
    if x.shape[0] % 2:
        x = tf.concat([x, x[:1]], axis=0)
    return tf.reduce_sum(x)


for n in range(1, 5):
    _padded(tf.ones([n, 2]))


# Through a local, in a helper: the static rank decides whether a batch
# dimension is added.
def _batched(image):
    expand = image.shape.ndims == 3
    if expand:
        image = tf.expand_dims(image, 0)
    return image


@tf.function
def blur(image):
    return tf.nn.avg_pool2d(_batched(image), 3, 1, "SAME")


def augment():
    for n in range(1, 4):
        blur(tf.ones([n, 8, 8, 3]))


# In a closure the function hands to `tf.map_fn`: it runs while the
# function is traced.
@tf.function
def blur_each(images):
    def _one(image):
        if image.shape.ndims == 2:
            image = image[..., None]
        return tf.reduce_mean(image)

    return tf.map_fn(_one, images)


def augment_each():
    for n in range(1, 4):
        blur_each(tf.ones([n, 8, 8, 3]))


# Other static checks: `len()` of a tensor, an assertion on `ndim`, a loop
# bounded by a static size, a conditional expression, `K.ndim`.
@tf.function
def rows(x):
    return tf.reduce_sum(x) if len(tf.identity(x)) > 2 else x[0]


@tf.function
def asserted(x):
    assert x.ndim == 2
    return x


@tf.function
def unrolled(x):
    total = 0.0
    for i in range(x.shape[0]):
        total += x[i]
    return total


@tf.function
def keras_rank(x):
    if tf.keras.backend.ndim(x) == 2:
        x = x[None]
    return x


def more():
    for n in range(1, 4):
        rows(tf.ones([n]))
        asserted(tf.ones([n, 2]))
        unrolled(tf.ones([n]))
        keras_rank(tf.ones([n, 2]))


# Dynamic shapes (`tf.shape`, `tf.rank`) are tensors, decided on every
# call: a signature changes nothing they decide.
@tf.function
def _dynamic(x):
    if tf.rank(x) == 3:
        x = x[None]
    return tf.reshape(x, [tf.shape(x)[0], -1])


for n in range(1, 4):
    _dynamic(tf.ones([n, 2, 2]))
