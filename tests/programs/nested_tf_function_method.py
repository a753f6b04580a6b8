"""A tf.function defined inside a method that also keeps Python state: the
method cannot be a graph function, and every call re-creates and re-traces
the nested one. Lifted to a method of the class, it is traced once."""
import sys
import time

import tensorflow as tf

traces = [0]


def count_traces(frame, event, arg):
    # Tracing runs the Python body (converted by AutoGraph); graph calls do not.
    if event == "call" and frame.f_code.co_name in ("project_rows", "tf__project_rows"):
        traces[0] += 1


class Projector(tf.Module):
    def __init__(self):
        self.w = tf.Variable([[0.5, -0.25], [0.75, 0.1]])
        self.bias = 0.3
        self.calls = 0

    def __call__(self, x, scale):
        self.calls += 1

        @tf.function
        def project_rows(v):
            return tf.tanh(tf.matmul(v, self.w) + self.bias) * scale + 0.2 * v

        return project_rows(x)


model = Projector()
x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
scale = tf.constant(0.9)

sys.setprofile(count_traces)
for _ in range(20):
    x = model(x, scale)
sys.setprofile(None)

start = time.perf_counter()
for _ in range(60):
    x = model(x, scale)
elapsed = (time.perf_counter() - start) * 1000.0

print("RESULT " + " ".join("%.6f" % v for v in x.numpy().ravel()) + " %d" % model.calls)
print("TRACES %d" % traces[0])
print("TIME_MS %.3f" % elapsed)
