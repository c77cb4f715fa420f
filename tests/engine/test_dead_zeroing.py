"""A slot of an adjoint the backward loop zeroes after reading it, and nothing reads
again, keeps its value (dead_zeroing.py): ``by[i] = 0.0`` after ``by[i]`` is read is
dropped where each step has a slot of its own, kept where anything reads it again."""

import inspect

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import ORDERS, assert_gradients_match, assert_second_derivative_matches

rng = np.random.default_rng(23)


def conv(x, w):  # each step writes y[i]: read once, by that step
    n = x.shape[0] - w.shape[0] + 1
    y = np.zeros(n)
    for i in range(n):
        y[i] = np.dot(x[i:i + w.shape[0]], w)
    return np.sum(np.maximum(y, 0.0) ** 2)


def columns(A):  # a column per step
    B = np.zeros_like(A)
    for j in range(A.shape[1]):
        B[:, j] = A[:, j] * np.sum(A[:, :j + 1], axis=1)
    return np.sum(B * B)


def slots_of_a_list(x):  # a list's slots, some of them also read after the loop
    hs = [None] * 3
    h = x
    for t in range(3):
        h = np.tanh(h * (t + 1.0))
        hs[t] = h
    return np.sum(hs[0] * hs[2]) + np.sum(hs[1])


def grid(x):  # a slot per step of two loops
    A = np.zeros((3, x.shape[0]))
    for i in range(3):
        for j in range(x.shape[0]):
            A[i, j] = np.sin(x[j] * (i + 1.0))
    return np.sum(A * A)


def previous_slot_read(x):  # A[i, j - 1]: the step reads the slot the next one zeroed
    A = np.zeros((2, 3))
    for i in range(2):
        for j in range(3):
            A[i, j] += x[i] * x[j] + A[i, j - 1]
    return np.sum(A * A)


def read_then_written(x):  # a step reads the old A[i, j] before the next loop writes it
    A = np.outer(np.ones(2), x)
    s = 0.0
    for i in range(2):
        for j in range(x.shape[0]):
            s = s + A[i, j] * x[j]
        for j in range(x.shape[0]):
            A[i, j] = np.sin(x[j] * (i + 2.0))
    return s + np.sum(A)


def read_after_the_loop(x):  # y is returned: its adjoint is the gradient
    y = x * 1.0
    for i in range(x.shape[0]):
        y[i] = np.sin(y[i])
    return np.sum(y * x)


def rewritten_in_one_step(x):  # y[i] written twice a step: the first write gets nothing
    y = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        y[i] = x[i] * 3.0
        y[i] = np.cos(x[i])
    return np.sum(y * y)


def wrapping_range(x):  # range(-2, 2): y[-2] is y[0], written again two steps later
    y = np.zeros((2, x.shape[0]))
    for i in range(-2, 2):
        y[i] = x * (i + 3.0)
    return np.sum(y[0] * x) + np.sum(y[1])


def counting_down_past_zero(x):  # range(2, -4, -1): y[-1] is y[2]
    y = np.zeros(3)
    for i in range(2, -4, -1):
        y[i] = np.sin(x[i % 3] * (i + 5.0))
    return np.sum(y * y)


X5 = rng.normal(size=5)
PROGRAMS = [
    (conv, (X5, rng.normal(size=3)), (0, 1)),
    (columns, (rng.normal(size=(3, 4)),), (0,)),
    (slots_of_a_list, (X5,), (0,)),
    (grid, (X5,), (0,)),
    (previous_slot_read, (rng.normal(size=3),), (0,)),
    (read_then_written, (X5,), (0,)),
    (read_after_the_loop, (X5,), (0,)),
    (rewritten_in_one_step, (X5,), (0,)),
    (wrapping_range, (X5,), (0,)),
    (counting_down_past_zero, (X5[:3],), (0,)),
]
IDS = [p[0].__name__ for p in PROGRAMS]


@pytest.mark.parametrize("function, args, wrt", PROGRAMS, ids=IDS)
def test_gradients(function, args, wrt):
    assert_gradients_match(function, args, wrt, autograd=False)  # writes into arrays


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("function, args, wrt", PROGRAMS[:4], ids=IDS[:4])
def test_second_derivatives(order, function, args, wrt):
    assert_second_derivative_matches(order, function, args, wrt[0], wrt[-1])


def _backward(function) -> str:
    source = "import numpy as np\n\n" + inspect.getsource(function)
    code = tangent_lsp.derive(source, function.__name__, wrt=(0,)).code
    return code[code.index("reversed("):]


@pytest.mark.parametrize("function, slot", [
    (conv, "by[i]"), (columns, "bB[:, j]"), (slots_of_a_list, "bhs[t]"), (grid, "bA[i, j]"),
])
def test_a_slot_no_step_reads_again_is_not_zeroed(function, slot):
    backward = _backward(function)
    assert f"{slot} = 0.0" not in backward
    assert f"{slot}.copy()" not in backward  # copied only to be zeroed
    assert f"{slot}" in backward


@pytest.mark.parametrize("function, slot", [
    (previous_slot_read, "bA[i, j]"), (read_then_written, "bA[i, j]"),
    (read_after_the_loop, "by[i]"), (rewritten_in_one_step, "by[i]"),
    (wrapping_range, "by[i]"), (counting_down_past_zero, "by[i]"),
])
def test_a_slot_read_again_is_still_zeroed(function, slot):
    assert f"{slot} = 0.0" in _backward(function)
