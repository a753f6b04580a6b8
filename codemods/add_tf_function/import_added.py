"""Only `from tensorflow import ...` imports: `import tensorflow as tf` is added in the same fix."""
from tensorflow import constant, matmul, transpose


def gram(x):
    return matmul(x, transpose(x))


x = constant([[1.0, 2.0]])
for _ in range(10):
    gram(x)
