"""An element read twice in one statement is read once (``x[i] * x[i]`` is ``x_i * x_i``,
as a hand-written loop has it): one temporary, one adjoint added back into ``bx[i]``, and
``x * x``'s derivative ``2 * x``. Reads in a branch of a conditional expression are not
shared with the rest of the statement (the branch may not run)."""

import inspect

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import ORDERS, assert_gradients_match, assert_jvp_matches, assert_second_derivative_matches


def sum_of_squares(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + x[i] * x[i]
    return s


def quadratic_forms(A, xs):
    total = 0.0
    for i in range(xs.shape[0]):
        total = total + xs[i] @ A @ xs[i]
    return total


def in_a_branch(x, c):
    total = 0.0
    for i in range(x.shape[0]):
        total = total + (x[i] if c > 0 else 2.0 * x[i]) * x[i]
    return total


def after_a_write(x):  # y[0] is read, written, read again: two statements, two reads
    y = x * 1.0
    a = y[0] * y[0]
    y[0] = 3.0 * y[1]
    return a * y[0] + np.sum(y)


rng = np.random.default_rng(4)
X = rng.normal(size=4)
CASES = [
    (sum_of_squares, (X,), (0,)),
    (quadratic_forms, (rng.normal(size=(3, 3)), rng.normal(size=(4, 3))), (0, 1)),
    (in_a_branch, (X, 1.0), (0,)), (in_a_branch, (X, -1.0), (0,)),
    (after_a_write, (X,), (0,)),
]
IDS = ["sum_of_squares", "quadratic_forms", "branch_taken", "branch_not_taken", "after_a_write"]


@pytest.mark.parametrize("f, args, wrt", CASES, ids=IDS)
def test_derivatives(f, args, wrt):
    autograd = f is not after_a_write  # autograd refuses the write into y
    assert_gradients_match(f, args, wrt=wrt, autograd=autograd)
    assert_jvp_matches(f, args, wrt=wrt, autograd=autograd)


@pytest.mark.parametrize("order", ORDERS)
def test_second_derivative(order):
    assert_second_derivative_matches(order, sum_of_squares, (X,), 0, 0)


def _code(f, mode="reverse"):
    source = "import numpy as np\n\n\n" + inspect.getsource(f)
    code = tangent_lsp.derive(source, f.__name__, mode=mode).code
    return [line.strip() for line in code.splitlines() if not line.lstrip().startswith("#")]


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_an_element_read_twice_in_a_statement_is_read_once(mode):
    lines = _code(sum_of_squares, mode)
    reads = [line for line in lines if "x[i]" in line and not line.startswith(("bx[i]", "ds ="))]
    assert reads == ["x_i = x[i]"] * (2 if mode == "reverse" else 1), lines
    assert any("x_i * x_i" in line for line in lines) and not any("x_i2" in line for line in lines)


def test_a_read_in_a_branch_is_not_read_after_it():
    lines = _code(in_a_branch)
    assert "x_i2 = x[i]" in lines  # the read outside the conditional has its own name
