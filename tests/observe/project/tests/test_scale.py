import tensorflow as tf

from scale import scaled, set_scale


def test_the_scale_can_change():
    x = tf.ones(2)
    assert float(scaled(x)) == 3.0
    set_scale(2.0)
    try:
        assert float(scaled(x)) == 5.0
    finally:
        set_scale(1.0)
