"""tf-keras's sidecar evaluator lists the attributes of each new checkpoint
with a helper that reads the checkpoint file by its path and returns a set
of names. An earlier binary gave it a *safe* HY001: decorated, the file is
read once, while tracing, and returning a set fails ("must return zero or
more Tensors"). Now refused: file I/O (HY101) and a set returned (HY111)."""
import os
import tempfile

import tensorflow as tf


def list_checkpoint_attributes(ckpt_dir_or_file):
    reader = tf.train.load_checkpoint(ckpt_dir_or_file)
    variable_map = reader.get_variable_to_shape_map()
    return {name.split("/")[0] for name in variable_map.keys()}


folder = tempfile.mkdtemp()
model = tf.Variable(tf.ones([3]))
step = tf.Variable(0)
checkpoint = tf.train.Checkpoint(model=model, step=step)
seen = []
for i in range(3):
    step.assign_add(1)
    path = checkpoint.save(os.path.join(folder, "ckpt"))
    seen.append(len(list_checkpoint_attributes(path)))
print("RESULT", " ".join(str(n) for n in seen), sorted(list_checkpoint_attributes(path)))
