"""``for``/``while`` with an ``else`` clause (runs when the loop ends without a break):
a flag cleared before the loop's breaks, tested after it. Oracles: autograd and central
differences."""

from __future__ import annotations

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import (
    ORDERS, assert_gradients_match, assert_jvp_matches, assert_second_derivative_matches,
)


def newton_sqrt(a):
    x = a
    for _ in range(50):
        x_new = 0.5 * (x + a / x)
        if abs(x_new - x) < 1e-12:
            break
        x = x_new
    else:
        raise RuntimeError("no convergence")
    return x


def inner_breaks_are_the_inner_loops(x, w):
    s = 0.0
    for i in range(3):
        for j in range(3):
            if j > i:
                break  # the inner loop's: the outer else still runs
            s = s + x[i] * w[j]
        if s > 100.0:
            break
    else:
        s = s * 2.0
    return s


def while_else(x):
    y = x
    k = 0
    while k < 4:
        y = np.sin(y)
        k = k + 1
        if np.sum(y) < -10.0:
            break
    else:
        y = y * 3.0
    return np.sum(y ** 2)


def returns_in_else(x):
    for i in range(3):
        if x[i] > 5.0:
            break
    else:
        return np.sum(x ** 3)
    return np.sum(x)


X, W = np.array([0.5, 1.0, 2.0]), np.array([1.0, -1.0, 0.5])
PROGRAMS = [
    (newton_sqrt, (2.0,), (0,)),
    (inner_breaks_are_the_inner_loops, (X, W), (0, 1)),
    (inner_breaks_are_the_inner_loops, (X * 50.0, W + 1.0), (0, 1)),  # the outer breaks
    (while_else, (X,), (0,)),
    (returns_in_else, (X,), (0,)),
    (returns_in_else, (X * 3.0,), (0,)),
]
IDS = [f"{p[0].__name__}-{k}" for k, p in enumerate(PROGRAMS)]


@pytest.mark.parametrize("function, args, wrt", PROGRAMS, ids=IDS)
def test_gradients(function, args, wrt):
    assert_gradients_match(function, args, wrt, autograd=function is not newton_sqrt)


@pytest.mark.parametrize("function, args, wrt", PROGRAMS, ids=IDS)
def test_tangents(function, args, wrt):
    assert_jvp_matches(function, args, wrt, autograd=function is not newton_sqrt)


@pytest.mark.parametrize("order", ORDERS)
def test_second_derivatives(order):
    assert_second_derivative_matches(order, while_else, (X,), 0, 0)


def test_the_else_clause_raises_where_the_loop_did_not_break():
    with pytest.raises(RuntimeError, match="no convergence"):
        tangent_lsp.grad(newton_sqrt)(-2.0)  # Newton's iteration for a negative number
