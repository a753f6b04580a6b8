from tensorflow import function
import numpy as np


def log_metrics(step, loss):
    print("step", step, "loss", loss)


def compute(x):
    loss = x * x
    log_metrics(0, loss)
    return loss


@function
def train(x):
    return compute(x)


def eager_only(x):
    # OK: not reachable from graph code.
    print(np.mean(x))
