# A module that imports only `function`, with a tab-indented body.
from tensorflow import function


@function
def step(x):
	print("value", x)
	return x
