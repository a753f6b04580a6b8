import tensorflow as tf


# Every call makes a new variable and a new optimizer, which the nested
# graph function uses: lifted, it would be traced again for each, and the
# optimizer's slot variables, created in a later trace, fail. Not lifted.
def optimize_for_mask(target, steps):
    latent = tf.Variable(tf.zeros([4]))
    optimizer = tf.keras.optimizers.Adam(0.1)

    @tf.function
    def opt_step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum((latent - target) ** 2)
        grads = tape.gradient(loss, [latent])
        optimizer.apply_gradients(zip(grads, [latent]))
        return loss

    for _ in range(steps):
        opt_step()
    return latent


for target in [tf.ones([4]), tf.zeros([4])]:
    optimize_for_mask(target, 3)
