# fixture: --show-refusals
"""Classes whose base is imported: their inherited constructor and methods
are looked up in the base's module, never assumed pure. (Checked alone,
`layers` is outside the run.)"""
import tensorflow as tf
from layers import Base


class Thing(Base):
    pass


class Child(Thing):
    def step(self, x):
        # HY110: `helper` is inherited from `layers.Base`.
        return self.helper(tf.nn.relu(x))


# HY110: `Thing()` runs the constructor `Thing` inherits from `layers.Base`.
def builds_per_call(x):
    thing = Thing()
    return tf.nn.relu(x)


c = Child()
for _ in range(3):
    builds_per_call(tf.ones([2]))
    c.step(tf.ones([2]))
