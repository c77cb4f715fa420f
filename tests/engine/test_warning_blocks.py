"""``with np.errstate(...):`` blocks are read as their bodies (they change which warnings
NumPy gives, not values). Oracles: autograd and central differences."""

from __future__ import annotations

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import assert_gradients_match, assert_jvp_matches


def clipped_log_likelihood(p, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(p) * y
    return np.sum(np.where(y > 0, logs, 0.0) ** 2)


def nested_in_a_loop(x):
    s = 0.0
    for i in range(3):
        with np.errstate(over="ignore"):
            s = s + np.sum(np.exp(x * i))
    return s


def returns_inside(x):
    if x[0] > 0:
        with np.errstate(divide="ignore"):
            return np.sum(x ** 2)
    return np.sum(x)


def returns_inside_a_loop(x):
    s = 0.0
    for i in range(3):
        with np.errstate(divide="ignore"):
            s = s + x[i] ** 2
            if s > 0.2:
                return s * 2
    return s


def breaks_inside(x):
    s = 0.0
    for i in range(3):
        with np.errstate(invalid="warn"):
            if x[i] > 0.85:
                break
            s = s + x[i] ** 2
    return s


def two_in_one_statement(x):
    with np.errstate(divide="ignore"), np.errstate(invalid="ignore"):
        y = np.log(x) * x
    return np.sum(y)


P = np.array([0.2, 0.5, 0.9])
PROGRAMS = [
    (clipped_log_likelihood, (P, np.array([1.0, 0.0, 2.0]))),
    (nested_in_a_loop, (P,)),
    (returns_inside, (P,)),
    (returns_inside, (-P,)),
    (returns_inside_a_loop, (P,)),  # returns at i = 1
    (breaks_inside, (P,)),  # breaks at i = 2
    (two_in_one_statement, (P,)),
]
IDS = [f"{p[0].__name__}-{k}" for k, p in enumerate(PROGRAMS)]


@pytest.mark.parametrize("function, args", PROGRAMS, ids=IDS)
def test_gradients(function, args):
    assert_gradients_match(function, args, (0,), autograd=function is not clipped_log_likelihood)


@pytest.mark.parametrize("function, args", PROGRAMS, ids=IDS)
def test_tangents(function, args):
    assert_jvp_matches(function, args, (0,), autograd=function is not clipped_log_likelihood)


def test_other_with_blocks_are_still_reported():
    source = "import numpy as np\n\ndef f(x):\n    with np.errstate(all='ignore') as state:\n" \
             "        y = np.log(x)\n    return np.sum(y)\n"
    with pytest.raises(tangent_lsp.DiffError, match="with statement"):
        tangent_lsp.derive(source, "f")


@pytest.mark.parametrize("setting", ["divide='raise'", "all='call'", "over=mode", "**mode"])
def test_a_block_that_makes_numpy_raise_is_reported(setting):
    """`raise` (or `call`) makes the block a check of the values: refused, not dropped."""
    source = f"import numpy as np\n\ndef f(x, mode):\n    with np.errstate({setting}):\n" \
             "        y = np.log(x)\n    return np.sum(y)\n"
    with pytest.raises(tangent_lsp.DiffError, match="np.errstate with") as raised:
        tangent_lsp.derive(source, "f")
    assert setting.replace("'", "") in str(raised.value).replace("'", "")
