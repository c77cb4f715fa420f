"""Every NumPy reverse rule, differentiated through the engine and checked numerically.

Each case is ``(id, function, args, wrt)``: ``function`` is an ordinary
module-level ``def`` written with NumPy, ``args`` its arguments (kept inside
the function's domain and away from kinks and ties), ``wrt`` the argument
indices to differentiate. The oracle compares ``tangent_lsp.grad`` with finite
differences and autograd. Results are weighted (``W34``, ``np.cos(...)``) so
the incoming adjoint of each rule is not uniform.
"""

import numpy
import numpy as np
import numpy.linalg as la
import pytest
from numpy import exp
from numpy import tanh as th
from numpy.linalg import inv

import tangent_lsp
from tests.oracle import assert_gradients_match

from tests.engine.arrays import (  # noqa: F401  (shared inputs)
    A34, B34, C31, V4, V3, X234, Y245, M45, P34, Q34, U34, G34, S33, S233, INT34, IDX, EDGES, NEAR0,
)
from tests.engine import odd_shapes
rng = np.random.default_rng(1)  # this module's own draws (weights below)

W34 = rng.standard_normal((3, 4))  # non-differentiated weights
W4 = rng.standard_normal(4)
W5 = np.arange(1.0, 6.0) / 5.0
W3 = rng.standard_normal(3)
W234 = rng.standard_normal((2, 3, 4))
W12 = rng.standard_normal(12)
W26 = np.reshape(W12, (2, 6))
W62 = np.reshape(W12, (6, 2))


def case(function, *args, wrt=(0,), autograd=True, rtol=1e-5, atol=1e-7):
    return pytest.param(function, args, wrt, autograd, rtol, atol, id=function.__name__)


# --- elementwise, one argument ----------------------------------------------------------


def f_negative(x):
    return np.sum(np.negative(x) * W34)


def f_positive(x):
    return np.sum(np.positive(x) * W34)


def f_abs(x):
    return np.sum(np.abs(x) * W34)


def f_absolute(x):
    return np.sum(np.absolute(x) * W34)


def f_fabs(x):
    return np.sum(np.fabs(x) * W34)


def f_exp(x):
    return np.sum(np.exp(x) * W34)


def f_exp2(x):
    return np.sum(np.exp2(x) * W34)


def f_expm1(x):
    return np.sum(np.expm1(x) * W34)


def f_log(x):
    return np.sum(np.log(x) * W34)


def f_log2(x):
    return np.sum(np.log2(x) * W34)


def f_log10(x):
    return np.sum(np.log10(x) * W34)


def f_log1p(x):
    return np.sum(np.log1p(x) * W34)


def f_sqrt(x):
    return np.sum(np.sqrt(x) * W34)


def f_cbrt(x):
    return np.sum(np.cbrt(x) * W34)


def f_square(x):
    return np.sum(np.square(x) * W34)


def f_reciprocal(x):
    return np.sum(np.reciprocal(x) * W34)


def f_sin(x):
    return np.sum(np.sin(x) * W34)


def f_cos(x):
    return np.sum(np.cos(x) * W34)


def f_tan(x):
    return np.sum(np.tan(x) * W34)


def f_arcsin(x):
    return np.sum(np.arcsin(x) * W34)


def f_arccos(x):
    return np.sum(np.arccos(x) * W34)


def f_arctan(x):
    return np.sum(np.arctan(x) * W34)


def f_sinh(x):
    return np.sum(np.sinh(x) * W34)


def f_cosh(x):
    return np.sum(np.cosh(x) * W34)


def f_tanh(x):
    return np.sum(np.tanh(x) * W34)


def f_arcsinh(x):
    return np.sum(np.arcsinh(x) * W34)


def f_arccosh(x):
    return np.sum(np.arccosh(x) * W34)


def f_arctanh(x):
    return np.sum(np.arctanh(x) * W34)


def f_deg2rad(x):
    return np.sum(np.deg2rad(x) * W34)


def f_rad2deg(x):
    return np.sum(np.rad2deg(x) * W34)


def f_radians_degrees(x):
    return np.sum(np.radians(x) * np.degrees(x) * W34)


def f_sinc(x):
    return np.sum(np.sinc(x) * W34)


def f_unary_operators(x):
    return np.sum(-x * W34 + (+x))


UNARY = [
    case(f_negative, A34), case(f_positive, A34, autograd=False), case(f_abs, A34), case(f_absolute, A34),
    case(f_fabs, A34), case(f_exp, A34), case(f_exp2, A34), case(f_expm1, A34),
    case(f_log, P34), case(f_log2, P34), case(f_log10, P34), case(f_log1p, P34),
    case(f_sqrt, P34), case(f_cbrt, P34, autograd=False), case(f_square, A34),
    case(f_reciprocal, P34), case(f_sin, A34), case(f_cos, A34), case(f_tan, U34),
    case(f_arcsin, U34), case(f_arccos, U34), case(f_arctan, A34), case(f_sinh, A34),
    case(f_cosh, A34), case(f_tanh, A34), case(f_arcsinh, A34), case(f_arccosh, G34),
    case(f_arctanh, U34), case(f_deg2rad, A34), case(f_rad2deg, A34),
    case(f_radians_degrees, A34), case(f_sinc, A34), case(f_sinc, NEAR0, autograd=False), case(f_unary_operators, A34, autograd=False),
]


# --- elementwise, two arguments, with broadcasting in both directions ---------------------


def f_add(a, b):
    return np.sum(np.cos(np.add(a, b)))


def f_subtract(a, b):
    return np.sum(np.cos(np.subtract(a, b)))


def f_multiply(a, b):
    return np.sum(np.cos(np.multiply(a, b)))


def f_divide(a, b):
    return np.sum(np.cos(np.divide(a, b)))


def f_true_divide(a, b):
    return np.sum(np.cos(np.true_divide(a, b)))


def f_power(a, b):
    return np.sum(np.cos(np.power(a, b)))


def f_maximum(a, b):
    return np.sum(np.cos(np.maximum(a, b)))


def f_minimum(a, b):
    return np.sum(np.cos(np.minimum(a, b)))


def f_fmax(a, b):
    return np.sum(np.cos(np.fmax(a, b)))


def f_fmin(a, b):
    return np.sum(np.cos(np.fmin(a, b)))


def f_arctan2(a, b):
    return np.sum(np.cos(np.arctan2(a, b)))


def f_hypot(a, b):
    return np.sum(np.cos(np.hypot(a, b)))


def f_logaddexp(a, b):
    return np.sum(np.cos(np.logaddexp(a, b)))


def f_logaddexp2(a, b):
    return np.sum(np.cos(np.logaddexp2(a, b)))


def f_mod(a, b):
    return np.sum(np.cos(np.mod(3.0 * a, b)))


def f_fmod(a, b):
    return np.sum(np.cos(np.fmod(3.0 * a, b)))


def f_operators(a, b):
    return np.sum(np.cos(a + b) + (a - b) * (a * b) - a / b + a ** b)


def f_operator_mod(a, b):
    return np.sum(np.cos((3.0 * a) % b))


