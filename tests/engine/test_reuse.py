"""A transpose or an element read twice is read from the name the first read gave it
(hunt 36: ``HT = H.T`` then ``HT2 = H.T``; ``y1 = y[1]`` then ``y1_2 = y[1]``, both kept
and both taped in loops). Oracle for the gradients: autograd and central differences."""

from __future__ import annotations

import inspect
import re

import gast
import numpy as np
import pytest

from tangent_lsp.engine import derive, emit
from tangent_lsp.engine.reuse import reuse_values
from tests.oracle import assert_gradients_match, assert_jvp_matches


def _reused(source: str, stable: set[str]) -> str:
    return emit.to_source(reuse_values(gast.parse(source).body[0], stable)).strip()


def test_a_transpose_and_constant_indexes_are_read_again_from_their_names():
    code = _reused(
        "def f(H, y, i):\n    HT = H.T\n    y1 = y[1]\n    last = y[-1]\n    rows = y[1:3]\n"
        "    a = H.T\n    b = y[1]\n    c = y[-1]\n    d = y[1:3]\n    e = y[i]\n    return a",
        stable={"H", "y", "i", "HT", "y1", "last", "rows", "a", "b", "c", "d", "e"},
    )
    assert "a = HT" in code and "b = y1" in code and "c = last" in code and "d = rows" in code
    assert "e = y[i]" in code, "an index held in a name is not compared"


def test_a_target_and_a_changing_array_are_left_alone():
    code = _reused(
        "def f(y, z):\n    y1 = y[1]\n    z[1] = 2.0\n    w = z[1]\n    v = y[1]\n    return v",
        stable={"y", "y1", "w", "v"},  # z is written in place: not stable
    )
    assert "z[1] = 2.0" in code and "w = z[1]" in code and "v = y1" in code


def kalman_gain(P, H, R):
    S = H @ P @ H.T + R
    K = P @ H.T @ np.linalg.inv(S)
    return np.sum(K ** 2)


def read_twice(y, theta):
    return np.array([y[1], -theta[0] * np.sin(y[0]) - theta[1] * y[1]]).sum()


SOURCE = "import numpy as np\n\n\n" + "\n\n".join(
    inspect.getsource(f) for f in (kalman_gain, read_twice))


def _statements(code: str) -> str:
    return "\n".join(line for line in code.splitlines() if not line.strip().startswith("#"))


def test_the_generated_code_reads_each_once():
    kalman = _statements(derive(SOURCE, "kalman_gain", wrt=("P", "H")).code)
    assert kalman.count("H.T") == 1
    twice = _statements(derive(SOURCE, "read_twice", wrt=("y",)).code)
    assert len(re.findall(r"\by\[1\]", twice)) == 1


def test_gradients():
    rng = np.random.default_rng(3)
    P = rng.normal(size=(3, 3)) + 3 * np.eye(3)
    H = rng.normal(size=(2, 3))
    assert_gradients_match(kalman_gain, (P, H, np.eye(2)), wrt=(0, 1))
    assert_gradients_match(read_twice, (np.array([0.3, -0.4]), np.array([1.5, 0.2])), wrt=(0, 1))


def last_after_pop(x):
    hs = [x * 1.0, x * 2.0]
    last = hs[-1]
    hs.pop()
    return np.sum(last * hs[-1])


def length_after_pop(x):
    hs = [x * 1.0, x * 2.0, x * 3.0]
    a = hs[len(hs) - 1]
    hs.pop()
    return np.sum(a * hs[len(hs) - 1])


def row_after_write(x):
    y = x * 1.0
    first = y[0]
    y[0] = 3.0
    return first * y[0] + np.sum(y)


@pytest.mark.parametrize("f", [last_after_pop, length_after_pop, row_after_write])
def test_a_list_or_array_changed_in_place_is_read_again(f):
    """hunt 38: `hs[-1]` after `hs.pop()` was read from the name the first read gave it."""
    mutates_an_array = f is row_after_write  # autograd does not follow `y[0] = 3.0`
    assert_gradients_match(f, (np.array([0.7, -0.4, 1.3]),), autograd=not mutates_an_array)
    assert_jvp_matches(f, (np.array([0.7, -0.4, 1.3]),), autograd=not mutates_an_array)
