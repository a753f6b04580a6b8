"""Writes in nested blocks, several globals, `-=` and `=`, helpers called from graph code."""
import tensorflow as tf

step = 0
budget = 100.0
done = False
history = []


@tf.function
def train(batches):
    global step, budget, done
    for batch in batches:
        with tf.name_scope("step"):
            if tf.reduce_sum(batch) > 0:
                step += 1
                budget -= 0.5
            else:
                done = True
    return tf.constant(0)


def bump():
    global step
    step += 2


@tf.function
def outer(x):
    bump()
    return x


class Agent(tf.Module):
    def __init__(self):
        self.episodes = 0

    @tf.function
    def act(self, obs):
        def inner():
            self.episodes += 1

        inner()
        while obs > 0:
            obs -= 1
            self.episodes = self.episodes + 1
        return obs


def main():
    train([tf.ones([2]), -tf.ones([2])])
    print("step", step, "budget", budget, "done", done)
    limit = [1, 2, 3][step]
    return limit


print(f"{step} {budget:.1f}")
