"""Python builtins and ``math``, differentiated through the engine and checked numerically.

Same table format as ``test_numpy_rules.py``. autograd cannot trace ``math``
functions, so those cases compare with finite differences only.
"""

import math

import numpy as np
import pytest

import tangent_lsp
from tests.engine import python_functions as py
from tests.oracle import assert_gradients_match

rng = np.random.default_rng(0)
A34 = rng.standard_normal((3, 4))
V4 = rng.standard_normal(4)
W34 = rng.standard_normal((3, 4))
W4 = rng.standard_normal(4)


def case(function, *args, wrt=(0,), autograd=True):
    return pytest.param(function, args, wrt, autograd, id=function.__name__)


# --- builtins -------------------------------------------------------------------------------


def b_abs_array(x):
    return np.sum(abs(x) * W34)


def b_sum_array(x):
    return np.sum(sum(x) * W4)


def b_pow_array(x):
    return np.sum(pow(x, 3.0) * W4)


def b_list_of_array(x):  # its gradient is an array again, not a list of numbers
    xs = list(x)
    return xs[0] * xs[1] + sum(xs)


def b_tuple_of_rows(x):
    rows = tuple(x)
    return np.sum(rows[0] * rows[1]) + np.sum(np.stack(rows) ** 2)


BUILTINS = [
    case(b_list_of_array, V4), case(b_tuple_of_rows, A34),
    case(py.b_abs, 0.7), case(py.b_abs, -1.3), case(b_abs_array, A34),
    case(py.b_sum_list, 0.7, -1.2, wrt=(0, 1)), case(py.b_sum_start, 0.7, -1.2, wrt=(0, 1)),
    case(b_sum_array, A34),
    case(py.b_max_two, 0.3, 0.8, wrt=(0, 1)), case(py.b_max_two, 0.8, 0.3, wrt=(0, 1)),
    case(py.b_min_two, 0.3, 0.8, wrt=(0, 1)), case(py.b_min_two, 0.8, 0.3, wrt=(0, 1)),
    case(py.b_max_three, 0.3, 0.9, -0.4, wrt=(0, 1, 2)),
    case(py.b_max_list, 0.3, 0.8, wrt=(0, 1)), case(py.b_max_array, V4),
    case(py.b_pow, 1.7, 2.5, wrt=(0, 1)), case(b_pow_array, V4),
    case(py.b_float, 1.7, autograd=False), case(py.b_int_input, 3),
]


# --- math -----------------------------------------------------------------------------------


def m_fsum(a, b):
    return math.fsum([a, a * b, b]) * a


MATH = [
    case(py.m_exp, 0.3), case(py.m_exp2, 0.3), case(py.m_expm1, 0.3), case(py.m_log, 1.3), case(py.m_log2, 1.3),
    case(py.m_log10, 1.3), case(py.m_log1p, 1.3), case(py.m_sqrt, 1.3), case(py.m_cbrt, 1.3),
    case(py.m_pow, 1.3, 2.2, wrt=(0, 1)), case(py.m_sin, 0.3), case(py.m_cos, 0.3), case(py.m_tan, 0.3),
    case(py.m_asin, 0.3), case(py.m_acos, 0.3), case(py.m_atan, 0.3), case(py.m_atan2, 0.3, -0.7, wrt=(0, 1)),
    case(py.m_sinh, 0.3), case(py.m_cosh, 0.3), case(py.m_tanh, 0.3), case(py.m_asinh, 0.3),
    case(py.m_acosh, 1.3), case(py.m_atanh, 0.3), case(py.m_hypot, 0.3, -0.7, 2.0, wrt=(0, 1, 2)),
    case(py.m_fabs, -0.3), case(py.m_copysign, 0.3), case(py.m_fmod, 5.3, 2.0, wrt=(0, 1)),
    case(py.m_degrees_radians, 0.3), case(py.m_erf, 0.3), case(m_fsum, 0.3, 1.7, wrt=(0, 1)),
    case(py.m_from_import, 0.3), case(py.m_integer_input, 2),
]
MATH = [pytest.param(*p.values[:3], False, id=p.id) for p in MATH]  # autograd can't trace math


# --- non-differentiable: zero gradient, no error --------------------------------------------


def n_len(x):
    return np.sum(x) * len(x)


NONDIFFERENTIABLE = [
    case(n_len, A34), case(py.n_range, 0.7), case(py.n_int_round, 2.7, autograd=False),
    case(py.n_isinstance, 2.7, autograd=False), case(py.n_math_rounding, 2.7, autograd=False),
    case(py.n_math_predicates, 2.7, autograd=False), case(py.n_math_integers, 2.7),
]


def test_nondifferentiable_output_gives_zero_gradient():
    gradient = tangent_lsp.grad(py.n_only_int)(2.7)
    assert np.shape(gradient) == ()
    assert np.issubdtype(np.asarray(gradient).dtype, np.floating)
    assert gradient == 0.0


@pytest.mark.parametrize("function, args, wrt, autograd", BUILTINS + MATH + NONDIFFERENTIABLE)
def test_rule(function, args, wrt, autograd):
    assert_gradients_match(function, args, wrt=wrt, autograd=autograd)
