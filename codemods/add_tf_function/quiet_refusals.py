"""Refusals are printed by default only about functions worth converting."""
import tensorflow as tf


# Not printed: no tensor work (`--show-refusals` prints its HY101, HY105).
def log(history, value):
    history.append(value)


# Not printed: one tensor operation is no conversion anyone would make
# (`--show-refusals` prints its HY101).
def record(history, x):
    history.append(tf.reduce_sum(x))


# HY101: a refusal of a function that does tensor work of its own.
def step(history, x):
    y = tf.nn.relu(tf.matmul(x, x))
    history.append(tf.reduce_sum(y) + tf.reduce_max(y))


# Not printed: a closure nobody would lift out (`--show-refusals` prints
# its HY114, HY101).
def train(steps):
    def inner(x):
        y = tf.nn.relu(tf.matmul(x, x))
        history.append(tf.reduce_sum(y) + tf.reduce_max(y))

    for _ in range(steps):
        inner(tf.ones([2, 2]))


@tf.function
def graph_step(x):
    return tf.reduce_sum(tf.nn.relu(tf.matmul(x, x)))


# Not printed: its work runs in `graph_step` already, and summaries are
# bookkeeping (`--show-refusals` prints its HY101, HY106).
def logged_step(x, step):
    loss = graph_step(x)
    tf.summary.scalar("loss", loss, step=step)
    tf.summary.scalar("max", tf.reduce_max(x), step=step)
    history.append(step)
    return loss


# Not printed: summaries of each variable (`--show-refusals` prints its
# HY101, HY106, HY110).
def variable_summaries(variables, step):
    for var in variables:
        tf.summary.histogram(var.name.replace(":", "_"), var, step=step)
        tf.summary.scalar(var.name + "/norm", tf.norm(var), step=step)
        history.append(var.name)


# Not printed: the driver of a graph step, which reads the loss back as a
# Python number (`--show-refusals` prints its HY102, HY107).
def fit(dataset):
    total = 0.0
    for x in dataset:
        loss = graph_step(x) + tf.reduce_mean(tf.square(x))
        total += loss.numpy()
    return total


# Not printed: an evaluation loop; the model runs on each batch, and the
# accuracy goes back to Python (`--show-refusals` prints its HY102, HY108).
# The graph belongs at its step (HY005 extract-train-step moves it there).
def evaluate(model, dataset):
    accuracy = tf.keras.metrics.Accuracy()
    for x, y in dataset:
        accuracy.update_state(y, tf.argmax(model(x), axis=-1))
    return accuracy.result().numpy()


# Not printed: model-building code, which constructs Keras layers
# (`--show-refusals` prints its HY108 and HY101).
def head(features, units):
    dense = tf.keras.layers.Dense(units)
    outputs = dense(tf.concat(features, axis=-1))
    history.append(outputs)
    return tf.nn.softmax(outputs)


# Not printed: it computes numbers for Python, read back with `.numpy()`
# (`--show-refusals` prints its HY102, HY111).
def metrics(y_true, y_pred):
    error = tf.reduce_mean(tf.square(y_true - y_pred))
    peak = tf.reduce_max(tf.abs(y_true - y_pred))
    return {"mse": error.numpy(), "peak": peak.numpy()}


history = []
for epoch in range(2):
    metrics(tf.ones([2, 2]), tf.zeros([2, 2]))
    fit(tf.data.Dataset.from_tensor_slices(tf.ones([4, 2, 2])))
    evaluate(tf.keras.Sequential([tf.keras.layers.Dense(3)]), [(tf.ones([2, 2]), tf.ones([2]))])
for i in range(3):
    head([tf.ones([2, 2]), tf.ones([2, 2])], 4)
    logged_step(tf.ones([2, 2]), i)
    variable_summaries([tf.Variable(1.0)], i)
    log(history, i)
    record(history, tf.ones([2, 2]))
    step(history, tf.ones([2, 2]))
