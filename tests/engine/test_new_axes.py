"""Indexes that only add axes (``x[:, None, :]``, ``x[None]``, ``x[..., None]``): the
adjoint is the gradient with each added axis read at 0, as one writes it by hand, not
zeros written into through the same index. Oracles: autograd and central differences."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import (
    ORDERS, assert_gradients_match, assert_jvp_matches, assert_second_derivative_matches,
)


def pairwise_energy(x):
    d = x[:, None, :] - x[None, :, :]
    return np.sum(np.exp(-np.sum(d ** 2, axis=-1)))


def outer_by_new_axes(u, v):
    return np.sum(np.sin(u[:, None] * v[None]))


def trailing_axis(x, w):
    return np.sum(np.tanh(x[..., None] * w))


def in_a_loop(xs):
    total = 0.0
    for i in range(xs.shape[0]):
        row = xs[i]
        total = total + np.sum(row[:, None] * row[None, :])
    return total


X = np.array([[0.5, -1.0], [1.5, 0.2], [-0.7, 1.1]])
PROGRAMS = [
    (pairwise_energy, (X,), (0,)),
    (outer_by_new_axes, (np.array([0.3, -0.2, 0.9]), np.array([1.0, 0.5])), (0, 1)),
    (trailing_axis, (X, np.array([0.5, -2.0, 1.0])), (0, 1)),
    (in_a_loop, (X,), (0,)),
]
IDS = [p[0].__name__ for p in PROGRAMS]


@pytest.mark.parametrize("function, args, wrt", PROGRAMS, ids=IDS)
def test_gradients(function, args, wrt):
    assert_gradients_match(function, args, wrt)


@pytest.mark.parametrize("function, args, wrt", PROGRAMS, ids=IDS)
def test_tangents(function, args, wrt):
    assert_jvp_matches(function, args, wrt)


@pytest.mark.parametrize("order", ORDERS)
def test_second_derivatives(order):
    assert_second_derivative_matches(order, pairwise_energy, (X,), 0, 0)


def test_the_adjoint_reads_the_added_axis_at_zero():
    source = "import numpy as np\n\n" + inspect.getsource(pairwise_energy)
    code = tangent_lsp.derive(source, "pairwise_energy").code
    assert "[:, 0, :]" in code and "[0, :, :]" in code
    assert "np.zeros" not in code and "bx[" not in code
