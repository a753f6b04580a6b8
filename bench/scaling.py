#!/usr/bin/env python3
"""Does `hybridize check` stay linear in the size of one module?

    python3 bench/scaling.py HYBRIDIZE_BIN [--sizes 100,200,400] [--runs 3]

Generates single modules of growing size in two shapes and prints, per
shape and size, the median wall time of `hybridize check --exit-zero` on it
and the growth exponent between consecutive sizes (time ratio over size
ratio, in log: ~1 is linear, ~2 quadratic). Not a test: it prints figures.

- `functions`: N plain functions doing tensor work (one unit = 3 lines);
- `states`: N units of a Keras layer writing `self.count` in `call`, a graph
  function writing a global counter, printing, with a nested helper, and a
  helper called once and in a loop at module level (one unit = 30 lines);
- `counters`: one Keras layer whose `call` updates N counters of its own
  and N graph functions each updating a global counter of its own, called
  in a loop (one unit = 10 lines);
- `long_function`: one function with 10N branches and 10N loops (one unit
  = 60 lines of one body);
- `classes`: 10N `tf.Module` classes, each instantiated by a function of its
  own (one unit = 70 lines);
- `graph_functions`: N small graph functions, each with an eager helper
  called in a loop (one unit = 10 lines);
- `mixed_graph`: N units of three graph functions (one with a global
  counter, a stored tensor, `print`, a variable, `next(it)`; one nested in
  an eager function; one without tensors) and an eager function, all called
  in a loop (one unit = 32 lines);
- `wrappers`: N functions each wrapped by `tf.function(f)` inside another
  function called in a loop (one unit = 14 lines);
- `brackets`: one expression of 20N nested lists (`[[[...]]]`; deeper than
  100,000 levels a module is refused, see docs/reliability.md).

Peak memory (the largest resident set of the runs) is printed beside the time.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import tempfile
import time


def functions(n: int) -> str:
    out = ["import tensorflow as tf\n"]
    for i in range(n):
        out.append(f"def f{i}(x, y):\n    z = tf.add(x, y) * {i}\n    return z + x\n")
    return "".join(out)


def states(n: int) -> str:
    out = ["import tensorflow as tf\nimport numpy as np\nCOUNTER = 0\n"]
    for i in range(n):
        out.append(f"""