BINARY_FUNCTIONS = [
    f_add, f_subtract, f_multiply, f_divide, f_true_divide, f_power, f_maximum, f_minimum,
    f_fmax, f_fmin, f_arctan2, f_hypot, f_logaddexp, f_logaddexp2, f_mod, f_fmod,
    f_operators, f_operator_mod,
]
NO_AUTOGRAD = {f_fmax, f_fmin, f_fmod, f_logaddexp2}  # autograd has no rule for these
SHAPES = {  # positive values, so every function above is smooth here
    "array-scalar": (P34, 1.5),
    "scalar-array": (1.5, P34),
    "(3,1)-(1,4)": (P34[:, :1], Q34[:1] + 0.1),
    "(4,)-(3,4)": (Q34[0], P34),
    "(3,4)-(4,)": (P34, Q34[0]),
    "(3,4)-(3,4)": (P34, Q34),
}


def b_power_zero_exponent(x):  # polynomial features at 0: x ** 0 has slope 0 there
    return np.sum(W3[0] * x ** np.arange(4) + np.power(x, 0.0) + pow(x, np.arange(4)))


def b_list_operands(a, b):  # NumPy reads a list of values as an array
    return np.sum(np.multiply([a, b], 2) * np.power([a, b], 3) + np.arctan2([a, b], 1.0)
            + np.sort([a, b * 0.5], axis=0) + np.subtract(1.0, (a, b)) + np.power(a, [2.0, 3.0, 1.0])
            + np.multiply([v * 2 for v in b], 2.0))


ZERO_AND_MORE = np.array([0.0, 0.0, 1.3, -0.7])


BINARY = [
    pytest.param(f, args, (0, 1), f not in NO_AUTOGRAD, 1e-5, 1e-7, id=f"{f.__name__}-{shape}")
    for f in BINARY_FUNCTIONS
    for shape, args in SHAPES.items()
]
BINARY += [case(b_power_zero_exponent, ZERO_AND_MORE), case(b_list_operands, V3, V3 * 0.5 + 0.2, wrt=(0, 1), autograd=False)]


def f_copysign(a):
    return np.sum(np.copysign(a, B34) * W34)


def f_where(a, b):
    return np.sum(np.cos(np.where(A34 > 0, a, b)))


def f_where_scalar(a, b):
    return np.sum(np.cos(np.where(A34 > 0, a, b)))


def f_clip(a, lo, hi):
    return np.sum(np.clip(a, lo, hi) * W34)


def f_clip_none(a, hi):
    return np.sum(np.clip(a, None, hi) * W34)


def f_clip_keywords(a):
    return np.sum(np.clip(a, min=-0.5, max=0.5) * W34)


def f_clip_method(a, lo):
    return np.sum(a.clip(lo, 0.5) * W34)


def f_masks(x):  # `&`, `|` and `~` of comparisons: masks carry no derivative
    inside = (x > -0.5) & (x < 0.5)
    return np.sum(x * x * inside * W34 + np.sin(x) * ((x < -1.0) | ~(x < 1.0)))


ELEMENTWISE = [
    case(f_copysign, A34, autograd=False), case(f_masks, A34),
    case(f_where, A34, B34, wrt=(0, 1)),
    case(f_where, V4, 2.0, wrt=(0, 1), autograd=False),
    pytest.param(f_where_scalar, (C31, 0.5), (0, 1), False, 1e-5, 1e-7, id="f_where-(3,1)-scalar"),
    case(f_clip, A34, -0.5, 0.5, wrt=(0, 1, 2), autograd=False),
    pytest.param(f_clip, (A34, V4 * 0.3 - 0.5, 0.6), (0, 1, 2), False, 1e-5, 1e-7, id="f_clip-array-bounds"),
    case(f_clip_none, A34, 0.3, wrt=(0, 1), autograd=False),
    case(f_clip_keywords, A34, autograd=False),
    case(f_clip_method, A34, -0.4, wrt=(0, 1), autograd=False),
]


# --- reductions ------------------------------------------------------------------------------


def r_sum(x, axis, keepdims):
    return np.sum(np.cos(np.sum(x, axis=axis, keepdims=keepdims)))


def r_mean(x, axis, keepdims):
    return np.sum(np.cos(np.mean(x, axis=axis, keepdims=keepdims)))


def r_prod(x, axis, keepdims):
    return np.sum(np.cos(np.prod(x, axis=axis, keepdims=keepdims)))


def r_max(x, axis, keepdims):
    return np.sum(np.cos(np.max(x, axis=axis, keepdims=keepdims)))


def r_min(x, axis, keepdims):
    return np.sum(np.cos(np.min(x, axis=axis, keepdims=keepdims)))


def r_amax(x, axis, keepdims):
    return np.sum(np.cos(np.amax(x, axis=axis, keepdims=keepdims)))


def r_amin(x, axis, keepdims):
    return np.sum(np.cos(np.amin(x, axis=axis, keepdims=keepdims)))


def r_var(x, axis, keepdims):
    return np.sum(np.cos(np.var(x, axis=axis, keepdims=keepdims)))


def r_std(x, axis, keepdims):
    return np.sum(np.cos(np.std(x, axis=axis, keepdims=keepdims)))


def r_nansum(x, axis, keepdims):
    return np.sum(np.cos(np.nansum(x, axis=axis, keepdims=keepdims)))


def r_nanmean(x, axis, keepdims):
    return np.sum(np.cos(np.nanmean(x, axis=axis, keepdims=keepdims)))


def nanmean_with_nan(x):  # the nan entries are constants: the others share each mean
    return np.sum(np.cos(np.nanmean(np.where(A34 > 1.0, np.nan, x), axis=1)))


REDUCTIONS = [
    pytest.param(r, (X234, axis, keepdims), (0,), r not in (r_nansum, r_nanmean), 1e-5, 1e-7,
                 id=f"{r.__name__}-axis={axis}-keepdims={keepdims}")
    for r in [r_sum, r_mean, r_prod, r_max, r_min, r_amax, r_amin, r_var, r_std, r_nansum,
              r_nanmean]
    for axis in [None, 0, 1, -1, (0, 2)]
    for keepdims in [False, True]
]


def sum_keepdims(x):
    return np.sum(np.sum(x, axis=1, keepdims=True) * W34)


def sum_positional_axis(x):
    return np.sum(np.sum(x, 0) * W4)


def mean_all_positional(x):  # axis, dtype, out, keepdims: autograd's mean takes two
    y = x * x
    return np.sum(np.mean(y, 0, None, None, True) * y)


def max_all_positional(x):  # axis, out, keepdims
    return np.sum(np.max(x, 1, None, True) * W34)


def var_all_positional(x):  # axis, dtype, out, ddof, keepdims
    return np.sum(np.var(x, 0, None, None, 1, True) * W34)


def mean_of_square(x):
    return np.mean(x * x)


def var_ddof(x):
    return np.sum(np.var(x, axis=1, ddof=1) * W3)


def std_ddof(x):
    return np.std(x, ddof=1)


def prod_with_zeros(x):
    return np.sum(np.prod(x * (np.abs(x) > 0.5), axis=0) * W4)


def cumsum_flat(x):
    return np.sum(np.cumsum(x) * W12)


def cumsum_axis(x):
    return np.sum(np.cumsum(x, axis=1) * W34)


def cumsum_axis0(x):
    return np.sum(np.cumsum(x, axis=0) * W34)


def cumprod_flat(x):
    return np.sum(np.cumprod(x) * W12)


def cumprod_axis(x):
    return np.sum(np.cumprod(x, axis=-1) * W34)


def trace_plain(x):
    return np.trace(x) ** 2


def trace_offset(x):
    return np.trace(x, offset=1) ** 2


def trace_axes(x):
    return np.sum(np.trace(x, 1, 1, 2) * W4[:2])


