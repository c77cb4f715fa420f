"""Lists, dicts and tuples returned by the module's own functions, then read by the
caller (``test_returned_containers.py``)."""

import numpy as np


def states(x):
    h = x
    hs = []
    for i in range(3):
        h = np.tanh(h[: 3 - i] * (i + 1.0))
        hs.append(h)
    return h, hs


def list_in_a_returned_tuple(x):  # read by constant positions
    h, hs = states(x)
    return np.sum(h) + np.sum(hs[0] ** 2) + np.sum(hs[1])
