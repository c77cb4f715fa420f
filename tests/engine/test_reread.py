"""Cheap reads are read again in the backward sweep instead of taped (reread.py):
``xs_i = xs[t]`` of an argument nothing changes."""

import inspect

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import ORDERS, assert_gradients_match, assert_second_derivative_matches

rng = np.random.default_rng(22)


def rnn(h, W, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + xs[t] * h)
    return np.sum(h * h)


def rows_of_a_list(w, xs):
    total = 0.0
    for t in range(len(xs)):
        total = total + np.sum(np.sin(xs[t] * w) * xs[t])
    return total


def nested(w, X):
    s = 0.0
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            s = s + np.cos(X[i, j] * w) * X[i][j]
    return s


def shifted(xs):
    return xs * 1.0


def passed_to_a_helper(w, xs):
    s = 0.0
    for t in range(xs.shape[0]):
        s = s + np.sum(np.sin(xs[t] * w) * np.sum(shifted(xs)))
    return s


def rebound_first(w, xs):
    xs = xs * 2.0  # another value under the argument's name: its rows stay taped
    s = 0.0
    for t in range(xs.shape[0]):
        s = s + np.sum(np.sin(xs[t] * w))
    return s


W3 = rng.normal(size=(3, 3)) * 0.5
XS = rng.normal(size=(4, 3))
PROGRAMS = [
    (rnn, (rng.normal(size=3) * 0.5, W3, XS), (0, 1, 2)),
    (rows_of_a_list, (rng.normal(size=3), [XS[0], XS[1], XS[2]]), (0,)),
    (nested, (0.7, XS[:2]), (0, 1)),
    (passed_to_a_helper, (rng.normal(size=3), XS), (0, 1)),
    (rebound_first, (rng.normal(size=3), XS), (0, 1)),
]
IDS = [p[0].__name__ for p in PROGRAMS]


@pytest.mark.parametrize("function, args, wrt", PROGRAMS, ids=IDS)
def test_gradients(function, args, wrt):
    assert_gradients_match(function, args, wrt)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("function, args, wrt", PROGRAMS, ids=IDS)
def test_second_derivatives(order, function, args, wrt):
    assert_second_derivative_matches(order, function, args, wrt[0], wrt[-1])


def _code(function, wrt):
    source = "import numpy as np\n\n" + "\n\n".join(
        inspect.getsource(f) for f in (shifted, function)
    )
    return tangent_lsp.derive(source, function.__name__, wrt=wrt).code


@pytest.mark.parametrize("function, wrt", [(rnn, ("W",)), (nested, ("w",))])
def test_a_row_of_an_unchanged_argument_is_read_again(function, wrt):
    code = _code(function, wrt)
    backward = code[code.index("reversed("):]
    assert "xs_i = xs[t]" in backward or "X_i = X[i, j]" in backward
    assert "tape.append(xs_i)" not in code and "tape.append(X_i)" not in code


@pytest.mark.parametrize("function", [passed_to_a_helper, rebound_first, rows_of_a_list])
def test_a_row_of_an_argument_that_may_change_or_hold_containers_stays_taped(function):
    """A list's element (no ``xs.shape`` says xs is an array) stays taped too: read twice,
    the derivative of this code would add the reads up as a container's."""
    code = _code(function, ("w",))
    assert "xs_i = tape.pop()" in code or "xs2_i = tape.pop()" in code