def sum_of_integers(x):
    return np.sum(np.sum(x, axis=0) * W4)


def logsumexp_stable(x):
    m = np.max(x, axis=1, keepdims=True)
    return np.sum(np.log(np.sum(np.exp(x - m), axis=1)) + m[:, 0])


REDUCTION_FORMS = [
    case(sum_keepdims, A34), case(sum_positional_axis, A34), case(mean_of_square, A34),
    case(mean_all_positional, A34, autograd=False), case(max_all_positional, A34, autograd=False),
    case(var_all_positional, A34, autograd=False),
    case(var_ddof, A34), case(std_ddof, A34), case(prod_with_zeros, A34, autograd=False),
    case(cumsum_flat, A34), case(cumsum_axis, A34), case(cumsum_axis0, A34),
    case(cumprod_flat, P34, autograd=False), case(cumprod_axis, P34, autograd=False),
    case(trace_plain, S33), case(trace_offset, A34), case(trace_axes, X234, autograd=False),
    case(sum_of_integers, INT34), case(logsumexp_stable, A34),
]


# --- methods and attributes ------------------------------------------------------------------


def m_sum(x):
    return np.sum(x.sum(axis=0) * W4)


def m_sum_all(x):
    return x.sum() ** 2


def m_mean(x):
    return np.sum(x.mean(1) * W3)


def m_prod(x):
    return x.prod()


def m_max(x):
    return np.sum(x.max(axis=1) * W3)


def m_min(x):
    return np.sum(x.min(0) * W4)


def m_var(x):
    return np.sum(x.var(axis=0, ddof=1) * W4)


def m_std(x):
    return x.std()


def m_cumsum(x):
    return np.sum(x.cumsum(axis=1) * W34)


def m_cumprod(x):
    return np.sum(x.cumprod() * W12)


def m_dot(x, w):
    return np.sum(np.cos(x.dot(w)))


def m_reshape_varargs(x):
    return np.sum(x.reshape(2, 6) * W26)


def m_reshape_tuple(x):
    return np.sum(x.reshape((6, 2)) * W62)


def m_reshape_flat(x):
    return np.sum(x.reshape(-1) * W12)


def m_transpose(x):
    return np.sum(x.transpose() * W34.T)


def m_transpose_axes(x):
    return np.sum(x.transpose(1, 2, 0) * np.transpose(W234, (1, 2, 0)))


def m_T(x):
    return np.sum(x.T * W34.T)


def m_T_matmul(x):
    return np.sum((x.T @ x) * np.eye(4))


def m_ravel(x):
    return np.sum(x.ravel() * W12)


def m_flatten(x):
    return np.sum(x.flatten() * W12)


def m_squeeze(x):
    return np.sum(x.squeeze() * W4)


def m_swapaxes(x):
    return np.sum(x.swapaxes(0, 2) * np.swapaxes(W234, 0, 2))


def m_clip(x):
    return np.sum(x.clip(-0.5, 0.5) * W34)


def m_astype(x):
    return np.sum(x.astype(float) * W34)


def m_copy(x):
    return np.sum(x.copy() * W34)


def m_trace(x):
    return x.trace() ** 2


def m_diagonal(x):
    return np.sum(x.diagonal() * W3)


def m_take(x):
    return np.sum(x.take(IDX) * W4)


def m_repeat(x):
    return np.sum(np.cos(x.repeat(2, axis=0)))


METHODS = [
    case(m_sum, A34), case(m_sum_all, A34), case(m_mean, A34), case(m_prod, P34),
    case(m_max, A34), case(m_min, A34), case(m_var, A34), case(m_std, A34),
    case(m_cumsum, A34), case(m_cumprod, P34, autograd=False), case(m_dot, A34, M45[:, :3], wrt=(0, 1), autograd=False),
    case(m_reshape_varargs, A34), case(m_reshape_tuple, A34), case(m_reshape_flat, A34),
    case(m_transpose, A34), case(m_transpose_axes, X234, autograd=False), case(m_T, A34),
    case(m_T_matmul, A34), case(m_ravel, A34), case(m_flatten, A34),
    case(m_squeeze, A34[:1]), case(m_swapaxes, X234), case(m_clip, A34),
    case(m_astype, A34), case(m_copy, A34, autograd=False), case(m_trace, A34), case(m_diagonal, A34, autograd=False),
    case(m_take, A34, autograd=False), case(m_repeat, A34),
]


def r_std_of_one(x):  # a single element per row: std is 0 there, and so is its slope
    return np.sum(np.std(x, axis=1) + x[:, 0] * np.var(x, axis=1))



METHODS += [case(r_std_of_one, A34[:, :1])]


# --- products -----------------------------------------------------------------------------------


def p_dot(a, b):
    return np.sum(np.cos(np.dot(a, b)))


def p_matmul(a, b):
    return np.sum(np.cos(np.matmul(a, b)))


def p_matmul_operator(a, b):
    return np.sum(np.cos(a @ b))


def p_outer(a, b):
    return np.sum(np.cos(np.outer(a, b)))


def p_cross(a, b):
    return np.sum(np.sin(np.cross(a, b)))


def p_inner(a, b):
    return np.sum(np.cos(np.inner(a, b)))


def p_vdot(a, b):
    return np.vdot(a, b) ** 2


def p_tensordot(a, b):
    return np.sum(np.cos(np.tensordot(a, b)))


def p_tensordot_axes(a, b):
    return np.sum(np.cos(np.tensordot(a, b, axes=([1, 2], [1, 0]))))


def p_tensordot_1(a, b):
    return np.sum(np.cos(np.tensordot(a, b, 1)))


def pair(function, a, b, autograd=True, name=""):
    label = f"{function.__name__}-{np.shape(a)}-{np.shape(b)}{name}"
    return pytest.param(function, (a, b), (0, 1), autograd, 1e-5, 1e-7, id=label)


PRODUCTS = [
    pair(p_dot, A34, M45), pair(p_dot, A34, V4), pair(p_dot, V3, A34), pair(p_dot, V4, V4),
    pair(p_dot, 2.0, A34), pair(p_dot, X234, M45), pair(p_dot, X234, V4),
    pair(p_dot, X234, rng.standard_normal((5, 4, 2))),
    pair(p_matmul, A34, M45), pair(p_matmul, A34, V4), pair(p_matmul, V3, A34),
    pair(p_matmul, V4, V4), pair(p_matmul, X234, Y245), pair(p_matmul, X234, M45),
    pair(p_matmul, V3, X234), pair(p_matmul, rng.standard_normal((3, 1, 2, 4)), Y245),
    pair(p_matmul, rng.standard_normal((1, 4)), rng.standard_normal((3, 4, 2))),
    pair(p_matmul_operator, A34, M45), pair(p_matmul_operator, X234, V4),
    pair(p_outer, V4, V3), pair(p_outer, A34, V3, autograd=False),
    pair(p_cross, V3, V3[::-1] * 2.0),
    pair(p_cross, A34[:, :3], V3, autograd=False),  # rows x one vector: autograd keeps b (3, 3)
    pair(p_inner, V4, V4), pair(p_inner, A34, V4), pair(p_inner, A34, M45.T),
    pair(p_inner, X234, A34), pair(p_inner, 2.0, A34),
    pair(p_vdot, A34, W12, autograd=False),
    pair(p_tensordot, X234, rng.standard_normal((3, 4, 5))),
    pair(p_tensordot_axes, X234, rng.standard_normal((4, 3))),
    pair(p_tensordot_1, A34, M45),
]


