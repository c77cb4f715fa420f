"""A list, dict or tuple returned by the module's own function, read by the caller.

Checked against central differences (and autograd) in reverse mode, in both motions,
in forward mode, and to second order in the four orders."""

import numpy as np
import pytest

from tests.engine import returned_programs as P
from tests.oracle import (
    ORDERS, assert_gradients_match, assert_jvp_matches, assert_second_derivative_matches,
)

rng = np.random.default_rng(19)
X = rng.standard_normal(3)

# functions of arrays: (function, arguments, arguments differentiated)
ARRAYS = [
    (P.list_in_a_returned_tuple, (X,), (0,)),  # `return h, hs`: a list in a tuple
]
ARRAY_IDS = [case[0].__name__ for case in ARRAYS]
VARIANTS = {"joint": {}, "plain": {"optimized": False}, "split": {"motion": "split"}}


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("f,args,wrt", ARRAYS, ids=ARRAY_IDS)
def test_gradient(f, args, wrt, variant):
    assert_gradients_match(f, args, wrt=wrt, **VARIANTS[variant])


@pytest.mark.parametrize("f,args,wrt", ARRAYS, ids=ARRAY_IDS)
def test_tangent(f, args, wrt):
    assert_jvp_matches(f, args, wrt=wrt)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("f,args,wrt", ARRAYS, ids=ARRAY_IDS)
def test_second_derivative(f, args, wrt, order):
    i, j = wrt[0], wrt[-1]
    assert_second_derivative_matches(order, f, args, i, j)
    if i != j:
        assert_second_derivative_matches(order, f, args, j, j)
