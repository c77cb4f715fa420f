"""Starred arguments where no derivative flows through them: shapes
(``np.zeros((*x.shape, 2))``, ``x.reshape((*x.shape[:-1], 2, 2))``) and calls with no
derivative (``np.random.randn(*x.shape)``). Where one would carry a derivative
(``np.add(*pair)``, ``np.stack((*hs, h))``, a helper called with ``*args``) it is
reported at its position. Oracles: autograd and central differences."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import (
    ORDERS, assert_gradients_match, assert_jvp_matches, assert_second_derivative_matches,
)


def stacked_channels(x):
    z = np.zeros((*x.shape, 2))
    z[..., 0] = x
    z[..., 1] = x ** 2
    return np.sum(z * np.arange(2.0))


def split_last_axis(x):
    y = x.reshape((*x.shape[:-1], 2, 2))
    return np.sum(np.sin(y) * y[..., :1, :])


def split_by_varargs(x):  # NumPy's other spelling: the shape as separate arguments
    return np.sum(x.reshape(*x.shape[:-1], 2, 2)[..., 0, 1] ** 2)


def transposed_by_varargs(x):
    axes = (1, 0)
    return np.sum(x.transpose(*axes) * np.arange(8.0).reshape(4, 2))


def spread_weights(w, x):
    b = np.broadcast_to(w, (*x.shape[:-1], w.shape[0]))
    return np.sum(np.tanh(b * x))


def filled(x):
    return np.sum(x * np.full((*x.shape,), 0.5) + np.ones((*x.shape,)) * x ** 2)


X = np.array([[0.5, -1.0, 2.0, 0.3], [1.5, 0.2, -0.7, 1.1]])
# (autograd writes no arrays in place, has no np.broadcast_to nor x.transpose(*axes):
# differences only there)
PROGRAMS = [
    (stacked_channels, (X,), (0,), False),
    (split_last_axis, (X,), (0,), True),
    (split_by_varargs, (X,), (0,), True),
    (transposed_by_varargs, (X,), (0,), False),
    (spread_weights, (np.array([0.3, -0.2, 0.9, 0.4]), X), (0, 1), False),
    (filled, (X,), (0,), True),
]
IDS = [p[0].__name__ for p in PROGRAMS]


@pytest.mark.parametrize("function, args, wrt, autograd", PROGRAMS, ids=IDS)
def test_gradients(function, args, wrt, autograd):
    assert_gradients_match(function, args, wrt, autograd=autograd)


@pytest.mark.parametrize("function, args, wrt, autograd", PROGRAMS, ids=IDS)
def test_tangents(function, args, wrt, autograd):
    assert_jvp_matches(function, args, wrt, autograd=autograd)


@pytest.mark.parametrize("order", ORDERS)
def test_second_derivatives(order):
    assert_second_derivative_matches(order, split_last_axis, (X,), 0, 0)


def noisy(x):
    e = np.random.randn(*x.shape)
    return np.sum(x * e)


def test_a_random_draw_is_made_once_and_is_the_gradient():
    np.random.seed(3)
    gradient = tangent_lsp.grad(noisy)(X)
    np.random.seed(3)
    np.testing.assert_array_equal(gradient, np.random.randn(*X.shape))


def added_pair(pair):
    return np.sum(np.add(*pair) ** 2)


def stacked_with(hs, h):
    return np.sum(np.stack((*hs, h)) ** 2)


def contracted_pair(pair):
    return np.einsum("i,i", *pair)


def square(a):
    return a ** 2


def helper_with_args(x):
    args = (x,)
    return np.sum(square(*args))


@pytest.mark.parametrize("function, column", [
    (added_pair, 25), (stacked_with, 28), (helper_with_args, 25),  # the starred argument
    (contracted_pair, 28),
], ids=["differentiable_rule", "inside_a_followed_argument", "user_function", "followed_varargs"])
def test_a_starred_argument_a_derivative_would_flow_through_is_reported(function, column):
    source = "import numpy as np\n\n" + inspect.getsource(square) + "\n\n" + inspect.getsource(
        function)
    with pytest.raises(tangent_lsp.DiffError, match="starred argument") as raised:
        tangent_lsp.derive(source, function.__name__)
    assert raised.value.col == column