def e_matmul(a, b):
    return np.sum(np.cos(np.einsum("ij,jk->ik", a, b)))


def e_implicit(a, b):
    return np.sum(np.cos(np.einsum("ij,jk", a, b)))


def e_batch(a, b):
    return np.sum(np.cos(np.einsum("bij,bjk->bik", a, b)))


def e_ellipsis(a, b):
    return np.sum(np.cos(np.einsum("...ij,...jk->...ik", a, b)))


def e_ellipsis_broadcast(a, b):
    return np.sum(np.cos(np.einsum("...i,...i->...", a, b)))


def e_diagonal(a):
    return np.sum(np.einsum("ii->i", a) * W3)


def e_trace(a):
    return np.einsum("ii", a) ** 2


def e_row_sums(a):
    return np.sum(np.einsum("ij->i", a) * W3)


def e_outer(a, b):
    return np.sum(np.cos(np.einsum("i,j->ij", a, b)))


def e_three(a, b, c):
    return np.sum(np.cos(np.einsum("ab,bc,cd->ad", a, b, c)))


def e_hadamard(a, b):
    return np.sum(np.einsum("ij,ij->ij", a, b) * W34)


def e_optimized(a, b, c):  # a contraction order chosen by NumPy: the same values
    return np.sum(np.cos(np.einsum("ab,bc,cd->ad", a, b, c, optimize=True)))


EINSUM = [
    pair(e_matmul, A34, M45), pair(e_implicit, A34, M45), pair(e_batch, X234, Y245),
    pair(e_ellipsis, X234, Y245), pair(e_ellipsis_broadcast, rng.standard_normal((3, 1, 4)), A34[:2]),
    case(e_diagonal, S33, autograd=False), case(e_trace, S33, autograd=False), case(e_row_sums, A34),
    pair(e_outer, V4, V3), pair(e_hadamard, A34, B34),
    case(e_three, A34[:2, :3], S33, A34[:, :2], wrt=(0, 1, 2)),
    case(e_optimized, A34[:2, :3], S33, A34[:, :2], wrt=(0, 1, 2)),
]


# --- shapes, joins and copies ---------------------------------------------------------------------


def s_transpose(x):
    return np.sum(np.transpose(x) * W34.T)


def s_transpose_axes(x):
    return np.sum(np.transpose(x, (1, 2, 0)) * np.transpose(W234, (1, 2, 0)))


def s_swapaxes(x):
    return np.sum(np.swapaxes(x, 0, 2) * np.swapaxes(W234, 0, 2))


def s_moveaxis(x):
    return np.sum(np.moveaxis(x, 0, -1) * np.moveaxis(W234, 0, -1))


def s_reshape(x):
    return np.sum(np.reshape(x, (2, 6)) * W26)


def s_reshape_fortran(x):
    return np.sum(np.reshape(x, (6, 2), order="F") * W62)


def s_ravel(x):
    return np.sum(np.ravel(x) * W12)


def s_squeeze(x):
    return np.sum(np.squeeze(x) * W4)


def s_expand_dims(x):
    return np.sum(np.expand_dims(x, 1) * W34[:, None, :])


def s_atleast_1d(x):
    return np.sum(np.atleast_1d(x) * W4[:1])


def s_atleast_2d(x):
    return np.sum(np.atleast_2d(x) * W4)


def s_atleast_3d(x):
    return np.sum(np.atleast_3d(x) * W34[:, :, None])


def s_atleast_indexed(a, b):  # several arrays give a list: read by position, not unpacked
    pair = np.atleast_2d(a, b)
    return np.sum(pair[0] * np.sin(pair[1]).T)


def s_broadcast_to(x):
    return np.sum(np.broadcast_to(x, (3, 4)) * W34)


def s_tile(x):
    return np.sum(np.cos(np.tile(x, (2, 1, 2))))


def s_repeat(x):
    return np.sum(np.cos(np.repeat(x, 2)))


def s_repeat_axis(x):
    return np.sum(np.cos(np.repeat(x, [1, 0, 3], axis=0)))


def s_flip(x):
    return np.sum(np.flip(x) * W34)


def s_flip_axis(x):
    return np.sum(np.flip(x, 1) * W34)


def s_fliplr_flipud(x):
    return np.sum((np.fliplr(x) + 2.0 * np.flipud(x)) * W34)


def s_rot90(x):
    return np.sum(np.rot90(x) * W34.T)


def s_roll(x):
    return np.sum(np.roll(x, 2, axis=1) * W34)


def s_diag_vector(x):
    return np.sum(np.diag(x, 1) * np.ones((5, 5)) * np.arange(5))


def s_diag_matrix(x):
    return np.sum(np.diag(x) * W3)


def s_diagonal(x):
    return np.sum(np.diagonal(x, 1, 1, 2) * W3[None, :3])


def s_triu(x):
    return np.sum(np.triu(x) * W34)


def s_tril(x):
    return np.sum(np.tril(x, -1) * W34)


def s_array_of_scalars(a, b):
    return np.sum(np.array([a * b, a, 2.0]) * W3)


def s_array_of_arrays(a, b):
    return np.sum(np.cos(np.array([a, b])))


def s_asarray(x):
    return np.sum(np.asarray(x) * W34)


def s_float64(x):  # a float scalar of an element, then an array of an array
    return np.float64(x[0, 1]) * np.sum(np.float64(x) * W34) + np.float64(x[1, 2]) * x[2, 0]


def s_float64_list(a, b):
    return np.sum(np.float64([a, b * a]) ** 2)


def ufunc_reduce(x):  # axis 0 by default (np.sum's is None), an axis, all, kept dims
    return (np.sum(np.cos(np.add.reduce(x)) * W34) + np.sum(np.sin(np.multiply.reduce(x, 1)))
            + np.sum(np.add.reduce(x, axis=None) * np.multiply.reduce(x, axis=2, keepdims=True)))


def s_copy(x):
    return np.sum(np.copy(x) * W34)


def s_concatenate(a, b):
    return np.sum(np.cos(np.concatenate([a, b])))


def s_split(a):  # pieces unpacked
    left, right = np.split(a, 2, axis=1)
    return np.sum(np.sin(left) * right)


def s_array_split(a):  # pieces of different shapes, iterated
    total = 0.0
    for piece in np.array_split(a, 3, axis=1):
        total = total + np.sum(np.tanh(piece)) * piece.shape[1]
    return total


def s_concatenate_axis(a, b):
    return np.sum(np.cos(np.concatenate((a, b), axis=1)))


def s_stack(a, b):
    return np.sum(np.cos(np.stack([a, b, a])))


def s_stack_last(a, b):
    return np.sum(np.cos(np.stack([a, b], axis=-1)))


def s_vstack(a, b):
    return np.sum(np.cos(np.vstack([a, b])))


def s_column_stack(a, b, c):
    return np.sum(np.cos(np.column_stack([a, b, c])))


def s_hstack(a, b):
    return np.sum(np.cos(np.hstack([a, b])))


def s_sort(x):
    return np.sum(np.sort(x) * W34)


def s_sort_axis(x):
    return np.sum(np.sort(x, axis=0) * W34)


def s_sort_flat(x):
    return np.sum(np.sort(x, axis=None) * W12)


def s_take(x):
    return np.sum(np.take(x, IDX) * W4)


def s_take_axis(x):
    return np.sum(np.take(x, IDX, axis=1) * W34)


BINS = np.array([0, 2, 2, 1, 0, 2, 3, 3, 1, 0, 2, 2])  # hunt 52: a zero gradient before


