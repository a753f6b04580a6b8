import tensorflow as tf

from model import normalize, predict


def test_normalize_centres():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert abs(float(tf.reduce_sum(normalize(x)))) < 1e-5


def test_predict_shape():
    assert predict(tf.ones((4, 1)), tf.ones((3, 4))).shape == (3, 1)
