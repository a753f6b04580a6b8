from tensorflow import constant, matmul, transpose
def gram(x):
    return matmul(x, transpose(x))
for _ in range(10):
    gram(x)
