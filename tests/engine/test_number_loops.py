"""Loops over Python floats: the gradient is right, comes back as floats (an adjoint
that starts at zero starts as ``0.0``, not as a 0-d array), and the arrays the code
shows are arrays keep NumPy's zeros. Oracles: autograd and central differences."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import tangent_lsp
from tangent_lsp import runtime as rt
from tests.oracle import (
    ORDERS, assert_gradients_match, assert_jvp_matches, assert_second_derivative_matches,
)


def recurrence(a, b):
    x = 0.3
    s = 0.0
    for _ in range(50):
        x = a * x * (1.0 - x) + b * x * x
        s = s + x
    return s


def branchy_recurrence(a, b):
    x = 0.5
    for i in range(20):
        if i % 3 == 0:
            x = a * x + b
        else:
            x = np.sin(x) * b
    return x


def weights_over_numbers(w, c):
    total = 0.0
    for k in range(4):
        total = total + np.sum(w * c ** k) * c
    return total


def matrix_in_a_loop(W, x):
    h = x
    for _ in range(3):
        h = np.tanh(W @ h)
    return np.sum(h)


PROGRAMS = [
    (recurrence, (2.5, 0.3), (0, 1)),
    (branchy_recurrence, (0.7, 0.9), (0, 1)),
    (weights_over_numbers, (np.array([0.5, -1.0, 2.0]), 0.8), (0, 1)),
    (matrix_in_a_loop, (np.eye(3) * 0.5 + 0.1, np.array([0.3, -0.2, 0.9])), (0, 1)),
]
IDS = [p[0].__name__ for p in PROGRAMS]


@pytest.mark.parametrize("function, args, wrt", PROGRAMS, ids=IDS)
def test_gradients(function, args, wrt):
    assert_gradients_match(function, args, wrt)


@pytest.mark.parametrize("function, args, wrt", PROGRAMS, ids=IDS)
def test_tangents(function, args, wrt):
    assert_jvp_matches(function, args, wrt)


@pytest.mark.parametrize("function", [recurrence, branchy_recurrence])
def test_the_tangent_of_numbers_is_a_float(function):
    assert isinstance(tangent_lsp.jvp(function, wrt=(0, 1))(0.7, 0.9, 1.0, -0.5), float)
    code = tangent_lsp.autodiff(function, wrt=(0, 1), mode="forward").derivative.code
    assert "dx = 0.0" in code and "np.zeros" not in code  # `x = 0.5`: a number


@pytest.mark.parametrize("function", [recurrence, branchy_recurrence])
def test_the_gradient_of_numbers_is_floats(function):
    gradient = tangent_lsp.grad(function, wrt=(0, 1))(0.7, 0.9)
    assert all(isinstance(g, float) for g in gradient)  # (np.float64 is a float)


def test_a_number_mixed_with_arrays_gets_a_number():
    ga, gc = tangent_lsp.grad(weights_over_numbers, wrt=(0, 1))(np.ones(3), 0.8)
    assert isinstance(ga, np.ndarray) and ga.shape == (3,)
    assert isinstance(gc, float)


@pytest.mark.parametrize("order", ORDERS)
def test_second_derivatives(order):
    assert_second_derivative_matches(order, recurrence, (2.5, 0.3), 0, 1)


def _code(function, wrt) -> str:
    source = "import numpy as np\n\n" + inspect.getsource(function)
    return tangent_lsp.derive(source, function.__name__, wrt=wrt).code


def test_zeros_of_what_may_be_a_number_and_numpy_zeros_of_an_array():
    code = _code(recurrence, (0, 1))
    assert "ba = zeros_of(a)" in code and "np.zeros(" not in code
    code = _code(matrix_in_a_loop, (0, 1))
    assert "bW = np.zeros(np.shape(W))" in code and "zeros_of" not in code  # `W @ h`


def test_runtime_zeros_and_shapes_of_numbers():
    assert type(rt.zeros_of(2.0)) is float and type(rt.zeros_of(3)) is float
    assert type(rt.zeros_of(np.float64(2.0))) is float
    assert rt.zeros_of(np.ones((2, 3))).shape == (2, 3)
    assert rt.zeros_of([1.0, 2.0]).shape == (2,)  # a list of numbers: an array, as before
    assert rt.shape_of(2.5) == 2.5  # a number is as small as its shape
    assert rt.unbroadcast(1.5, rt.shape_of(2.5)) == 1.5
    assert type(rt.unbroadcast(np.ones(3), 2.0)) is np.float64  # summed to a number
    assert rt.unbroadcast(np.ones((2, 2), dtype=np.float32), 1.0) == 4.0
    assert type(rt.broadcast_like(1.5, 2.0)) is float  # forward mode's, for a number
    assert rt.broadcast_like(1.5, np.ones(2)).shape == (2,)


def invariant_in_a_loop(x, n):
    s = 0.0
    for i in range(n):
        s = s + np.sum(np.sin(x) * i)
    return s


def test_a_zero_start_reads_the_shape_it_needs_without_computing_a_value():
    """``np.sin(x)``, hoisted out of the loop, is read by the backward sweep only for the
    shape its adjoint starts with: the shape is x's."""
    assert_gradients_match(invariant_in_a_loop, (np.array([0.5, -1.0, 2.0]), 3), (0,))
    code = _code(invariant_in_a_loop, (0,))
    statements = [line for line in code.splitlines() if not line.strip().startswith("#")]
    assert not any("np.sin(" in line for line in statements) and "zeros_of(x)" in code


def gated(x, temperature):
    if temperature > 0:  # read only in a test: its gradient is zero
        return np.sum(x ** 2)
    return np.sum(x)


def line_fit(p, xs, ys):
    a, b = p
    return np.sum((a * xs + b - ys) ** 2)


def test_zero_gradients_and_list_elements_of_numbers_are_floats():
    _, g_temperature = tangent_lsp.grad(gated, wrt=(0, 1))(np.ones(3), 0.5)
    assert type(g_temperature) is float and g_temperature == 0.0
    xs, ys = np.array([0.0, 1.0, 2.0]), np.array([0.1, 0.9, 2.2])
    gradient = tangent_lsp.grad(line_fit)([0.8, 0.2], xs, ys)
    assert all(isinstance(g, float) for g in gradient)
    assert_gradients_match(line_fit, ([0.8, 0.2], xs, ys), (0,), autograd=False)  # (unpacks a list)


def relaxed_towards(x0, t):
    x = x0
    for _ in range(10):
        x = x - 0.1 * (x - t)
    return np.sum(x ** 2)


def test_a_loop_that_reads_its_states_only_for_their_shapes_tapes_shapes():
    """The backward sweep reads the final x (for the seed) before it restores any, and the
    restored ones only for `unbroadcast`'s shape: the tape holds shapes, not 10 arrays."""
    args = (np.array([0.5, -1.0, 2.0]), np.array([[1.0], [0.0]]))
    assert_gradients_match(relaxed_towards, args, (0, 1))
    for order in ORDERS:
        assert_second_derivative_matches(order, relaxed_towards, args, 1, 0)
    code = _code(relaxed_towards, (0, 1))
    assert "tape.append(shape_of(x))" in code
