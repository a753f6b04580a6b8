# fixture: --show-refusals
import six
import tensorflow as tf

EPOCHS = 3


# Called once per element of a structure: per pyramid level, per input, per
# state of a decoder. Each call sees a different value (often of another
# shape); none of these loops repeats a training step, so nothing is hot.
def upsample(image):
    return tf.image.resize(image * 2.0, [8, 8]) + tf.reduce_mean(image)


def pyramid(image, num_levels):
    levels = []
    for _ in range(num_levels):
        image = upsample(image)
        levels.append(image)
    for level in reversed(levels[:-1]):
        image = upsample(level)
    return image


def merge(inputs, lengths):
    aligned = [upsample(x) for x in inputs]
    return [upsample(x) for x, _ in zip(aligned, lengths)]


def per_state(next_cell_state, keyed_grads):
    probs = [upsample(state) for state in next_cell_state]
    return probs + [upsample(g) for _, g in keyed_grads.items()]


# Per entry of a dict (also through `six`), per slice of a tensor, per
# channel, per object of a scene, per column of a transposed table, per
# dataset of a list.
def per_entry(features, seed_examples, batch, image, num_objects, rows, datasets):
    out = [upsample(value) for key, value in features.items()]
    out += [upsample(value) for _, value in six.iteritems(seed_examples)]
    out += [upsample(example) for example in tf.unstack(batch)]
    out += [upsample(leaf) for leaf in tf.nest.flatten(seed_examples)]
    out += [upsample(image[..., c]) for c in range(image.shape[-1])]
    out += [upsample(image) for _ in range(num_objects)]
    out += [upsample(dataset) for dataset in datasets]
    return out + [upsample(column) for column in zip(*rows)]


# Per reflection depth (`tf.range` counting parts, as `range` does), per
# output of a call the analysis cannot see into or of a TensorFlow call.
def per_depth(image, max_depth):
    for depth in tf.range(0, max_depth):
        image = upsample(image)
    flat_outputs = six.moves.reduce(lambda a, b: a + b, [[image], [image]])
    split_outputs = tf.split(image, 2, axis=-1)
    out = [upsample(out) for out in flat_outputs]
    return out + [upsample(part) for part in split_outputs]


# A step loop: per epoch, per batch of a dataset. `train_step` is hot.
def train_step(x):
    return tf.reduce_sum(tf.matmul(x, x) * 2.0) + tf.reduce_mean(x)


def train(dataset):
    for epoch in range(EPOCHS):
        for x in dataset:
            train_step(x)


def train_in_batches(train_ds):
    for x in train_ds:
        train_step(x)


# A layer through a base class of the project: its methods run where Keras
# traces its `call`, and so do the helpers only they call.
class Reducer(tf.keras.layers.Layer):
    pass


class ConcatReducer(Reducer):
    def zip_and_reduce(self, x, y):
        return [combine(a) for a in (x, y) for _ in range(EPOCHS)]


def combine(x):
    return tf.concat([x, x * 2.0], -1) + tf.reduce_sum(x)


# A generator expression over a structure is that structure: not a step
# loop, however it is iterated later (`mean_score` is not hot).
def mean_score(score):
    return tf.reduce_mean(score * 2.0, axis=-1) + tf.reduce_max(score)


def scores_of(outputs, score_functions):
    values = (func(output) for output, func in zip(outputs, score_functions))
    means = (mean_score(value) for value in values)
    return list(means)
