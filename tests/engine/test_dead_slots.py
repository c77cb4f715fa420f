"""Straight-line writes into slots (dead_slots.py): an adjoint's slots zeroed and never
read again are left alone, a slot's first write into zeros is an assignment, and slots
read for ``unbroadcast`` are not copied when nothing writes into the adjoint later."""

import inspect

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import ORDERS, assert_gradients_match, assert_second_derivative_matches

rng = np.random.default_rng(43)


def piecewise(x):  # y[0] and y[1:] written once each
    y = np.zeros(x.shape[0])
    y[0] = x[0] * 2.0
    y[1:] = x[1:] ** 2 * 2
    return np.sum(y * y)


def rows_of_a_matrix(X):
    Y = np.zeros_like(X)
    Y[0] = np.sin(X[0])
    Y[1:] = X[1:] * X[0]
    return np.sum(Y * Y)


def slice_updated(x):  # by[1:] zeroed, then added to: assigned instead
    y = x * 1.0
    y[1:] = y[1:] + x[:-1] * 2.0
    return np.sum(y * y)


def overlapping(x):  # y[:3] then y[2:]: slot 2 written twice, the first write gets nothing
    y = np.zeros(x.shape[0])
    y[:3] = np.sin(x[:3])
    y[2:] = x[2:] * 3.0
    return np.sum(y * y)


def from_the_end(x):  # y[-1] may be any slot: nothing is assumed
    y = np.zeros(x.shape[0])
    y[1:] = x[1:] * 2.0
    y[-1] = x[0] * x[1]
    return np.sum(y * y)


def read_whole(x):  # the whole adjoint read after: kept
    y = x * 2.0
    y[0] = x[1] * 3.0
    return np.sum(y * x)


X5 = rng.normal(size=5)
PROGRAMS = [
    (piecewise, (X5,)), (rows_of_a_matrix, (rng.normal(size=(3, 4)),)), (slice_updated, (X5,)),
    (overlapping, (X5,)), (from_the_end, (X5,)), (read_whole, (X5,)),
]
IDS = [p[0].__name__ for p in PROGRAMS]


@pytest.mark.parametrize("function, args", PROGRAMS, ids=IDS)
def test_gradients(function, args):
    assert_gradients_match(function, args, (0,), autograd=False)  # writes into arrays


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("function, args", PROGRAMS[:2], ids=IDS[:2])
def test_second_derivatives(order, function, args):
    assert_second_derivative_matches(order, function, args, 0, 0)


def _backward(function) -> str:
    source = "import numpy as np\n\n" + inspect.getsource(function)
    code = tangent_lsp.derive(source, function.__name__, wrt=(0,)).code
    return code[code.index("# Grad of: return"):]


@pytest.mark.parametrize("function", [piecewise, rows_of_a_matrix])
def test_slots_written_once_read_once(function):
    backward = _backward(function)
    assert "= 0.0" not in backward and ".copy()" not in backward
    if function is piecewise:  # bx[1:] first written with arithmetic: assigned
        assert "add_grad" not in backward and "bx[1:] = 4 * bt3 * x_i" in backward


@pytest.mark.parametrize("function", [overlapping, from_the_end])
def test_a_zero_read_again_stays(function):
    assert "] = 0.0" in _backward(function)


def test_a_zero_added_to_next_is_an_assignment():
    backward = _backward(slice_updated)
    assert "] = 0.0" not in backward and "by[1:] = unbroadcast(bt2, y_i)" in backward