class Layer{i}(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.w{i} = tf.Variable(1.0)
        self.count = 0

    def call(self, x):
        self.count += 1
        return x * self.w{i}

@tf.function
def step{i}(x):
    global COUNTER
    COUNTER += 1
    print(x)
    def inner(y):
        return y + {i}
    return inner(x) + helper{i}(x)

def helper{i}(x):
    return tf.reduce_sum(x) + {i}

for _ in range(3):
    step{i}(tf.constant([{i}.0]))
helper{i}(tf.constant(1.0))
""")
    return "".join(out)


def counters(n: int) -> str:
    init = "".join(f"        self.c{i} = 0\n" for i in range(n))
    update = "".join(f"        self.c{i} += 1\n" for i in range(n))
    out = ["import tensorflow as tf\n",
           "".join(f"G{i} = 0\n" for i in range(n)),
           f"""
class Counters(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
{init}
    def call(self, x):
{update}        return x * 2.0
"""]
    for i in range(n):
        out.append(f"""
@tf.function
def bump{i}(x):
    global G{i}
    G{i} += 1
    return x + G{i}

for _ in range(2):
    bump{i}(tf.constant({i}.0))
""")
    return "".join(out)


def long_function(n: int) -> str:
    body = "".join(
        f"    if x > {i}:\n        x = x + tf.constant({i}.0)\n    else:\n        y = {i}\n"
        f"    for j{i} in range(3):\n        x = x + tf.constant({i}.0) * j{i}\n"
        for i in range(10 * n))
    return ("import tensorflow as tf\n\ndef big(x):\n    y = 0\n" + body
            + "    return x + y\n\nfor _ in range(3):\n    big(tf.constant(1.0))\n")


def classes(n: int) -> str:
    out = ["import tensorflow as tf\n"]
    for i in range(10 * n):
        out.append(f"""
class C{i}(tf.Module):
    def __call__(self, x):
        return x * {i}

def use{i}(x):
    return C{i}()(x) + tf.ones([2])
""")
    return "".join(out)


def graph_functions(n: int) -> str:
    units = [
        f"@tf.function\ndef g{i}(x):\n    return x * {i}\n\n\n"
        f"def h{i}(x):\n    return tf.nn.relu(x) * 2.0 + 1.0\n\n\n"
        f"for _ in range(2):\n    h{i}(tf.ones([2]))\n"
        for i in range(n)
    ]
    return "import tensorflow as tf\n\n\n" + "\n\n".join(units)


def mixed_graph(n: int) -> str:
    head = ("import tensorflow as tf\nimport numpy as np\nCOUNTER = 0\nLEAK = None\n"
            "it = iter(range(10))\n\n\ndef helper(x):\n    return tf.reduce_sum(x)\n\n\n"
            "for _ in range(3):\n    helper(tf.ones([2]))\n")
    out = [head]
    for i in range(n):
        out.append(f"""

@tf.function(experimental_relax_shapes=True)
def g{i}(x, k):
    global COUNTER, LEAK
    COUNTER += 1
    LEAK = x * 2.0
    print(x)
    v = tf.Variable(1.0)
    out = []
    for _ in range(2):
        out.append(helper(x))
    y = next(it)
    return helper(x) * k


def outer{i}(x):
    @tf.function
    def inner(y):
        return y + {i}
    return inner(x)


@tf.function
def noop{i}():
    return 1


def eager{i}(x):
    return tf.matmul(x, x) + {i}


for k in range(3):
    g{i}(tf.constant([1.0, 2.0]), k)
    eager{i}(tf.ones([2, 2]))
    outer{i}(tf.ones([2]))
""")
    return "".join(out)


def wrappers(n: int) -> str:
    out = ["import tensorflow as tf\n"]
    for i in range(n):
        out.append(f"""

def f{i}(x):
    return tf.reduce_sum(x) * 2.0


def run{i}(x):
    step = tf.function(f{i})
    return step(x)


for _ in range(2):
    run{i}(tf.ones([2]))
""")
    return "".join(out)


def brackets(n: int) -> str:
    depth = 20 * n
    return "import tensorflow as tf\n\nx = " + "[" * depth + "]" * depth + "\n"


def timed(binary: str, folder: str, runs: int) -> tuple[float, int]:
    """Median wall time and the largest peak resident set (KiB) of `runs`."""
    times, peak = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        child = subprocess.Popen([binary, "check", "--exit-zero", folder],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        times.append(time.perf_counter() - start)
        if status != 0:
            raise SystemExit(f"{binary} check failed on {folder} (status {status})")
        peak = max(peak, usage.ru_maxrss)
    return statistics.median(times), peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--sizes", default="100,200,400")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    binary = os.path.realpath(args.binary)
    for shape in (functions, states, counters, long_function, classes, graph_functions,
                  mixed_graph, wrappers, brackets):
        previous = None
        for n in sizes:
            with tempfile.TemporaryDirectory() as folder:
                with open(os.path.join(folder, "module.py"), "w") as f:
                    f.write(shape(n))
                lines = shape(n).count("\n")
                seconds, peak = timed(binary, folder, args.runs)
            growth = ""
            if previous:
                p_n, p_s = previous
                growth = f"  growth exponent {math.log(seconds / p_s) / math.log(n / p_n):.2f}"
            print(f"{shape.__name__:<15} n={n:<6} {lines:>7} lines  {seconds * 1000:8.0f} ms"
                  f"  {peak / 1024:7.0f} MiB{growth}",
                  flush=True)
            previous = (n, seconds)


if __name__ == "__main__":
    main()
