"""An adjoint first written in both branches of an ``if`` is assigned there, not added to
zeros (branch_writes.py); kept as zeros and ``+=`` where a branch does not write it, where
the value added is not a new array, or where its shape is not the zeros'."""

import inspect

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import ORDERS, assert_gradients_match, assert_second_derivative_matches

rng = np.random.default_rng(41)


def scaled_either_way(x, a):
    if a > 0:
        y = x * a
    else:
        y = x * 2.0
    return np.sum(y)


def one_branch(x, a):  # no else: the zeros stay for the path that skips it
    y = x * 3.0
    if a > 0:
        y = y * a
    return np.sum(y)


def inside_a_loop(x, a):
    s = 0.0
    for k in range(3):
        if a > k:
            y = x * a
        else:
            y = np.sin(x)
        s = s + np.sum(y * (k + 1.0))
    return s


def broadcast_either_way(x, w):  # x (3, 1), w (1, 4): the adjoint sums down to x
    if np.sum(w) > 0:
        y = x * w
    else:
        y = x * 2.0 - w
    return np.sum(y * y)


def other_branch_leaves_x(x, a):  # the else branch adds nothing to x's adjoint: zeros kept
    if a > 0:
        y = x * a
    else:
        y = np.ones(4) * a
    return np.sum(y * y)


def value_added_is_a_name(x, w):  # `bx += unbroadcast(by, x)`: by's array, kept as zeros + add
    if np.sum(w) > 0:
        y = x * w
    else:
        y = x - w
    return np.sum(y * y)


def read_before_written(x, a):
    y = np.tanh(x)
    if a > 0:
        z = y * a
    else:
        z = y ** 2
    return np.sum(z) + np.sum(y * x)


X4 = rng.normal(size=4)
PROGRAMS = [
    (scaled_either_way, (X4, 0.7)), (scaled_either_way, (X4, -0.7)),
    (one_branch, (X4, 0.7)), (one_branch, (X4, -0.7)),
    (inside_a_loop, (X4, 1.5)),
    (broadcast_either_way, (rng.normal(size=(3, 1)), rng.normal(size=(1, 4)) + 0.5)),
    (broadcast_either_way, (rng.normal(size=(3, 1)), rng.normal(size=(1, 4)) - 2.0)),
    (read_before_written, (X4, 0.7)), (read_before_written, (X4, -0.7)),
    (other_branch_leaves_x, (X4, 0.7)), (other_branch_leaves_x, (X4, -0.7)),
    (value_added_is_a_name, (rng.normal(size=(3, 1)), rng.normal(size=(1, 4)) - 2.0)),
]
IDS = [f"{f.__name__}-{i}" for i, (f, _) in enumerate(PROGRAMS)]


@pytest.mark.filterwarnings("ignore:Output seems independent of input")  # a zero gradient
@pytest.mark.parametrize("function, args", PROGRAMS, ids=IDS)
def test_gradients(function, args):
    assert_gradients_match(function, args, (0,))


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("function, args", [PROGRAMS[0], PROGRAMS[5]], ids=[IDS[0], IDS[5]])
def test_second_derivatives(order, function, args):
    assert_second_derivative_matches(order, function, args, 0, 0)


def _code(function) -> str:
    source = "import numpy as np\n\n" + inspect.getsource(function)
    return tangent_lsp.derive(source, function.__name__, wrt=(0,)).code


@pytest.mark.parametrize("function", [scaled_either_way, broadcast_either_way])
def test_both_branches_assign(function):
    code = _code(function)
    assert "np.zeros" not in code and "bx +=" not in code
    assert code.count("bx = unbroadcast(") == 2


@pytest.mark.parametrize("function", [other_branch_leaves_x, value_added_is_a_name])
def test_zeros_stay_where_a_branch_does_not_assign_a_new_array(function):
    code = _code(function)
    assert "bx = zeros_of(x)" in code and "bx +=" in code  # (x may be a number)


def scaled_or_divided(x, a):  # a's adjoint: `ba = ba + ...` and `ba = ba - ...` on zeros_of(a)
    if a > 0:
        y = x * a
    else:
        y = x / a
    return np.sum(y * y)


@pytest.mark.parametrize("a", [0.7, -0.7])
def test_a_sum_or_difference_on_zeros_of_a_number_is_assigned(a):
    """Hunt 45: `ba = zeros_of(a)`, then `ba = ba + ...` / `ba = ba - ...` in the branches."""
    assert_gradients_match(scaled_or_divided, (X4, a), (0, 1))
    for order in ORDERS:
        assert_second_derivative_matches(order, scaled_or_divided, (X4, a), 1, 1)
    source = "import numpy as np\n\n" + inspect.getsource(scaled_or_divided)
    code = tangent_lsp.derive(source, "scaled_or_divided", wrt=("x", "a")).code
    assert "zeros_of" not in code and "ba = unbroadcast(by * x, a)" in code
    assert "ba = -unbroadcast(by * y / a, a)" in code
