"""Everything reverse mode differentiates, forward mode differentiates too: the whole zoo
(programs, control flow, containers, subroutines, surgery) as JVPs against finite
differences, and Hessian-vector products (forward over reverse) against autograd."""

import autograd
import numpy as np
import pytest

import tangent_lsp
from tests.engine import test_containers as containers
from tests.engine import test_control_flow as cf
from tests.engine import test_programs as programs
from tests.engine import test_subroutines as subroutines
from tests.oracle import _autograd_version, assert_jvp_matches

ZOO = (
    [(f"programs.{c[0]}", c[1], c[2], c[3]) for c in programs.CASES]
    + [(f"control_flow.{c[0]}", c[1], c[2], c[3]) for c in cf.CASES]
    + [(f"containers.{c[0]}", c[1], c[2], c[3]) for c in containers.CASES]
    + [(f"subroutines.{c[0]}", c[1], c[2], c[3]) for c in subroutines.CASES]
)


@pytest.mark.parametrize("name,f,args,wrt", ZOO, ids=[c[0] for c in ZOO])
def test_forward_mode_over_the_zoo(name, f, args, wrt):
    assert_jvp_matches(f, args, wrt=wrt, autograd=False)


# autograd cannot write into arrays; those functions are checked by the JVP test above
HVP_ZOO = [c for c in ZOO if not c[0].startswith("containers.") or c[0] in (
    "containers.rnn_collecting_states", "containers.builtin_sum_of_list",
    "containers.list_literal_and_index", "containers.dict_literal", "containers.tuple_literal")]


@pytest.mark.parametrize("name,f,args,wrt", HVP_ZOO, ids=[c[0] for c in HVP_ZOO])
def test_hessian_vector_products_over_the_zoo(name, f, args, wrt):
    k = wrt[0]
    v = np.random.default_rng(9).normal(size=np.shape(args[k]))
    if np.ndim(args[k]) == 0:
        v = float(v)
    ours = tangent_lsp.hvp(f, wrt=k)(*args, v)
    expected = autograd.hessian_vector_product(_autograd_version(f), k)(*args, v)
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name,f,args,wrt", HVP_ZOO, ids=[c[0] for c in HVP_ZOO])
def test_reverse_over_reverse_over_the_zoo(name, f, args, wrt):
    """The gradient's vector-Jacobian product with v is H v (H is symmetric)."""
    k = wrt[0]
    v = np.random.default_rng(10).normal(size=np.shape(args[k]))
    if np.ndim(args[k]) == 0:
        v = float(v)
    gradient = tangent_lsp.grad(f, wrt=(k,))
    ours = tangent_lsp.vjp(gradient, wrt=(k,))(*args, 1.0, v)
    expected = autograd.hessian_vector_product(_autograd_version(f), k)(*args, v)
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name,f,args,wrt", HVP_ZOO, ids=[c[0] for c in HVP_ZOO])
def test_forward_mode_matches_autograd(name, f, args, wrt):
    assert_jvp_matches(f, args, wrt=wrt, autograd=True)


@pytest.mark.parametrize("name,f,args,wrt", HVP_ZOO, ids=[c[0] for c in HVP_ZOO])
def test_reverse_over_forward_over_the_zoo(name, f, args, wrt):
    """The gradient of the directional derivative along v is H v."""
    k = wrt[0]
    v = np.random.default_rng(11).normal(size=np.shape(args[k]))
    if np.ndim(args[k]) == 0:
        v = float(v)
    directional = tangent_lsp.jvp(f, wrt=(k,))
    ours = tangent_lsp.grad(directional, wrt=(k,))(*args, v)
    expected = autograd.hessian_vector_product(_autograd_version(f), k)(*args, v)
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-8)
