"""Functions that check their inputs (``if bad: raise ...``, ``assert``): the checks run
in the derivative as they run in the function, in both modes, and the derivative is
right where they pass. Oracles: autograd and central differences."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import (
    ORDERS, assert_gradients_match, assert_jvp_matches, assert_second_derivative_matches,
)


def checked_lengths(x, w):
    if x.shape[0] != w.shape[0]:
        raise ValueError(f"shapes differ: {x.shape} {w.shape}")
    return np.sum(x * w)


def returns_or_raises(x):
    if np.all(x > 0):
        return np.sum(np.log(x) * x)
    else:
        raise ValueError("negative")


def checked_in_a_loop(x, n):
    s = 0.0
    for i in range(n):
        if i > 10:
            raise RuntimeError("too many steps")
        s = s + np.sum(np.sin(x) * i)
    return s


def asserted_in_a_loop(x, n):
    if n < 0:
        raise ValueError("n must not be negative")
    h = x
    for _ in range(n):
        assert np.all(np.isfinite(h)), "diverged"
        h = np.tanh(h * 2.0)
    return np.sum(h)


def vector_only(x):
    if x.ndim != 1:
        raise TypeError("a vector expected")
    return np.sin(x)


def calls_a_checked_helper(x):
    return np.sum(vector_only(x) ** 2)


def halves_until_small(x):
    k = 0
    y = x
    while np.max(np.abs(y)) > 0.1:
        y = y * 0.5
        k = k + 1
        if k > 100:
            raise RuntimeError("no convergence")
    return np.sum(y ** 2)


def checked_sum_of_squares(x):
    if np.any(x < -10):
        raise ValueError("out of range")
    return np.sum(x ** 2)


def calls_a_check_linearly(x):  # the helper's value is not needed by the derivative
    return checked_sum_of_squares(x) * 2.0 + np.sum(np.sin(x))


def asserts_a_vector(x):
    assert x.ndim == 1, "a vector expected"
    return np.sum(x ** 2)


def through_two_helpers(x):
    return calls_a_check_linearly(x) + asserts_a_vector(x) * 0.5


def checks_in_a_loop(x):
    s = 0.0
    for i in range(3):
        s = s + checked_sum_of_squares(x * i) * 0.5
    return s


X = np.array([0.5, 1.5, 2.0])
PROGRAMS = [
    (checked_lengths, (X, np.array([1.0, -1.0, 0.5]))),
    (returns_or_raises, (X,)),
    (checked_in_a_loop, (X, 3)),
    (asserted_in_a_loop, (X * 0.3, 3)),
    (calls_a_checked_helper, (X,)),
    (halves_until_small, (X,)),
    (through_two_helpers, (X,)),
    (checks_in_a_loop, (X,)),
]
IDS = [p[0].__name__ for p in PROGRAMS]
BAD = [
    (checked_lengths, (X, np.ones(2)), ValueError),
    (returns_or_raises, (-X,), ValueError),
    (checked_in_a_loop, (X, 12), RuntimeError),
    (asserted_in_a_loop, (np.array([np.nan, 1.0]), 2), AssertionError),
    (calls_a_checked_helper, (np.ones((2, 2)),), TypeError),
    (calls_a_check_linearly, (X - 20.0,), ValueError),
    (through_two_helpers, (np.ones((2, 2)),), AssertionError),
    (checks_in_a_loop, (X - 20.0,), ValueError),
]


@pytest.mark.parametrize("function, args", PROGRAMS, ids=IDS)
def test_gradients(function, args):
    assert_gradients_match(function, args, (0,))


@pytest.mark.parametrize("function, args", PROGRAMS, ids=IDS)
def test_tangents(function, args):
    assert_jvp_matches(function, args, (0,))


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("function, args", [PROGRAMS[1], PROGRAMS[3]], ids=[IDS[1], IDS[3]])
def test_second_derivatives(order, function, args):
    assert_second_derivative_matches(order, function, args, 0, 0)


@pytest.mark.parametrize("function, args, error", BAD, ids=[b[0].__name__ for b in BAD])
def test_the_derivative_raises_what_the_function_raises(function, args, error):
    with pytest.raises(error) as raised:
        function(*args)
    message = str(raised.value).splitlines()[0]  # (pytest adds lines to an assert's)
    for derivative, more in ((tangent_lsp.grad(function), ()), (tangent_lsp.jvp(function), (1.0,)),
                             (tangent_lsp.hessian(function), ())):
        with pytest.raises(error) as raised:
            derivative(*args, *more)
        assert str(raised.value).splitlines()[0] == message


def _code(function, mode: str = "reverse") -> str:
    source = "import numpy as np\n\n" + inspect.getsource(function)
    return tangent_lsp.derive(source, function.__name__, mode=mode).code


def test_a_check_in_a_loop_is_kept_where_nothing_else_of_the_loop_is():
    """The forward sweep of ``checked_in_a_loop`` computes nothing the backward sweep
    reads: the loop stays for its check."""
    code = _code(checked_in_a_loop)
    forward = code[:code.index("reversed(steps)")]
    assert "raise RuntimeError('too many steps')" in forward and "for i in steps" in forward


def checked_elements(x):
    for i in range(x.shape[0]):
        if x[i] > 100:
            raise ValueError("an element too large")
    return np.sum(2 * x)


def test_a_loop_kept_for_its_check_alone_keeps_no_tape():
    """Its backward half has nothing to do: the pops go with it, then the pushes (of
    the tests) and the tape itself."""
    assert_gradients_match(checked_elements, (X,), (0,))
    code = _code(checked_elements)
    assert "raise ValueError" in code and "tape" not in code


def doubled_or_raises(x):
    if np.all(x > 0):
        return np.sum(x * x)
    else:
        raise ValueError("negative")


def test_a_check_on_the_other_branch_is_written_as_a_negated_test():
    code = _code(doubled_or_raises)
    assert "if not cond:\n        raise ValueError('negative')" in code and "pass" not in code


def test_a_function_that_raises_on_every_path_is_reported():
    source = "def stub(x):\n    raise NotImplementedError\n"
    with pytest.raises(tangent_lsp.DiffError, match="raises on every path"):
        tangent_lsp.derive(source, "stub")


def test_a_helper_called_for_its_check_alone_is_called_as_a_statement():
    source = "import numpy as np\n\n" + inspect.getsource(checked_sum_of_squares) + "\n\n" + \
        inspect.getsource(calls_a_check_linearly)
    code = tangent_lsp.derive(source, "calls_a_check_linearly").code
    assert "\n    checked_sum_of_squares(x)\n" in code