def s_bincount_weights(x):
    return np.sum(np.bincount(BINS, weights=x.ravel(), minlength=5) ** 2 * W5)


ALONG = np.array([[0, 2, 2, 1], [3, 3, 0, 1], [1, 0, 2, 2]])  # repeated indices along rows


def s_take_along_rows(x):
    return np.sum(np.take_along_axis(x, ALONG, axis=1) * W34)


def s_take_along_a_broadcast_column(x):
    return np.sum(np.take_along_axis(x[:, :1], ALONG % 3, axis=0) * W34)


def s_take_along_flat(x):
    return np.sum(np.take_along_axis(x.ravel(), ALONG.ravel(), axis=None) * W12)


def s_diff(x):
    return np.sum(np.diff(x) * W34[:, :3])


def s_pad(x):  # zeros around: the middle of the gradient
    return np.sum(np.cos(np.pad(x, 1)))


def s_pad_pairs(x):
    return np.sum(np.sin(np.pad(x, ((1, 2), (0, 3)), constant_values=2.0)))


def s_pad_vector(x):  # a padded signal read by a sliding product
    y = np.pad(x, (2, 1))
    return np.sum(y[1:] * y[:-1]) + np.sum(y ** 3)


def s_pad_edge(x):  # the border copies edge elements: their gradients add up
    return np.sum(np.cos(np.pad(x, 2, mode="edge")))


def s_pad_reflect(x):
    return np.sum(np.sin(np.pad(x, ((2, 1), (3, 0)), "reflect")))


def s_pad_symmetric(x):
    return np.sum(np.sin(np.pad(x, (1, 2), mode="symmetric")))


def s_pad_values(x, c):  # the padding values are differentiated too
    return np.sum(np.sin(np.pad(x, ((1, 2), (0, 1)), constant_values=c)))


def s_pad_by_mean(x):
    return np.sum(np.pad(x, 1, constant_values=np.mean(x)) ** 2)


def c_convolve(x, k):
    return np.sum(np.sin(np.convolve(x, k)))


def c_convolve_same(x, k):  # a kernel longer than the signal, too
    return np.sum(np.convolve(x, k, mode="same") ** 2) + np.sum(np.convolve(k, x, "same") * W3[0])


def c_convolve_valid(x, k):
    return np.sum(np.tanh(np.convolve(x, k, "valid")))


def c_correlate(x, k):  # 'valid' by default, unlike np.convolve
    return np.sum(np.sin(np.correlate(x, k)))


def c_correlate_same(x, k):  # 'same' centres on the longer argument
    return np.sum(np.correlate(x, k, "same") ** 2)


def c_correlate_full(x, k):
    return np.sum(np.tanh(np.correlate(x, k, mode="full")))


def s_windows(x):  # overlapping windows of a vector
    return np.sum(np.tanh(np.lib.stride_tricks.sliding_window_view(x, 3) @ W3))


def s_windows_2d(x):
    return np.sum(np.sin(np.lib.stride_tricks.sliding_window_view(x, (2, 3)) * W34[:2, :3]))


def s_windows_axis(x):
    return np.sum(np.cos(np.lib.stride_tricks.sliding_window_view(x, 2, axis=0)))


def s_pad_wrap(x):  # wider than the array: copies of copies
    return np.sum(np.sin(np.pad(x, 5, mode="wrap")))


def s_diff_twice(x):
    return np.sum(np.diff(x, n=2, axis=0) * W4)


SHAPES_CASES = [
    case(s_transpose, A34), case(s_transpose_axes, X234), case(s_swapaxes, X234),
    case(s_moveaxis, X234), case(s_reshape, A34), case(s_reshape_fortran, A34),
    case(s_ravel, A34), case(s_squeeze, A34[:1]), case(s_expand_dims, A34),
    case(s_atleast_1d, 1.5), case(s_atleast_2d, V4), case(s_atleast_3d, A34),
    case(s_atleast_indexed, V3, C31, wrt=(0, 1), autograd=False),
    case(s_broadcast_to, V4, autograd=False), case(s_broadcast_to, C31), case(s_tile, A34),
    case(s_repeat, A34), case(s_repeat_axis, A34, autograd=False), case(s_flip, A34, autograd=False),
    case(s_flip_axis, A34, autograd=False),
    case(s_fliplr_flipud, A34), case(s_rot90, A34), case(s_roll, A34),
    case(s_diag_vector, V4), case(s_diag_matrix, A34, autograd=False), case(s_diagonal, X234, autograd=False),
    case(s_triu, A34), case(s_tril, A34),
    case(s_array_of_scalars, 1.5, -0.5, wrt=(0, 1)), case(s_array_of_arrays, V4, V4 + 1.0, wrt=(0, 1)),
    case(s_asarray, A34, autograd=False), case(s_copy, A34, autograd=False),
    case(s_float64, A34, autograd=False), case(s_float64_list, 0.3, 1.7, wrt=(0, 1), autograd=False),
    case(ufunc_reduce, X234, autograd=False),
    case(nanmean_with_nan, A34, autograd=False),
    case(s_split, A34), case(s_array_split, A34),
    case(s_concatenate, A34, B34[:2], wrt=(0, 1)), case(s_concatenate_axis, A34, C31, wrt=(0, 1)),
    case(s_stack, V4, W4, wrt=(0, 1)), case(s_stack_last, A34, B34, wrt=(0, 1)),
    case(s_column_stack, V3, A34, C31, wrt=(0, 1, 2)),
    case(s_vstack, A34, V4, wrt=(0, 1)), case(s_hstack, V4, V3, wrt=(0, 1)),
    pytest.param(s_hstack, (A34, C31), (0, 1), True, 1e-5, 1e-7, id="s_hstack-2d"),
    case(s_sort, A34, autograd=False), case(s_sort_axis, A34, autograd=False),
    case(s_sort_flat, A34, autograd=False),
    case(s_take, A34, autograd=False), case(s_take_axis, A34, autograd=False),
    case(s_bincount_weights, A34, autograd=False), case(s_take_along_rows, A34, autograd=False),
    case(s_take_along_a_broadcast_column, A34, autograd=False),
    case(s_take_along_flat, A34, autograd=False), case(s_diff, A34), case(s_diff_twice, A34),
    case(s_pad, A34, autograd=False), case(s_pad_pairs, A34, autograd=False),
    case(s_pad_vector, V4, autograd=False),
    case(s_pad_edge, A34, autograd=False), case(s_pad_reflect, A34, autograd=False),
    case(s_pad_symmetric, A34, autograd=False), case(s_pad_wrap, A34, autograd=False),
    case(s_pad_values, A34, 0.7, wrt=(0, 1), autograd=False),
    case(s_pad_values, A34, np.array([0.5, -1.0]), wrt=(0, 1), autograd=False),
    case(s_pad_values, A34, np.array([[0.5, -1.0], [2.0, 0.3]]), wrt=(0, 1), autograd=False),
    case(s_pad_by_mean, A34, autograd=False),
    # autograd has no rule for np.convolve: finite differences only
    case(c_convolve, V4, V3, wrt=(0, 1), autograd=False),
    case(c_convolve_same, V4, V3, wrt=(0, 1), autograd=False),
    case(c_convolve_same, V3, V4, wrt=(0, 1), autograd=False),
    case(c_convolve_valid, V4, V3, wrt=(0, 1), autograd=False),
    case(c_convolve_valid, V3, V4, wrt=(0, 1), autograd=False),
    case(c_correlate, V4, V3, wrt=(0, 1), autograd=False),
    case(c_correlate, V3, V4, wrt=(0, 1), autograd=False),
    case(c_correlate_same, V4, V3, wrt=(0, 1), autograd=False),
    case(c_correlate_same, V4[:2], V3, wrt=(0, 1), autograd=False),  # an even, shorter x
    case(c_correlate_full, V3, V4, wrt=(0, 1), autograd=False),
    case(s_windows, V4 * 2.0, autograd=False), case(s_windows_2d, A34, autograd=False),
    case(s_windows_axis, A34, autograd=False),
]


