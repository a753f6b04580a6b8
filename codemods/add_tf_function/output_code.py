"""Code whose job is output (plots, files), and steps a framework calls,
get no refusal by default: nobody makes them graph functions."""
import abc
import pickle

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from official.core import base_task


# Not printed: it draws (`--show-refusals` prints its HY101, HY102).
def plot_heatmap(image):
    heat = tf.reduce_max(tf.nn.softmax(image), axis=-1)
    plt.imshow(heat.numpy())
    plt.savefig("heat.png")


# Not printed: it writes a record file; building `tf.train` records is no
# tensor work.
def write_record(vector, writer):
    feature = tf.train.Feature(float_list=tf.train.FloatList(value=vector))
    example = tf.train.Example(features=tf.train.Features(feature={"v": feature}))
    writer.write(example.SerializeToString())


# Not printed: it pickles what it computed.
def save_scores(scores, path):
    total = tf.reduce_sum(tf.nn.softmax(scores)) + tf.reduce_max(scores)
    with open(path, "wb") as f:
        pickle.dump(total.numpy(), f)


# Not printed, and not decorated: it saves an array and opens a record
# file, once per call (a graph function would do both once, while tracing).
def save_step(x, path):
    y = tf.nn.relu(tf.matmul(x, x))
    np.save(path, np.ones(3))
    tf.io.TFRecordWriter(path + ".tfrecord")
    return tf.reduce_sum(y) + tf.reduce_max(y)


# HY101: it reads a file: I/O, but no output that makes it output code.
def read_step(x, path):
    with open(path) as f:
        scale = float(f.read())
    return tf.reduce_sum(tf.nn.relu(tf.matmul(x, x))) * scale + tf.reduce_max(x)


# HY101: tensor work whose I/O is a check, not its job.
def step(x, path):
    y = tf.nn.relu(tf.matmul(x, x))
    if tf.io.gfile.exists(path):
        y = y + 1.0
    return tf.reduce_sum(y) + tf.reduce_max(y)


# No finding: a step of another framework's task, which that framework
# calls (and traces) where the analysis does not see.
class RankingTask(base_task.Task):
    def train_step(self, inputs, model, optimizer):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(inputs))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss


# HY001: a step of a class of this module is a step by its name, and so
# is one of a class that only takes a shape from Python's own modules.
class Trainer(abc.ABC):
    def train_step(self, x):
        return tf.reduce_sum(tf.nn.relu(tf.matmul(x, x))) + tf.reduce_max(x)


# Reads a checkpoint file by its path and returns the names in it, a set
# (tf-keras's `list_checkpoint_attributes`, once given a *safe* HY001):
# HY101 file I/O and HY111 (a graph function cannot return a set).
def checkpoint_attributes(path):
    reader = tf.train.load_checkpoint(path)
    names = reader.get_variable_to_shape_map()
    return {name.split("/")[0] for name in names.keys()}


writer = tf.io.TFRecordWriter("out.tfrecord")
for i in range(3):
    checkpoint_attributes("ckpt")
    x = tf.ones([2, 2])
    plot_heatmap(x)
    write_record([1.0, 2.0], writer)
    save_scores(x, "scores.pkl")
    step(x, "flag")
    save_step(x, "x.npy")
    read_step(x, "scale.txt")
