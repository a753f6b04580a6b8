"""`@tf.function`s whose every caller is already a graph function: they only
add a trace. Removed, unless something else needs them."""
import tensorflow as tf

w = tf.Variable(tf.ones([4, 1]))


# Called only from the decorated train step: removed.
@tf.function
def _normalize(x):
    mean, variance = tf.nn.moments(x, axes=[0])
    return (x - mean) * tf.math.rsqrt(variance + 1e-6)


# Relaxing shapes says only how to trace: removed too.
@tf.function(reduce_retracing=True)
def _loss(x, y):
    return tf.reduce_mean(tf.square(tf.matmul(x, w) - y))


# A public function of a script (not in a package): every caller is here.
@tf.function
def clip(g):
    return tf.clip_by_norm(g, 1.0)


@tf.function(input_signature=[tf.TensorSpec([None, 4]), tf.TensorSpec([None, 1])])
def train_step(x, y):
    x = _normalize(x)
    with tf.GradientTape() as tape:
        loss = _loss(x, y)
    w.assign_sub(0.1 * clip(tape.gradient(loss, w)))
    return loss + _scaled(x) + _compiled(x) + _looped(x) + _hessian(x) + _kept(x)


# OK: a signature of its own converts and checks what its callers pass.
@tf.function(input_signature=[tf.TensorSpec([None, 4])])
def _scaled(x):
    return tf.reduce_sum(x) * 0.5


# OK: `jit_compile` compiles it on its own.
@tf.function(jit_compile=True)
def _compiled(x):
    return tf.reduce_sum(tf.exp(x))


# OK: its loop needs AutoGraph; a caller traced without it would fail.
@tf.function
def _looped(x):
    total = tf.constant(0.0)
    for i in tf.range(tf.shape(x)[0]):
        total += tf.reduce_sum(x[i])
    return total


# OK: `tf.hessians` works only in a graph.
@tf.function
def _hessian(x):
    y = tf.reduce_sum(x**3)
    return tf.reduce_sum(tf.hessians(y, x)[0])


# OK: its `tf.function` object is read.
@tf.function
def _kept(x):
    return tf.reduce_sum(x)


print(_kept.experimental_get_tracing_count())


# OK: also called eagerly.
@tf.function
def _also_eager(x):
    return x * 2.0


@tf.function
def _graph_caller(x):
    return _also_eager(x)


class Model(tf.Module):
    # OK: a method frameworks call by name.
    @tf.function
    def __call__(self, x):
        return self._project(x)

    # Called only from the decorated `__call__`: removed.
    @tf.function
    def _project(self, x):
        return tf.matmul(x, w)

    @tf.function
    def forward(self, x):
        return self(x)


model = Model()
for _ in range(3):
    train_step(tf.ones([8, 4]), tf.zeros([8, 1]))
    _graph_caller(tf.ones([2]))
    _also_eager(tf.ones([2]))
    model.forward(tf.ones([2, 4]))


# OK: its caller runs under a graph through one caller, eagerly through
# another.
@tf.function
def _squeeze(x):
    return tf.squeeze(x)


def _update(x):
    return _squeeze(x) + 1.0


@tf.function
def graph_update(x):
    return _update(x)


for _ in range(3):
    graph_update(tf.ones([1, 2]))
    _update(tf.ones([1, 2]))