# --- linear algebra -------------------------------------------------------------------------------


def l_det(a):
    return np.linalg.det(a)


def l_det_batched(a):
    return np.sum(np.linalg.det(a) * W3[:2])


def l_slogdet(a):
    return np.linalg.slogdet(a)[1]


def l_inv(a):
    return np.sum(np.linalg.inv(a) * W34[:, :3])


def l_inv_batched(a):
    return np.sum(np.cos(np.linalg.inv(a)))


def l_cholesky(a):
    return np.sum(np.linalg.cholesky(a) * W34[:, :3])


def l_cholesky_upper(a):  # U = L.T, read from a's upper triangle
    return np.sum(np.linalg.cholesky(a, upper=True) * W34[:, :3])


def l_cholesky_upper_nonsymmetric(a):  # only the upper triangle gets a gradient
    return np.sum(np.sin(np.linalg.cholesky(a + np.tril(W34[:3, :3], -1), upper=True)))


def l_cholesky_logdet(a):  # a Gaussian's log-determinant, batched
    return np.sum(np.log(np.diagonal(np.linalg.cholesky(a), axis1=-2, axis2=-1)))


SPD33 = S33 @ S33.T + 3.0 * np.eye(3)  # positive definite: Cholesky exists
SPD233 = S233 @ np.swapaxes(S233, -1, -2) + 3.0 * np.eye(3)


def l_eigh(a):  # eigenvectors are defined up to sign: read them through squares
    w, v = np.linalg.eigh(a)
    return np.sum(np.sin(w) * W3) + np.sum(v ** 2 * W34[:, :3])


def l_eigh_linear(a):  # linear in the eigenvalues: their adjoint's tangent is a number
    w, v = np.linalg.eigh(a)
    return np.sum(w * W3) + np.sum(v[:, 1] ** 2)


def l_eigh_upper(a):
    w, v = np.linalg.eigh(a, UPLO="U")
    return np.sum(w * W3) + np.sum(np.abs(v[0]) * W3)


def l_eigh_indexed(a):  # the result indexed, eigenvalues only; a batch
    r = np.linalg.eigh(a)
    return np.sum(r[0] ** 2) + np.sum(r[1][..., 1] ** 2 * W3)


def l_eigvalsh(a, uplo):
    return np.sum(np.exp(np.linalg.eigvalsh(a, uplo)) * W3)


def l_svd(a):  # singular vectors are defined up to sign: read them through squares
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return np.sum(np.sin(s)) + np.sum(u[..., :2] ** 2) * 0.3 + np.sum(vh[..., 0, :] ** 2 * vh[..., 1, :] ** 2)


def l_svd_full(a):  # a full SVD of a square matrix, indexed
    r = np.linalg.svd(a)
    return np.sum(r[1] ** 2) + np.sum(r[0][:, 0] ** 2 * W3)


def l_svd_complement(a):  # a full SVD's other columns: their projector is well defined
    u, s, vh = np.linalg.svd(a)
    k = s.shape[-1]
    q, p = u[:, k:], vh[k:]
    return np.sum(q @ q.T * W34[0, 0]) + np.sum(np.sin(q @ q.T)) + np.sum(np.cos(p.T @ p))


def l_singular_values(a):
    return np.sum(np.exp(np.linalg.svd(a, compute_uv=False)))


def l_pinv(a):
    return np.sum(np.cos(np.linalg.pinv(a)))


def l_qr(a):  # reduced, tall or square (more in test_statistics_rules.py)
    q, r = np.linalg.qr(a)
    return np.sum(np.sin(q)) + np.sum(np.sin(r))


def l_lstsq(a, b):  # a tall, of full rank
    return np.sum(np.sin(np.linalg.lstsq(a, b)[0]))


def e_interp(x, xp, fp):  # two points outside the knots
    return np.sum(np.sin(np.interp(x, xp, fp)))


def e_polyval(p, x):
    return np.sum(np.sin(np.polyval(p, x)))


def e_nan_to_num(x):
    return np.sum(np.sin(np.nan_to_num(x)) * W34)


def l_matrix_power(a, n):
    return np.sum(np.sin(np.linalg.matrix_power(a, n)))


def l_kron(a, b):
    return np.sum(np.sin(np.kron(a, b)))


SYM33 = S33 + S33.T  # eigh reads one triangle; its eigenvalues are distinct
SYM233 = S233 + np.swapaxes(S233, -1, -2)


def l_solve_vector(a, b):
    return np.sum(np.linalg.solve(a, b) * W3)


def l_solve_matrix(a, b):
    return np.sum(np.cos(np.linalg.solve(a, b)))


def l_norm(x):
    return np.linalg.norm(x)


def l_norm_ord(x, ord):
    return np.linalg.norm(x, ord=ord)


def l_norm_axis(x, axis, keepdims):
    return np.sum(np.cos(np.linalg.norm(x, axis=axis, keepdims=keepdims)))


def l_cond(x, p):
    return np.sum(np.linalg.cond(x, p))


def l_norm_matrix_axes(x, ord):
    return np.sum(np.cos(np.linalg.norm(x, ord, (1, 2))))


