"""A running mean kept in a tf.Module: a float tf.Variable total and a Python
int count bumped inside the tf.function and divided into floats
(`self.total / self.count`, `1.0 / self.count`). The count changes only
while tracing, so every call divides by 1."""
import tensorflow as tf


class RunningMean(tf.Module):
    def __init__(self):
        super().__init__()
        self.total = tf.Variable(0.0)
        self.count = 0

    @tf.function
    def __call__(self, x):
        self.count += 1
        self.total.assign_add(tf.reduce_sum(x))
        weight = 1.0 / self.count
        return self.total / self.count, weight


mean = RunningMean()
values = []
for i in range(6):
    avg, weight = mean(tf.constant([1.0, 2.0]) * float(i + 1))
    values.append("%.6f %.6f" % (float(avg), float(weight)))

print("RESULT " + " ".join(values))
