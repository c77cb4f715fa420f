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


P = np.array([0.2, 0.5, 0.9])
PROGRAMS = [
    (clipped_log_likelihood, (P, np.array([1.0, 0.0, 2.0]))),
    (nested_in_a_loop, (P,)),
]
IDS = [p[0].__name__ for p in PROGRAMS]


@pytest.mark.parametrize("function, args", PROGRAMS, ids=IDS)
def test_gradients(function, args):
    assert_gradients_match(function, args, (0,), autograd=function is nested_in_a_loop)


@pytest.mark.parametrize("function, args", PROGRAMS, ids=IDS)
def test_tangents(function, args):
    assert_jvp_matches(function, args, (0,), autograd=function is nested_in_a_loop)


def test_other_with_blocks_are_still_reported():
    source = "import numpy as np\n\ndef f(x):\n    with np.errstate(all='ignore') as state:\n" \
             "        y = np.log(x)\n    return np.sum(y)\n"
    with pytest.raises(tangent_lsp.DiffError, match="with statement"):
        tangent_lsp.derive(source, "f")