NORM_ARGS = [
    (V4, 1), (V4, 2), (V4, np.inf), (V4, -np.inf), (V4, 3), (V4, 0.5),
    (A34, "fro"), (A34, "nuc"), (A34, 2), (A34, -2), (A34, 1), (A34, -1), (A34, np.inf), (A34, -np.inf),
]
AUTOGRAD_NORMS = {(1, 2), (1, 3), (2, "fro")}  # autograd gets these right
LINALG = [
    case(l_det, S33), case(l_det_batched, S233), case(l_slogdet, S33 - 8.0 * np.eye(3)),
    case(l_inv, S33), case(l_inv_batched, S233),
    # autograd symmetrizes the gradient; NumPy reads the lower triangle, so it has one
    case(l_cholesky, SPD33, autograd=False), case(l_cholesky_logdet, SPD233, autograd=False),
    case(l_cholesky_upper, SPD33, autograd=False),
    case(l_cholesky_upper_nonsymmetric, SPD33, autograd=False),
    # the same for eigh: one triangle read, and autograd's gradient is symmetric
    case(l_eigh, SYM33, autograd=False), case(l_eigh_linear, SYM33, autograd=False),
    case(l_eigh_upper, SYM33 + 0.5 * np.eye(3), autograd=False),
    case(l_eigh_indexed, SYM233, autograd=False),
    pytest.param(l_eigvalsh, (SYM33, "L"), (0,), False, 1e-5, 1e-7, id="l_eigvalsh-L"),
    pytest.param(l_eigvalsh, (SYM233, "U"), (0,), False, 1e-5, 1e-7, id="l_eigvalsh-U-batched"),
    case(l_pinv, A34), case(l_pinv, A34.T.copy()), case(l_pinv, X234),
    # autograd has no rule for qr, interp or polyval
    case(l_qr, A34.T.copy(), autograd=False), case(l_qr, S33, autograd=False),
    case(l_lstsq, A34.T.copy(), V4, wrt=(0, 1), autograd=False),
    case(e_interp, np.array([-1.7, -0.6, 0.1, 0.9, 1.4, 2.2]), np.array([-1.0, -0.2, 0.5, 1.5]),
         np.array([0.3, -1.0, 2.0, 0.7]), wrt=(0, 1, 2), autograd=False),
    case(e_polyval, V4, A34, wrt=(0, 1), autograd=False), case(e_nan_to_num, A34),
    case(l_svd, A34, autograd=False), case(l_svd, A34.T.copy(), autograd=False),
    case(l_svd, X234, autograd=False), case(l_svd_full, S33, autograd=False),
    case(l_svd_complement, A34.T.copy(), autograd=False), case(l_svd_complement, A34, autograd=False),
    case(l_singular_values, A34), case(l_singular_values, X234),
    # autograd has no rule for matrix_power
    *(pytest.param(l_matrix_power, (S33 / 4.0, n), (0,), False, 1e-5, 1e-7, id=f"l_matrix_power-{n}")
      for n in (0, 1, 3, -2)),
    pytest.param(l_matrix_power, (S233 / 4.0, 2), (0,), False, 1e-5, 1e-7, id="l_matrix_power-batched"),
    case(l_kron, A34[:2, :3], A34[:, :2], wrt=(0, 1)), case(l_kron, V3, A34, wrt=(0, 1)),
    case(l_kron, V3, V4, wrt=(0, 1)),
    case(l_solve_vector, S33, V3, wrt=(0, 1)), case(l_solve_matrix, S33, A34[:, :2], wrt=(0, 1)),
    pytest.param(l_solve_matrix, (S233, rng.standard_normal((2, 3, 2))), (0, 1), True, 1e-5, 1e-7,
                 id="l_solve_batched"),
    case(l_norm, V4), case(l_norm, A34), case(l_norm, X234),
] + [
    pytest.param(l_norm_ord, (x, ord), (0,), (np.ndim(x), ord) in AUTOGRAD_NORMS, 1e-5, 1e-7,
                 id=f"l_norm_ord-{np.ndim(x)}d-{ord}")
    for x, ord in NORM_ARGS
] + [
    pytest.param(l_norm_axis, (x, axis, keepdims), (0,), not keepdims and axis != (1, 2), 1e-5, 1e-7,
                 id=f"l_norm_axis-{np.shape(x)}-{axis}-{keepdims}")
    for x, axis in [(A34, 1), (A34, 0), (X234, -1), (X234, (1, 2))]
    for keepdims in [False, True]
] + [
    pytest.param(l_norm_matrix_axes, (X234, ord), (0,), ord == "fro", 1e-5, 1e-7,
                 id=f"l_norm_matrix_axes-{ord}")
    for ord in ["fro", "nuc", 2, 1, np.inf]
] + [  # (autograd has no rule for cond)
    pytest.param(l_cond, (x, p), (0,), False, 1e-5, 1e-7, id=f"l_cond-{np.shape(x)}-{p}")
    for x, p in [(S33, None), (S233, None), (A34, None), (A34.T.copy(), -2)]
    + [(S33, p) for p in (2, -2, "fro", "nuc", 1, -1, np.inf, -np.inf)]
]


# --- import styles, integer inputs ----------------------------------------------------------------


def from_import(x):
    return np.sum(exp(x) * th(x) * W34)


def module_alias(a):
    return np.sum(la.inv(a) * W34[:, :3]) + la.norm(a)


def from_import_inv(a):
    return np.sum(inv(a) * W34[:, :3])


def full_module_name(x):
    return numpy.sum(numpy.sin(x) * W34)


def integer_array(x):
    return np.sum(np.sin(x) * x + np.exp(x / 10.0))


def integer_broadcast(x):
    return np.sum(x * W4 + x)


def integer_scalar(x):
    return x * x + 2.0 * x


def float_scalar(x):
    return np.sin(x) * np.exp(x) + x ** 3


def numpy2_aliases(x):
    return np.sum((np.acos(x) + np.asin(x) + np.atan(x) + np.pow(x + 2.0, 1.5)
                   + np.float_power(x + 2.0, 0.5)) * W34)


def numpy2_aliases_binary(a, b):
    return np.sum(np.atan2(a, b) * W34 + np.remainder(3.0 * a, b) + np.asinh(a) * np.atanh(a / 3.0))


def numpy2_shape_aliases(x):
    return np.sum(np.permute_dims(x, (1, 0)) * W34.T) + np.sum(x.mT * W34.T) + np.sum(
        np.matrix_transpose(x) * W34.T) + np.sum(np.concat([x, x]) * np.concat([W34, W34]))


def asanyarray_copy(x):
    return np.sum(np.asanyarray(x) * np.copy(W34) + np.array(x, dtype=float, ndmin=3)[0] * W34)


IMPORTS_AND_INTEGERS = [
    case(from_import, A34), case(module_alias, S33), case(from_import_inv, S33),
    case(full_module_name, A34), case(integer_array, INT34), case(integer_broadcast, INT34),
    case(integer_scalar, 3), case(float_scalar, 0.7),
    case(numpy2_aliases, U34, autograd=False), case(numpy2_aliases_binary, P34, Q34, wrt=(0, 1), autograd=False),
    case(numpy2_shape_aliases, A34, autograd=False), case(asanyarray_copy, A34, autograd=False),
]


# --- non-differentiable functions: zero gradient, no error ----------------------------------------


def n_shape(x):
    return np.sum(x) * np.shape(x)[0]


def n_ndim_size(x):
    return np.sum(x) * np.ndim(x) / np.size(x)


def n_attributes(x):
    return np.sum(x) * x.shape[1] * x.ndim / x.size


def n_argmax(x):
    return np.sum(x * np.argmax(x) + x * np.argmin(x))


def n_argmax_method(x):
    return np.sum(x * x.argmax() + x * x.argmin(axis=0))


def n_argsort(x):
    return np.sum(x * np.argsort(x))


def n_rounding(x):
    return np.sum(x * np.floor(x) + x * np.ceil(x) + x * np.round(x) + x * np.around(x)
                  + x * np.rint(x) + x * np.trunc(x) + x * np.fix(x))


def n_sign(x):
    return np.sum(x * np.sign(x))


def n_floor_divide(x):
    return np.sum(x * np.floor_divide(x, 0.3))


