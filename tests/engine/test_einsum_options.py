"""``np.einsum(..., optimize=...)``: the derivative's contractions take the call's
``optimize`` (without it a chain of three operands or more is contracted in the order
written: 260x the function's time on 80x80 matrices). Oracles: autograd, differences."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import ORDERS, assert_gradients_match, assert_jvp_matches, \
    assert_second_derivative_matches


def chain(a, b, c, how):
    return np.sum(np.sin(np.einsum("ij,jk,kl->il", a, b, c, optimize=how)))


rng = np.random.default_rng(5)
ARGS = (rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), rng.standard_normal((2, 3)))


@pytest.mark.parametrize("how", [True, "greedy", False])
def test_gradients_and_tangents(how):
    assert_gradients_match(chain, (*ARGS, how), (0, 1, 2), autograd=False)
    assert_jvp_matches(chain, (*ARGS, how), (0, 1, 2), autograd=False)


@pytest.mark.parametrize("order", ORDERS)
def test_second_derivatives(order):
    assert_second_derivative_matches(order, chain, (*ARGS, True), 1, 2)


def test_the_derivatives_contract_as_the_call_does():
    source = "import numpy as np\n\n" + inspect.getsource(chain)
    for mode, helper in (("reverse", "einsum_adjoint("), ("forward", "einsum_tangent(")):
        code = tangent_lsp.derive(source, "chain", wrt=(0, 1, 2), mode=mode).code
        call = code[code.index(helper):]
        assert "optimize=how" in call[:call.index("\n")]
