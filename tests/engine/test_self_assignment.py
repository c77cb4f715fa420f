"""An array written with its own values (``y[::-1] = y``, ``y[perm] = y``): the value's share
of the adjoint is added after the slots are zeroed, not wiped by the zeroing (hunt 31: a
zero gradient)."""

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import ORDERS, assert_second_derivative_matches

W = np.array([1.0, 2.0, 3.0, 4.0])


def flip_in_place(x):
    y = np.sin(x)
    y[::-1] = y  # NumPy copies an overlapping source first: y is reversed
    return np.sum(y * W)


def permute_in_place(x):
    y = np.sin(x)
    y[[2, 0, 1, 3]] = y
    return np.sum(y * W)


def flip_shifted(x):
    y = np.sin(x)
    y[0] = y[1] * 2.0
    y[::-1] = y * 1.0  # forward mode writes `dy[::-1] = dy` here
    return np.sum(y * y * W)


X = np.array([0.3, -1.2, 0.8, 0.5])


def _gradient_by_differences(f, x, eps=1e-6):
    return np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(x.size)])


@pytest.mark.parametrize("f", [flip_in_place, permute_in_place, flip_shifted])
def test_gradients(f):
    assert np.allclose(tangent_lsp.grad(f)(X.copy()), _gradient_by_differences(f, X), rtol=1e-6)
    v = np.array([0.7, 0.1, -0.4, 1.3])
    assert np.isclose(tangent_lsp.jvp(f)(X.copy(), v),
                      _gradient_by_differences(f, X) @ v, rtol=1e-6)


@pytest.mark.parametrize("order", ORDERS)
def test_second_derivatives(order):
    assert_second_derivative_matches(order, flip_shifted, (X,), 0, 0)