def n_floor_divide_operator(x):
    return np.sum(x * (x // 0.3))


def n_like(x):
    return np.sum(x * np.ones_like(x) + np.zeros_like(x) + np.full_like(x, 2.0) * x)


def n_empty_like(x):
    return np.sum(x) * np.size(np.empty_like(x))


def n_constructors(x):
    return np.sum(x @ np.eye(4) + np.zeros((3, 4)) + np.ones((3, 4)) * x + x * np.arange(4)
                  + x * np.linspace(0.0, 1.0, 4))


def n_comparison_operators(x):
    return np.sum(x * (x > 0) + x * (x <= 0.5))


def n_comparisons(x):
    return np.sum(x * np.greater(x, 0.1) + x * np.less(x, 0.2) + x * np.equal(x, 0.0)
                  + x * np.not_equal(x, 0.0) + x * np.greater_equal(x, 0.1)
                  + x * np.less_equal(x, 0.1))


def n_logical(x):
    return np.sum(x * np.logical_and(x > 0, x < 1) + x * np.logical_or(x > 1, x < -1)
                  + x * np.logical_not(x > 0) + x * np.logical_xor(x > 0, x > 1))


def n_isnan(x):
    return np.sum(np.where(np.isnan(x), 0.0, x) * np.isfinite(x) + x * np.isinf(x))


def n_nonzero(x):
    return np.sum(x) * np.size(np.nonzero(x > 0)[0])


def n_predicates(x):
    return np.sum(x) * np.count_nonzero(x > 0) + np.sum(x) * np.any(x > 0) * np.all(x < 5)


def n_allclose(x):
    return np.sum(x) * np.allclose(x, x)


def n_searchsorted(x):
    return np.sum(x * np.searchsorted(EDGES, x))


def n_unique(x):
    return np.sum(x) * np.size(np.unique(np.round(x)))


def n_more(x):
    return (np.sum(x * np.full((3, 4), 2.0)) + np.sum(x * np.identity(4)[0]) + np.sum(x * np.tri(3, 4))
            + np.sum(x * np.digitize(x, EDGES)) + np.sum(x * np.isclose(x, 0.0)) + np.sum(x * np.signbit(x))
            + np.sum(x * np.heaviside(x, 0.5)) + np.sum(x * np.logspace(0.0, 1.0, 4))
            + np.sum(x) * np.size(np.flatnonzero(x > 0)) + np.sum(x) * np.size(np.argwhere(x > 0))
            + np.sum(x) * np.array_equal(x, x) + np.sum(x) * np.size(np.empty((3, 4))))


def n_integer_casts(x):  # piecewise constant: no derivative (autograd passes one through)
    return np.sum(x * x.astype(int) + x * np.array(x * 3.0, dtype=np.int64) + x * np.asarray(x, "bool")
            + x.astype("float64") * x.astype(np.float64))


def c_from_values(x):  # constructors that take a value: it carries the derivative
    return np.sum(np.full(3, x[0]) * x[1] + np.full_like(x, x[2] ** 2) * x + np.linspace(x[0], x[1], 3) ** 2
            + np.sum(np.linspace(x[:2], x[1:], 4, axis=-1)[1]) * x[0]
            + np.sum(np.linspace(x[:2], x[1:], 3) * np.arange(3.0)[:, None]))  # axis 0, unsaid


def c_samples(x):  # reparameterized samples, the same draws in every call
    np.random.seed(0)
    return np.sum(np.random.normal(x[0], x[1] ** 2, size=3) * x + np.random.uniform(x[1], x[2] + 2.0, 3) ** 2)


def c_item(x):  # the one element of a size-1 array, as a number
    return np.sum(x * np.sum(x ** 2).item()) + x[1:2].item() ** 2


NONDIFFERENTIABLE = [
    case(c_item, V3, autograd=False),
    case(c_from_values, V3 + 1.0, autograd=False), case(c_samples, np.abs(V3) + 0.5, autograd=False),
    case(n_integer_casts, A34, autograd=False),
    case(n_shape, A34), case(n_ndim_size, A34), case(n_attributes, A34), case(n_argmax, A34),
    case(n_argmax_method, A34), case(n_argsort, A34), case(n_rounding, A34), case(n_sign, A34),
    case(n_floor_divide, A34), case(n_floor_divide_operator, A34, autograd=False), case(n_like, A34),
    case(n_empty_like, A34), case(n_constructors, A34), case(n_comparison_operators, A34),
    case(n_comparisons, A34), case(n_logical, A34), case(n_isnan, A34), case(n_nonzero, A34),
    case(n_predicates, A34), case(n_allclose, A34), case(n_searchsorted, A34), case(n_unique, A34),
    case(n_more, A34, autograd=False),
]


def n_only_floor(x):
    return np.sum(np.floor(x))


def n_only_argmax(x):
    return np.argmax(x) + 1.0


def test_nondifferentiable_output_gives_zero_gradient():
    for function in (n_only_floor, n_only_argmax):
        gradient = tangent_lsp.grad(function)(A34)
        assert np.shape(gradient) == A34.shape
        assert np.issubdtype(np.asarray(gradient).dtype, np.floating)
        assert not np.any(gradient)


# --- odd shapes and arguments: tests/engine/odd_shapes.py

ODD_CASES = [case(f, *args, wrt=wrt, autograd=False) for f, args, wrt in odd_shapes.CASES]


ALL = (UNARY + BINARY + ELEMENTWISE + REDUCTIONS + REDUCTION_FORMS + METHODS + PRODUCTS + EINSUM
       + SHAPES_CASES + LINALG + IMPORTS_AND_INTEGERS + NONDIFFERENTIABLE + ODD_CASES)


@pytest.mark.parametrize("function, args, wrt, autograd, rtol, atol", ALL)
def test_rule(function, args, wrt, autograd, rtol, atol):
    assert_gradients_match(function, args, wrt=wrt, rtol=rtol, atol=atol, autograd=autograd)


# --- integer arrays through shape-preserving and selecting rules: float gradients ----------------


def i_abs_negative(x):
    return np.sum(np.abs(x) * W34 + np.negative(x) * W34)


def i_max(x):
    return np.sum(np.max(x, axis=1) * W3)


def i_sort_take(x):
    return np.sum(np.sort(x, axis=0) * W34) + np.sum(np.take(x, IDX) * W4)


def i_reshape_transpose(x):
    return np.sum(np.reshape(x.T, (12,)) * W12)


def i_concatenate(x):
    return np.sum(np.concatenate([x, x], axis=1) * np.concatenate([W34, W34], axis=1))


def i_matmul(x):
    return np.sum(np.cos(x @ M45))


def i_maximum_clip(x):
    return np.sum(np.maximum(x, 0) * W34 + np.clip(x, -2, 2) * W34)


def i_cumsum_copy(x):
    return np.sum(np.cumsum(np.copy(x), axis=1) * W34)


def i_scalar_power(x):
    return x ** 2 + 3 * x


INTEGERS = [
    case(i_abs_negative, INT34), case(i_max, INT34 * 3 + np.arange(4)), case(i_sort_take, INT34, autograd=False),
    case(i_reshape_transpose, INT34), case(i_concatenate, INT34), case(i_matmul, INT34),
    case(i_maximum_clip, INT34 * 2 + 1, autograd=False), case(i_cumsum_copy, INT34, autograd=False),
    case(i_scalar_power, 3),
]


@pytest.mark.parametrize("function, args, wrt, autograd, rtol, atol", INTEGERS)
def test_integer_inputs_get_float_gradients(function, args, wrt, autograd, rtol, atol):
    assert_gradients_match(function, args, wrt=wrt, rtol=rtol, atol=atol, autograd=autograd)


def _rounded_product(x):
    return np.float32(x[0]) * x[1]


def test_float32_passes_the_gradient_through():
    """np.float32 rounds its value; its derivative is taken as 1, as NumPy's own casts are
    (finite differences would see the rounding's steps)."""
    x, v = np.array([0.3, -1.2]), np.array([1.0, 2.0])
    expected = np.array([x[1], np.float32(x[0])])  # d/dx0 (x0 x1), d/dx1 (rounded x0 * x1)
    np.testing.assert_allclose(tangent_lsp.grad(_rounded_product)(x), expected, rtol=1e-12)
    np.testing.assert_allclose(tangent_lsp.jvp(_rounded_product)(x, v), expected @ v, rtol=1e-6)
