"""A float written into an array of integers is truncated: piecewise constant, so what was
written has no derivative (hunt 43: it was passed through, in both modes). Followed where
the source shows the integers: a ``dtype`` (``int``, ``"int32"``, ``np.int64``),
``np.array`` of integer literals or of a range, ``np.arange`` and ``np.full`` of ints
(literals, ``len``, a shape's entries), ``np.zeros_like`` of such an array."""

import numpy as np
import pytest

from tests.oracle import assert_gradients_match, assert_jvp_matches


def zeros_of_int(x):
    counts = np.zeros(3, dtype=int)
    counts[0] = x[0] * 10
    return np.sum(counts) + np.sum(x ** 2)


def named_dtype(x):
    counts = np.full(3, 2, dtype=np.int64)
    counts[1] = x[1] * 7.0
    return np.sum(counts * x)


def integer_literals(theta):
    init = np.array([0, 0, 0])
    init[0] = theta[0] * 3.0
    return np.sum(init * theta)


def float_literals(theta):  # a float array keeps what is written: a derivative
    init = np.array([0.0, 0, 0])
    init[0] = theta[0] * 3.0
    return np.sum(init * theta)


def booleans(x):
    mask = np.zeros(3, dtype=bool)
    mask[0] = x[0] * 3.0
    return np.sum(mask * x)


B, h = np.float64, float


def dtype_in_a_variable(x):  # hunt 46: `B` and `h` were read as type codes
    c = np.zeros(3, dtype=B)
    c[0] = x[0] * 3.0
    d = np.zeros(3, dtype=h)
    d[1] = x[1] * 2.0
    return np.sum(c * x) + np.sum(d * x)


def integer_range(x):  # hunt 48: np.arange, np.full and np.array(range(...)) of ints
    y = np.arange(3)
    y[0] = x[0] * 2.5
    n = len(x)
    z = np.full(n, 0)
    z[1] = x[1] * 3.0
    w = np.array(range(x.shape[0] - 1 + 1))
    w[2] = x[2] * 4.0
    return np.sum(y * x) + np.sum(z * x) + np.sum(w * x)


def integer_dtype_by_position(x):
    y = np.zeros(3, int)
    y[0] = x[0] * 2.5
    z = np.full(3, 0.5, np.int64)
    z[1] = x[1] * 3.0
    return np.sum(y * x) + np.sum(z * x)


def like_an_integer_array(x):
    y = np.zeros_like(np.arange(3))
    y[0] = x[0] * 2.5
    return np.sum(y * x)


def float_ranges(x):  # floats: what is written keeps its derivative
    y = np.arange(3.0)
    y[0] = x[0] * 2.5
    z = np.full(3, 0.0)
    z[1] = x[1] * 3.0
    w = np.arange(0, 3, 1.0)
    w[2] = x[2] * 4.0
    v = np.full(3, 0, np.float64)  # hunt 51: a dtype by position
    v[0] = x[0] * 2.0
    return np.sum(y * x) + np.sum(z * x) + np.sum(w * x) + np.sum(v * x)


X = np.array([0.77, 1.3, -0.4])


@pytest.mark.parametrize("f", [zeros_of_int, named_dtype, integer_literals, float_literals,
                               booleans, dtype_in_a_variable, integer_range,
                               like_an_integer_array, float_ranges,
                               integer_dtype_by_position])
def test_what_an_integer_array_keeps_has_no_derivative(f):
    # (central differences step over no truncation point at these inputs)
    assert_gradients_match(f, (X,), autograd=False)
    assert_jvp_matches(f, (X,), autograd=False)
