import tensorflow as tf


# A trainer object: the step reads `self`, so it becomes a method.
class Trainer:
    def __init__(self, units, learning_rate):
        self.model = tf.keras.Sequential([tf.keras.layers.Dense(units)])
        self.optimizer = tf.keras.optimizers.Adam(learning_rate)
        self.loss_fn = tf.keras.losses.MeanSquaredError()
        self.train_loss = tf.keras.metrics.Mean()

    def fit(self, dataset, epochs):
        history = []
        for _ in range(epochs):
            self.train_loss.reset_state()
            for features, targets in dataset:
                with tf.GradientTape() as tape:
                    outputs = self.model(features, training=True)
                    loss = self.loss_fn(targets, outputs)
                grads = tape.gradient(loss, self.model.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.model.trainable_variables))
                self.train_loss.update_state(loss)
            history.append(float(self.train_loss.result()))
        return history


# A Keras model with a loop of its own: the analysis does not follow
# `self(x)` into Keras, so it does not extract.
class Regressor(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = tf.keras.layers.Dense(1)
        self.opt = tf.keras.optimizers.SGD(0.01)

    def call(self, inputs):
        return self.dense(inputs)

    def custom_fit(self, dataset):
        losses = []
        for x, y in dataset:
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(self(x) - y))
            grads = tape.gradient(loss, self.trainable_variables)
            self.opt.apply_gradients(zip(grads, self.trainable_variables))
            losses.append(float(loss))
        return losses


trainer = Trainer(1, 0.01)
data = tf.data.Dataset.from_tensor_slices((tf.ones([8, 2]), tf.ones([8, 1]))).batch(4)
trainer.fit(data, 2)
Regressor().custom_fit(data)


# A trainer handed its model: the analysis cannot see what `self.model` is.
class ExternalTrainer:
    def __init__(self, model):
        self.model = model
        self.optimizer = tf.keras.optimizers.SGD(0.1)

    def fit(self, dataset):
        for x, y in dataset:
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(self.model(x) - y))
            grads = tape.gradient(loss, self.model.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.model.trainable_variables))
