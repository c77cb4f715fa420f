"""Every NumPy forward rule, through the engine's forward mode, checked numerically.

Each case is ``(id, function, args, wrt)`` as in ``test_numpy_rules.py``, but the
functions mostly return arrays: forward mode differentiates any output, and the
tangent must have exactly the output's shape. The oracle compares
``tangent_lsp.autodiff(f, mode='forward')(*args, *tangents)`` with central finite
differences along random tangents and with ``autograd.make_jvp``. Binary
functions are checked along each argument alone too: that is where a term
vanishes and broadcasting must still give the output's shape.
"""

import ast
import inspect

import numpy
import numpy as np
import numpy.linalg as la
import pytest
from numpy import exp
from numpy import tanh as th
from numpy.linalg import inv

import tangent_lsp
from tangent_lsp.engine.templates import library
from tests.oracle import assert_jvp_matches, random_tangents

from tests.engine.arrays import (  # noqa: F401  (shared inputs)
    A34, B34, C31, V4, V3, X234, Y245, M45, P34, Q34, U34, G34, S33, S233, INT34, IDX, NEAR0,
)
from tests.engine import odd_shapes
rng = np.random.default_rng(1)  # this module's own draws (weights below)
W34 = rng.standard_normal((3, 4))  # non-differentiated weights
W4 = rng.standard_normal(4)
W3 = rng.standard_normal(3)
W234 = rng.standard_normal((2, 3, 4))


def case(function, *args, wrt=(0,), autograd=True, name=""):
    return pytest.param(function, args, wrt, autograd, id=function.__name__ + name)


# --- elementwise, one argument ----------------------------------------------------------


def u_negative(x):
    return np.negative(x)


def u_positive(x):
    return np.positive(x)


def u_abs(x):
    return np.abs(x) + np.absolute(x) * W34 + np.fabs(x) * 2.0


def u_exp(x):
    return np.exp(x)


def u_exp2(x):
    return np.exp2(x)


def u_expm1(x):
    return np.expm1(x)


def u_log(x):
    return np.log(x)


def u_log2(x):
    return np.log2(x)


def u_log10(x):
    return np.log10(x)


def u_log1p(x):
    return np.log1p(x)


def u_sqrt(x):
    return np.sqrt(x)


def u_cbrt(x):
    return np.cbrt(x)


def u_square(x):
    return np.square(x)


def u_reciprocal(x):
    return np.reciprocal(x)


def u_sin(x):
    return np.sin(x)


def u_cos(x):
    return np.cos(x)


def u_tan(x):
    return np.tan(x)


def u_arcsin(x):
    return np.arcsin(x)


def u_arccos(x):
    return np.arccos(x)


def u_arctan(x):
    return np.arctan(x)


def u_sinh(x):
    return np.sinh(x)


def u_cosh(x):
    return np.cosh(x)


def u_tanh(x):
    return np.tanh(x)


def u_arcsinh(x):
    return np.arcsinh(x)


def u_arccosh(x):
    return np.arccosh(x)


def u_arctanh(x):
    return np.arctanh(x)


def u_deg2rad(x):
    return np.deg2rad(x) + np.radians(x) * W34


def u_rad2deg(x):
    return np.rad2deg(x) + np.degrees(x) * W34


def u_sinc(x):
    return np.sinc(x)


def u_unary_operators(x):
    return -x * W34 + (+x)


def u_chain(x):
    return np.tanh(np.exp(np.sin(x)) * W34)


UNARY = [
    case(u_negative, A34), case(u_positive, A34, autograd=False), case(u_abs, A34, autograd=False),
    case(u_exp, A34), case(u_exp2, A34), case(u_expm1, A34), case(u_log, P34), case(u_log2, P34),
    case(u_log10, P34), case(u_log1p, P34), case(u_sqrt, P34), case(u_cbrt, P34, autograd=False),
    case(u_square, A34), case(u_reciprocal, P34), case(u_sin, A34), case(u_cos, A34),
    case(u_tan, U34), case(u_arcsin, U34), case(u_arccos, U34), case(u_arctan, A34),
    case(u_sinh, A34), case(u_cosh, A34), case(u_tanh, A34), case(u_arcsinh, A34),
    case(u_arccosh, G34), case(u_arctanh, U34), case(u_deg2rad, A34), case(u_rad2deg, A34),
    case(u_sinc, A34), case(u_sinc, NEAR0, autograd=False, name='_near_zero'), case(u_unary_operators, A34, autograd=False), case(u_chain, A34),
    case(u_tanh, 0.3, name="-float"), case(u_exp, np.float64(0.3), name="-np.float64"),
]


# --- elementwise, two arguments, broadcasting both ways, one or both tangents --------------


def b_add(a, b):
    return np.add(a, b)


def b_subtract(a, b):
    return np.subtract(a, b)


def b_multiply(a, b):
    return np.multiply(a, b)


def b_divide(a, b):
    return np.divide(a, b)


def b_true_divide(a, b):
    return np.true_divide(a, b)


def b_power(a, b):
    return np.power(a, b)


def b_maximum(a, b):
    return np.maximum(a, b)


def b_minimum(a, b):
    return np.minimum(a, b)


def b_fmax(a, b):
    return np.fmax(a, b)


def b_fmin(a, b):
    return np.fmin(a, b)


def b_arctan2(a, b):
    return np.arctan2(a, b)


def b_hypot(a, b):
    return np.hypot(a, b)


def b_logaddexp(a, b):
    return np.logaddexp(a, b)


def b_logaddexp2(a, b):
    return np.logaddexp2(a, b)


def b_mod(a, b):
    return np.mod(3.0 * a, b)


def b_fmod(a, b):
    return np.fmod(3.0 * a, b)


def b_operators(a, b):
    return np.cos(a + b) + (a - b) * (a * b) - a / b + a ** b


def b_operator_add(a, b):
    return a + b


def b_operator_sub(a, b):
    return a - b


def b_operator_mod(a, b):
    return (3.0 * a) % b


BINARY_FUNCTIONS = [
    b_add, b_subtract, b_multiply, b_divide, b_true_divide, b_power, b_maximum, b_minimum,
    b_fmax, b_fmin, b_arctan2, b_hypot, b_logaddexp, b_logaddexp2, b_mod, b_fmod,
    b_operators, b_operator_add, b_operator_sub, b_operator_mod,
]
NO_AUTOGRAD = {b_fmax, b_fmin, b_fmod, b_logaddexp2, b_mod, b_operator_mod, b_hypot}  # no autograd JVP
SHAPES = {  # positive values, so every function above is smooth here
    "array-scalar": (P34, 1.5),
    "scalar-array": (1.5, P34),
    "(3,1)-(1,4)": (P34[:, :1], Q34[:1] + 0.1),
    "(4,)-(3,4)": (Q34[0], P34),
    "(3,4)-(4,)": (P34, Q34[0]),
    "(3,4)-(3,4)": (P34, Q34),
    "scalar-scalar": (1.3, 0.7),
}


def b_power_zero_exponent(x):  # polynomial features at 0: x ** 0 has slope 0 there
    return (x ** np.arange(4) + np.power(x, 0.0) + pow(x, np.arange(4)))


def b_list_operands(a, b):  # NumPy reads a list of values as an array
    return (np.multiply([a, b], 2) * np.power([a, b], 3) + np.arctan2([a, b], 1.0)
            + np.sort([a, b * 0.5], axis=0) + np.subtract(1.0, (a, b)) + np.power(a, [2.0, 3.0, 1.0])
            + np.multiply([v * 2 for v in b], 2.0))


ZERO_AND_MORE = np.array([0.0, 0.0, 1.3, -0.7])


BINARY = [
    pytest.param(f, args, wrt, f not in NO_AUTOGRAD, id=f"{f.__name__}-{shape}-wrt{''.join(map(str, wrt))}")
    for f in BINARY_FUNCTIONS
    for shape, args in SHAPES.items()
    for wrt in [(0, 1), (0,), (1,)]
]
BINARY += [case(b_power_zero_exponent, ZERO_AND_MORE), case(b_list_operands, V3, V3 * 0.5 + 0.2, wrt=(0, 1), autograd=False)]


def e_copysign(a):
    return np.copysign(a, B34)


def e_where(a, b):
    return np.where(A34 > 0, a, b)


def e_where_constant_branch(a):
    return np.where(V4 > 0, a, W34)  # the constant branch is the larger one


def e_relu(x):
    return np.where(x > 0, x, 0.0)


def e_clip(a, lo, hi):
    return np.clip(a, lo, hi)


def e_clip_none(a, hi):
    return np.clip(a, None, hi)


def e_clip_keywords(a):
    return np.clip(a, min=-0.5, max=0.5)


def e_clip_method(a, lo):
    return a.clip(lo, 0.5)


def e_masks(x):  # `&`, `|` and `~` of comparisons: masks carry no derivative
    inside = (x > -0.5) & (x < 0.5)
    return x * x * inside + np.sin(x) * ((x < -1.0) | ~(x < 1.0))


ELEMENTWISE = [
    case(e_copysign, A34, autograd=False), case(e_masks, A34),
    case(e_where, A34, B34, wrt=(0, 1)), case(e_where, A34, B34, wrt=(1,), name="-wrt1"),
    case(e_where, V4, 2.0, wrt=(0, 1), autograd=False, name="-broadcast"),
    case(e_where, C31, 0.5, wrt=(0, 1), autograd=False, name="-(3,1)-scalar"),
    case(e_where_constant_branch, V4, autograd=False), case(e_relu, A34),
    case(e_clip, A34, -0.5, 0.5, wrt=(0, 1, 2), autograd=False),
    case(e_clip, A34, V4 * 0.3 - 0.5, 0.6, wrt=(0, 1, 2), autograd=False, name="-array-bounds"),
    case(e_clip, A34, V4 * 0.3 - 0.5, 0.6, wrt=(1,), autograd=False, name="-bound-only"),
    case(e_clip_none, A34, 0.3, wrt=(0, 1), autograd=False),
    case(e_clip_keywords, A34, autograd=False), case(e_clip_method, A34, -0.4, wrt=(0, 1), autograd=False),
]


# --- reductions ------------------------------------------------------------------------------


def r_sum(x, axis, keepdims):
    return np.sum(x, axis=axis, keepdims=keepdims)


def r_mean(x, axis, keepdims):
    return np.mean(x, axis=axis, keepdims=keepdims)


def r_prod(x, axis, keepdims):
    return np.prod(x, axis=axis, keepdims=keepdims)


def r_max(x, axis, keepdims):
    return np.max(x, axis=axis, keepdims=keepdims)


def r_min(x, axis, keepdims):
    return np.min(x, axis=axis, keepdims=keepdims)


def r_amax(x, axis, keepdims):
    return np.amax(x, axis=axis, keepdims=keepdims)


def r_amin(x, axis, keepdims):
    return np.amin(x, axis=axis, keepdims=keepdims)


def r_var(x, axis, keepdims):
    return np.var(x, axis=axis, keepdims=keepdims)


def r_std(x, axis, keepdims):
    return np.std(x, axis=axis, keepdims=keepdims)


def r_nansum(x, axis, keepdims):
    return np.nansum(x, axis=axis, keepdims=keepdims)


def r_nanmean(x, axis, keepdims):
    return np.nanmean(x, axis=axis, keepdims=keepdims)


REDUCTIONS = [
    pytest.param(r, (X234, axis, keepdims), (0,),
                 r not in (r_nansum, r_nanmean, r_prod, r_amax, r_amin) and (r, axis) != (r_var, (0, 2)),
                 id=f"{r.__name__}-axis={axis}-keepdims={keepdims}")
    for r in [r_sum, r_mean, r_prod, r_max, r_min, r_amax, r_amin, r_var, r_std, r_nansum,
              r_nanmean]
    for axis in [None, 0, 1, -1, (0, 2)]
    for keepdims in [False, True]
]


def sum_positional_axis(x):
    return np.sum(x, 0)


def mean_all_positional(x):  # axis, dtype, out, keepdims: autograd's mean takes two
    return np.mean(x * x, 0, None, None, True)


def var_all_positional(x):  # axis, dtype, out, ddof, keepdims
    return np.var(x, 1, None, None, 1, True)


def var_ddof(x):
    return np.var(x, axis=1, ddof=1)


def std_ddof(x):
    return np.std(x, ddof=1)


def prod_with_zeros(x):
    return np.prod(x * (np.abs(x) > 0.5), axis=0)


def nansum_with_nan(x):
    return np.nansum(np.where(A34 > 1.0, np.nan, x), axis=1)


def nanmean_with_nan(x):
    return np.nanmean(np.where(A34 > 1.0, np.nan, x), axis=1)


def cumsum_flat(x):
    return np.cumsum(x)


def cumsum_axis(x):
    return np.cumsum(x, axis=1)


def cumsum_axis0(x):
    return np.cumsum(x, axis=0)


def cumprod_flat(x):
    return np.cumprod(x)


def cumprod_axis(x):
    return np.cumprod(x, axis=-1)


def trace_plain(x):
    return np.trace(x)


def trace_offset(x):
    return np.trace(x, offset=1)


def trace_axes(x):
    return np.trace(x, 1, 1, 2)


def logsumexp_stable(x):
    m = np.max(x, axis=1, keepdims=True)
    return np.log(np.sum(np.exp(x - m), axis=1)) + m[:, 0]


REDUCTION_FORMS = [
    case(sum_positional_axis, A34), case(var_ddof, A34), case(std_ddof, A34),
    case(mean_all_positional, A34, autograd=False), case(var_all_positional, A34, autograd=False),
    case(prod_with_zeros, A34, autograd=False), case(nansum_with_nan, A34, autograd=False),
    case(nanmean_with_nan, A34, autograd=False),
    case(cumsum_flat, A34), case(cumsum_axis, A34), case(cumsum_axis0, A34),
    case(cumprod_flat, P34, autograd=False), case(cumprod_axis, P34, autograd=False),
    case(trace_plain, S33), case(trace_offset, A34), case(trace_axes, X234, autograd=False),
    case(logsumexp_stable, A34),
]


def test_max_ties_share_the_tangent():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]])
    dx = np.array([[5.0, 1.0, 2.0], [1.0, 1.0, 1.0]])
    tangent = tangent_lsp.autodiff(lambda_free_max, mode="forward")(x, dx)
    assert np.allclose(tangent, [1.5, 1.0])


def lambda_free_max(x):
    return np.max(x, axis=1)


# --- methods and attributes ------------------------------------------------------------------


def m_sum(x):
    return x.sum(axis=0)


def m_sum_all(x):
    return x.sum()


def m_mean(x):
    return x.mean(1)


def m_prod(x):
    return x.prod(axis=1)


def m_max(x):
    return x.max(axis=1)


def m_min(x):
    return x.min(0)


def m_var(x):
    return x.var(axis=0, ddof=1)


def m_std(x):
    return x.std()


def m_cumsum(x):
    return x.cumsum(axis=1)


def m_cumprod(x):
    return x.cumprod()


def m_dot(x, w):
    return x.dot(w)


def m_reshape_varargs(x):
    return x.reshape(2, 6)


def m_reshape_tuple(x):
    return x.reshape((6, 2))


def m_reshape_flat(x):
    return x.reshape(-1)


def m_reshape_fortran(x):
    return x.reshape(6, 2, order="F")


def m_transpose(x):
    return x.transpose()


def m_transpose_axes(x):
    return x.transpose(1, 2, 0)


def m_transpose_tuple(x):
    return x.transpose((2, 0, 1))


def m_T(x):
    return x.T


def m_T_matmul(x):
    return x.T @ x


def m_mT(x):
    return x.mT


def m_ravel(x):
    return x.ravel()


def m_flatten(x):
    return x.flatten()


def m_squeeze(x):
    return x.squeeze()


def m_swapaxes(x):
    return x.swapaxes(0, 2)


def m_clip(x):
    return x.clip(-0.5, 0.5)


def m_astype(x):
    return x.astype(float)


def m_copy(x):
    return x.copy()


def m_trace(x):
    return x.trace()


def m_diagonal(x):
    return x.diagonal()


def m_take(x):
    return x.take(IDX)


def m_repeat(x):
    return x.repeat(2, axis=0)


def m_of_global(x):
    return x * W34.sum(axis=0) + W34.T.T * x + np.ones(3).dot(W34) * x


METHODS = [
    case(m_sum, A34), case(m_sum_all, A34), case(m_mean, A34), case(m_prod, P34),
    case(m_max, A34), case(m_min, A34), case(m_var, A34), case(m_std, A34),
    case(m_cumsum, A34), case(m_cumprod, P34, autograd=False),
    case(m_dot, A34, M45, wrt=(0, 1), autograd=False), case(m_dot, A34, M45, wrt=(1,), autograd=False, name="-wrt1"),
    case(m_reshape_varargs, A34), case(m_reshape_tuple, A34), case(m_reshape_flat, A34),
    case(m_reshape_fortran, A34, autograd=False),
    case(m_transpose, A34), case(m_transpose_axes, X234, autograd=False),
    case(m_transpose_tuple, X234, autograd=False), case(m_T, A34), case(m_T_matmul, A34),
    case(m_mT, X234, autograd=False), case(m_ravel, A34), case(m_flatten, A34),
    case(m_squeeze, A34[:1]), case(m_swapaxes, X234), case(m_clip, A34),
    case(m_astype, A34, autograd=False), case(m_astype, INT34, autograd=False, name="-int"), case(m_copy, A34, autograd=False),
    case(m_trace, A34), case(m_diagonal, A34, autograd=False), case(m_take, A34, autograd=False),
    case(m_repeat, A34), case(m_of_global, A34, autograd=False),
]


def r_std_of_one(x):  # a single element per row: std is 0 there, and so is its slope
    return (np.std(x, axis=1) + x[:, 0] * np.var(x, axis=1))


def m_transpose_scalar(x):  # a NumPy scalar's method (its tangent may be a float)
    return x.transpose() * 2.0 + np.sin(x) * x


METHODS += [case(r_std_of_one, A34[:, :1])]


# --- products -----------------------------------------------------------------------------------


def p_dot(a, b):
    return np.dot(a, b)


def p_matmul(a, b):
    return np.matmul(a, b)


def p_matmul_operator(a, b):
    return a @ b


def p_outer(a, b):
    return np.outer(a, b)


def p_cross(a, b):
    return np.cross(a, b)


def p_inner(a, b):
    return np.inner(a, b)


def p_vdot(a, b):
    return np.vdot(a, b)


def p_tensordot(a, b):
    return np.tensordot(a, b)


def p_tensordot_axes(a, b):
    return np.tensordot(a, b, axes=([1, 2], [1, 0]))


def p_tensordot_1(a, b):
    return np.tensordot(a, b, 1)


def pair(function, a, b, autograd=True):
    label = f"{function.__name__}-{np.shape(a)}-{np.shape(b)}"
    return [
        pytest.param(function, (a, b), wrt, autograd, id=f"{label}-wrt{''.join(map(str, wrt))}")
        for wrt in [(0, 1), (0,), (1,)]
    ]


PRODUCTS = [
    *pair(p_dot, A34, M45), *pair(p_dot, A34, V4), *pair(p_dot, V3, A34), *pair(p_dot, V4, V4),
    *pair(p_dot, 2.0, A34), *pair(p_dot, X234, M45), *pair(p_dot, X234, V4),
    *pair(p_dot, X234, rng.standard_normal((5, 4, 2))),
    *pair(p_matmul, A34, M45), *pair(p_matmul, A34, V4), *pair(p_matmul, V3, A34),
    *pair(p_matmul, V4, V4), *pair(p_matmul, X234, Y245), *pair(p_matmul, X234, M45),
    *pair(p_matmul, V3, X234), *pair(p_matmul, rng.standard_normal((3, 1, 2, 4)), Y245),
    *pair(p_matmul, rng.standard_normal((1, 4)), rng.standard_normal((3, 4, 2))),
    *pair(p_matmul_operator, A34, M45), *pair(p_matmul_operator, X234, V4),
    *pair(p_outer, V4, V3), *pair(p_outer, A34, V3, autograd=False),
    *pair(p_cross, V3, V3[::-1] * 2.0), *pair(p_cross, A34[:, :3], V3),
    *pair(p_inner, V4, V4), *pair(p_inner, A34, V4), *pair(p_inner, A34, M45.T),
    *pair(p_inner, X234, A34), *pair(p_inner, 2.0, A34),
    *pair(p_vdot, A34, W34, autograd=False),
    *pair(p_tensordot, X234, rng.standard_normal((3, 4, 5))),
    *pair(p_tensordot_axes, X234, rng.standard_normal((4, 3))),
    *pair(p_tensordot_1, A34, M45),
]


def e_matmul(a, b):
    return np.einsum("ij,jk->ik", a, b)


def e_implicit(a, b):
    return np.einsum("ij,jk", a, b)


def e_batch(a, b):
    return np.einsum("bij,bjk->bik", a, b)


def e_ellipsis(a, b):
    return np.einsum("...ij,...jk->...ik", a, b)


def e_ellipsis_broadcast(a, b):
    return np.einsum("...i,...i->...", a, b)


def e_diagonal(a):
    return np.einsum("ii->i", a)


def e_trace(a):
    return np.einsum("ii", a)


def e_row_sums(a):
    return np.einsum("ij->i", a)


def e_outer(a, b):
    return np.einsum("i,j->ij", a, b)


def e_three(a, b, c):
    return np.einsum("ab,bc,cd->ad", a, b, c)


def e_optimized(a, b, c):
    return np.einsum("ab,bc,cd->ad", a, b, c, optimize="greedy")


def e_hadamard(a, b):
    return np.einsum("ij,ij->ij", a, b)


def e_with_constant(a):
    return np.einsum("ij,jk->ik", a, M45)


EINSUM = [
    *pair(e_matmul, A34, M45), *pair(e_implicit, A34, M45), *pair(e_batch, X234, Y245),
    *pair(e_ellipsis, X234, Y245), *pair(e_ellipsis_broadcast, rng.standard_normal((3, 1, 4)), A34[:2]),
    case(e_diagonal, S33, autograd=False), case(e_trace, S33, autograd=False), case(e_row_sums, A34),
    *pair(e_outer, V4, V3), *pair(e_hadamard, A34, B34),
    case(e_three, A34[:2, :3], S33, A34[:, :2], wrt=(0, 1, 2)),
    case(e_three, A34[:2, :3], S33, A34[:, :2], wrt=(1,), name="-middle"),
    case(e_optimized, A34[:2, :3], S33, A34[:, :2], wrt=(0, 1, 2)),
    case(e_with_constant, A34),
]


# --- shapes, joins and copies ---------------------------------------------------------------------


def s_transpose(x):
    return np.transpose(x)


def s_transpose_axes(x):
    return np.transpose(x, (1, 2, 0))


def s_swapaxes(x):
    return np.swapaxes(x, 0, 2)


def s_moveaxis(x):
    return np.moveaxis(x, 0, -1)


def s_reshape(x):
    return np.reshape(x, (2, 6))


def s_reshape_fortran(x):
    return np.reshape(x, (6, -1), order="F")


def s_ravel(x):
    return np.ravel(x)


def s_squeeze(x):
    return np.squeeze(x)


def s_squeeze_axis(x):
    return np.squeeze(x, axis=0)


def s_expand_dims(x):
    return np.expand_dims(x, 1)


def s_atleast_1d(x):
    return np.atleast_1d(x)


def s_atleast_2d(x):
    return np.atleast_2d(x)


def s_atleast_3d(x):
    return np.atleast_3d(x)


def s_atleast_several(a, b):
    return np.atleast_2d(a, b)[1] * np.atleast_1d(a, W4)[1]


def s_broadcast_to(x):
    return np.broadcast_to(x, (3, 4))


def s_tile(x):
    return np.tile(x, (2, 1, 2))


def s_repeat(x):
    return np.repeat(x, 2)


def s_repeat_axis(x):
    return np.repeat(x, [1, 0, 3], axis=0)


def s_pad(x):
    return np.pad(x, ((1, 2), (0, 3)), constant_values=2.0)


def c_convolve(x, k):
    return np.convolve(x, k, "same")


def c_convolve_valid(x, k):
    return np.convolve(k, x, mode="valid")


def c_correlate(x, k, mode):
    return np.correlate(x, k, mode)


def s_pad_values(x, c):
    return np.pad(x, ((1, 2), (0, 1)), constant_values=c)


def s_pad_edge(x):
    return np.pad(x, 2, mode="edge")


def s_pad_wrap(x):
    return np.pad(x, (1, 5), "wrap")


def s_windows(x):
    return np.lib.stride_tricks.sliding_window_view(x, (2, 3))


def s_windows_axis(x):
    return np.lib.stride_tricks.sliding_window_view(x, 2, axis=1)


def s_flip(x):
    return np.flip(x)


def s_flip_axis(x):
    return np.flip(x, 1)


def s_fliplr_flipud(x):
    return np.fliplr(x) + 2.0 * np.flipud(x)


def s_rot90(x):
    return np.rot90(x)


def s_rot90_k(x):
    return np.rot90(x, 3, (2, 0))


def s_roll(x):
    return np.roll(x, 2, axis=1)


def s_diag_vector(x):
    return np.diag(x, 1)


def s_diag_matrix(x):
    return np.diag(x)


def s_diagonal(x):
    return np.diagonal(x, 1, 1, 2)


def s_triu(x):
    return np.triu(x)


def s_tril(x):
    return np.tril(x, -1)


def s_array_of_scalars(a, b):
    return np.array([a * b, a, 2.0])


def s_array_of_arrays(a, b):
    return np.array([a, b])


def s_array_with_constant_row(a):
    return np.array([a, W4, 2.0 * a])


def s_array_nested(a, b):
    return np.array([[a, 1.0], [b, a * b]])


def s_array_ndmin(x):
    return np.array(x, dtype=float, ndmin=3)


def s_asarray(x):
    return np.asarray(x) * 2.0 + np.asanyarray(x)


def s_asarray_list(a, b):
    return np.asarray([a, b, 3.0])


def s_float64(x):  # a float scalar of an element, then an array of an array
    return np.float64(x[0, 1]) * np.sum(np.float64(x) * W34) + np.float64(x[1, 2]) * x[2, 0]


def s_float32(x):  # its rounding would defeat finite differences: it cancels out here
    return np.sum(np.sin(x) * (np.float32(x) - np.float32(x) + 1.0))  # (see test_numpy_rules)


def s_float64_list(a, b):
    return np.sum(np.float64([a, b * a]) ** 2)


def ufunc_reduce(x):  # axis 0 by default (np.sum's is None), an axis, all, kept dims
    return (np.sum(np.cos(np.add.reduce(x)) * W34) + np.sum(np.sin(np.multiply.reduce(x, 1)))
            + np.sum(np.add.reduce(x, axis=None) * np.multiply.reduce(x, axis=2, keepdims=True)))


def s_copy(x):
    return np.copy(x)


def s_concatenate(a, b):
    return np.concatenate([a, b])


def s_split(a):
    left, right = np.split(a, 2, axis=1)
    return np.sin(left) * right


def s_array_split(a):  # pieces of different shapes
    pieces = np.array_split(a, 3, axis=1)
    return np.sum(pieces[0]) + np.sum(pieces[2] ** 2)


def s_concatenate_axis(a, b):
    return np.concatenate((a, b), axis=1)


def s_concatenate_flat(a, b):
    return np.concatenate((a, b), axis=None)


def s_concatenate_constant(a):
    return np.concatenate([W34, a, W34[:1]])


def s_stack(a, b):
    return np.stack([a, b, a])


def s_stack_last(a, b):
    return np.stack([a, b], axis=-1)


def s_stack_constant(a):
    return np.stack([W4, a])


def s_vstack(a, b):
    return np.vstack([a, b])


def s_column_stack(a, b, c):
    return np.column_stack([a, b, c])


def s_hstack(a, b):
    return np.hstack([a, b])


def s_hstack_constant(a):
    return np.hstack([a, W34])


def s_sort(x):
    return np.sort(x)


def s_sort_axis(x):
    return np.sort(x, axis=0)


def s_sort_flat(x):
    return np.sort(x, axis=None)


def s_take(x):
    return np.take(x, IDX)


def s_take_axis(x):
    return np.take(x, IDX, axis=1)


def s_bincount_weights(x):  # hunt 52: a zero tangent before
    return np.bincount(np.array([0, 2, 2, 1, 0, 2, 3, 3, 1, 0, 2, 2]), weights=x.ravel() ** 2,
                       minlength=5)


ALONG = np.array([[0, 2, 2, 1], [3, 3, 0, 1], [1, 0, 2, 2]])  # repeated indices along rows


def s_take_along_rows(x):
    return np.take_along_axis(x, ALONG, axis=1)


def s_take_along_a_broadcast_column(x):
    return np.take_along_axis(x[:, :1], ALONG % 3, axis=0)


def s_take_wrap(x):
    return np.take(x, [5, -7], 0, mode="wrap")


def s_diff(x):
    return np.diff(x)


def s_diff_twice(x):
    return np.diff(x, n=2, axis=0)


SHAPES_CASES = [
    case(s_transpose, A34), case(s_transpose_axes, X234), case(s_swapaxes, X234),
    case(s_moveaxis, X234), case(s_reshape, A34), case(s_reshape_fortran, A34, autograd=False),
    case(s_ravel, A34), case(s_squeeze, A34[:1]), case(s_squeeze_axis, A34[:1]), case(s_expand_dims, A34),
    case(s_atleast_1d, 1.5, autograd=False), case(s_atleast_2d, V4), case(s_atleast_3d, A34),
    case(s_atleast_several, V4, A34[0], wrt=(0, 1), autograd=False),
    case(s_atleast_several, V4, A34[0], wrt=(1,), autograd=False, name="-wrt1"),
    case(s_broadcast_to, V4, autograd=False), case(s_broadcast_to, C31, autograd=False, name="-(3,1)"),
    case(s_tile, A34), case(s_repeat, A34), case(s_repeat_axis, A34, autograd=False),
    case(s_flip, A34, autograd=False), case(s_flip_axis, A34, autograd=False),
    case(s_fliplr_flipud, A34), case(s_rot90, A34), case(s_rot90_k, X234, autograd=False),
    case(s_roll, A34), case(s_diag_vector, V4), case(s_diag_matrix, A34, autograd=False),
    case(s_diagonal, X234, autograd=False), case(s_triu, A34), case(s_tril, A34),
    case(s_array_of_scalars, 1.5, -0.5, wrt=(0, 1)), case(s_array_of_scalars, 1.5, -0.5, wrt=(1,), name="-wrt1"),
    case(s_array_of_arrays, V4, V4 + 1.0, wrt=(0, 1)), case(s_array_of_arrays, V4, V4 + 1.0, wrt=(0,), name="-wrt0"),
    case(s_array_with_constant_row, V4, autograd=False), case(s_array_nested, 0.3, 1.7, wrt=(0, 1)),
    case(s_array_nested, 0.3, 1.7, wrt=(1,), name="-wrt1"), case(s_array_ndmin, A34, autograd=False),
    case(s_asarray, A34, autograd=False), case(s_asarray_list, 0.3, 1.7, wrt=(0, 1), autograd=False),
    case(s_float64, A34, autograd=False), case(s_float64_list, 0.3, 1.7, wrt=(0, 1), autograd=False),
    case(ufunc_reduce, X234, autograd=False),
    case(s_float32, A34, autograd=False),
    case(s_asarray_list, 0.3, 1.7, wrt=(1,), autograd=False, name="-wrt1"), case(s_copy, A34, autograd=False),
    case(s_split, A34), case(s_array_split, A34),
    case(s_concatenate, A34, B34[:2], wrt=(0, 1)), case(s_concatenate, A34, B34[:2], wrt=(1,), name="-wrt1"),
    case(s_concatenate_axis, A34, C31, wrt=(0, 1)), case(s_concatenate_axis, A34, C31, wrt=(0,), name="-wrt0"),
    case(s_concatenate_flat, A34, V3, wrt=(0, 1), autograd=False), case(s_concatenate_constant, A34),
    case(s_stack, V4, W4, wrt=(0, 1)), case(s_stack, V4, W4, wrt=(1,), name="-wrt1"),
    case(s_stack_last, A34, B34, wrt=(0, 1)), case(s_stack_constant, V4),
    case(s_vstack, A34, V4, wrt=(0, 1)), case(s_vstack, A34, V4, wrt=(1,), name="-wrt1"),
    case(s_column_stack, V3, A34, C31, wrt=(0, 1, 2)),
    case(s_hstack, V4, V3, wrt=(0, 1)), case(s_hstack, A34, C31, wrt=(0, 1), name="-2d"),
    case(s_hstack_constant, C31),
    case(s_sort, A34, autograd=False), case(s_sort_axis, A34, autograd=False),
    case(s_sort_flat, A34, autograd=False), case(s_take, A34, autograd=False), case(s_bincount_weights, A34, autograd=False),
    case(s_take_axis, A34, autograd=False),
    case(s_take_along_rows, A34, autograd=False),
    case(s_take_along_a_broadcast_column, A34, autograd=False), case(s_take_wrap, A34, autograd=False),
    case(s_diff, A34), case(s_diff_twice, A34),
    case(s_windows, A34, autograd=False), case(s_windows_axis, A34, autograd=False),
    case(s_pad_values, A34, np.array([0.5, -1.0]), wrt=(0, 1), autograd=False),
    case(c_convolve, V4, V3, wrt=(0, 1), autograd=False),
    case(c_convolve_valid, V4, V3, wrt=(0, 1), autograd=False),
    case(c_correlate, V4, V3, "valid", wrt=(0, 1), autograd=False),
    case(c_correlate, V4[:2], V3, "same", wrt=(0, 1), autograd=False, name="-same"),
    case(c_correlate, V3, V4, "full", wrt=(0, 1), autograd=False, name="-full"),
    case(s_pad, A34, autograd=False), case(s_pad_edge, A34, autograd=False), case(s_pad_wrap, A34, autograd=False),
]


# --- linear algebra -------------------------------------------------------------------------------


def l_det(a):
    return np.linalg.det(a)


def l_slogdet(a):
    return np.linalg.slogdet(a)[1]


def l_slogdet_sign(a):
    return np.linalg.slogdet(a)[0] * np.linalg.slogdet(a)[1]


def l_inv(a):
    return np.linalg.inv(a)


def l_solve(a, b):
    return np.linalg.solve(a, b)


def l_cholesky(a):
    return np.linalg.cholesky(a)


def l_cholesky_upper(a):
    return np.linalg.cholesky(a + np.tril(A34[:3, :3], -1), upper=True)  # reads the upper triangle


SPD33 = S33 @ S33.T + 3.0 * np.eye(3)  # positive definite: Cholesky exists
SPD233 = S233 @ np.swapaxes(S233, -1, -2) + 3.0 * np.eye(3)


def l_eigh(a):  # eigenvectors are defined up to sign: read them through squares
    w, v = np.linalg.eigh(a)
    return np.expand_dims(w, -2) + v ** 2


def l_eigh_upper(a):
    r = np.linalg.eigh(a, "U")
    return r[0] * 2.0 + np.abs(r[1][0])


def l_eigvalsh(a, uplo):
    return np.linalg.eigvalsh(a, UPLO=uplo)


def l_svd(a):  # singular vectors are defined up to sign: read them through squares
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return np.sin(s) + np.sum(u[..., :2] ** 2) * 0.3 + np.sum(vh[..., 0, :] ** 2 * vh[..., 1, :] ** 2, axis=-1)[..., None]


def l_svd_full(a):  # a full SVD of a wide matrix: the extra rows of vh are not read
    r = np.linalg.svd(a)
    return r[1] ** 2 + r[0][:, 0] ** 2 + r[2][0] ** 2 * 0.5


def l_svd_complement(a):  # a full SVD's other columns: their projector is well defined
    u, s, vh = np.linalg.svd(a)
    k = s.shape[-1]
    q, p = u[:, k:], vh[k:]
    return np.sin(q @ q.T) + np.sum(np.cos(p.T @ p))


def l_singular_values(a):
    return np.linalg.svd(a, compute_uv=False)


def l_pinv(a):
    return np.linalg.pinv(a)


def l_qr(a):
    q, r = np.linalg.qr(a)
    return q * 2.0 + np.sum(r)


def l_lstsq(a, b):
    return np.linalg.lstsq(a, b)[0]


def e_interp(x, xp, fp):
    return np.interp(x, xp, fp)


def e_polyval(p, x):
    return np.polyval(p, x)


def e_nan_to_num(x):
    return np.nan_to_num(x)


def l_matrix_power(a, n):
    return np.linalg.matrix_power(a, n)


def l_kron(a, b):
    return np.kron(a, b)


SYM33 = S33 + S33.T  # eigh reads one triangle; its eigenvalues are distinct
SYM233 = S233 + np.swapaxes(S233, -1, -2)


def l_norm(x):
    return np.linalg.norm(x)


def l_norm_ord(x, ord):
    return np.linalg.norm(x, ord=ord)


def l_norm_axis(x, axis, keepdims):
    return np.linalg.norm(x, axis=axis, keepdims=keepdims)


def l_cond(x, p):
    return np.sum(np.linalg.cond(x, p))


def l_norm_matrix_axes(x, ord):
    return np.linalg.norm(x, ord, (1, 2))


NORM_ARGS = [
    (V4, 1), (V4, 2), (V4, np.inf), (V4, -np.inf), (V4, 3), (V4, 0.5), (V4, 0),
    (A34, "fro"), (A34, "nuc"), (A34, 2), (A34, -2), (A34, 1), (A34, -1), (A34, np.inf), (A34, -np.inf),
]
LINALG = [  # autograd has no JVP for det, slogdet, inv or solve
    case(l_det, S33, autograd=False), case(l_det, S233, autograd=False, name="-batched"), case(l_slogdet, S33 - 8.0 * np.eye(3), autograd=False),
    case(l_slogdet_sign, S33 - 8.0 * np.eye(3), autograd=False),
    case(l_inv, S33, autograd=False), case(l_inv, S233, autograd=False, name="-batched"),
    case(l_cholesky, SPD33, autograd=False),
    case(l_cholesky, SPD233, autograd=False, name="-batched"),
    case(l_cholesky_upper, SPD33, autograd=False),
    case(l_cholesky_upper, SPD233, autograd=False, name="-batched"),
    case(l_solve, S33, V3, wrt=(0, 1), autograd=False), case(l_solve, S33, V3, wrt=(0,), autograd=False, name="-vector-wrt0"),
    case(l_solve, S33, A34[:, :2], wrt=(0, 1), autograd=False, name="-matrix"),
    case(l_solve, S33, A34[:, :2], wrt=(1,), autograd=False, name="-matrix-wrt1"),
    case(l_solve, S233, rng.standard_normal((2, 3, 2)), wrt=(0, 1), autograd=False, name="-batched"),
    case(l_solve, S233, V3, wrt=(0, 1), autograd=False, name="-batched-vector"),
    case(l_norm, V4), case(l_norm, A34, name="-2d"), case(l_norm, X234, name="-3d"),
    case(l_eigh, SYM33, autograd=False), case(l_eigh, SYM233, autograd=False, name="-batched"),
    case(l_eigh_upper, SYM33 + 0.5 * np.eye(3), autograd=False),
    pytest.param(l_eigvalsh, (SYM33, "L"), (0,), False, id="l_eigvalsh-L"),
    pytest.param(l_eigvalsh, (SYM233, "U"), (0,), False, id="l_eigvalsh-U-batched"),
    case(l_pinv, A34, autograd=False), case(l_pinv, A34.T.copy(), autograd=False, name="-tall"),
    case(l_pinv, X234, autograd=False, name="-batched"),
    case(l_qr, A34.T.copy(), autograd=False, name="-tall"), case(l_qr, S33, autograd=False),
    case(l_lstsq, A34.T.copy(), V4, wrt=(0, 1), autograd=False),
    case(e_interp, np.array([-1.7, -0.6, 0.1, 0.9, 1.4, 2.2]), np.array([-1.0, -0.2, 0.5, 1.5]),
         np.array([0.3, -1.0, 2.0, 0.7]), wrt=(0, 1, 2), autograd=False),
    case(e_polyval, V4, A34, wrt=(0, 1), autograd=False), case(e_nan_to_num, A34),
    case(l_svd, A34, autograd=False), case(l_svd, A34.T.copy(), autograd=False, name="-tall"),
    case(l_svd, X234[:, :, :3], autograd=False, name="-batched"), case(l_svd_full, A34[:, :3], autograd=False),
    case(l_svd_complement, A34.T.copy(), autograd=False, name="-tall"), case(l_svd_complement, A34, autograd=False, name="-wide"),
    case(l_singular_values, A34, autograd=False), case(l_singular_values, X234, autograd=False, name="-batched"),
    *(pytest.param(l_matrix_power, (S33 / 4.0, n), (0,), False, id=f"l_matrix_power-{n}")
      for n in (0, 1, 3, -2)),
    pytest.param(l_matrix_power, (S233 / 4.0, 2), (0,), False, id="l_matrix_power-batched"),
    case(l_kron, A34[:2, :3], A34[:, :2], wrt=(0, 1)), case(l_kron, V3, A34, wrt=(0, 1), name="-ranks"),
    case(l_kron, V3, V4, wrt=(1,), name="-vectors"),
] + [
    pytest.param(l_norm_ord, (x, ord), (0,), False, id=f"l_norm_ord-{np.ndim(x)}d-{ord}")
    for x, ord in NORM_ARGS
] + [
    pytest.param(l_norm_axis, (x, axis, keepdims), (0,), False, id=f"l_norm_axis-{np.shape(x)}-{axis}-{keepdims}")
    for x, axis in [(A34, 1), (A34, 0), (X234, -1), (X234, (1, 2))]
    for keepdims in [False, True]
] + [
    pytest.param(l_norm_matrix_axes, (X234, ord), (0,), False, id=f"l_norm_matrix_axes-{ord}")
    for ord in ["fro", "nuc", 2, 1, np.inf]
] + [  # (autograd has no rule for cond)
    pytest.param(l_cond, (x, p), (0,), False, id=f"l_cond-{np.shape(x)}-{p}")
    for x, p in [(S33, None), (S233, None), (A34, None), (A34.T.copy(), -2)]
    + [(S33, p) for p in (2, -2, "fro", "nuc", 1, -1, np.inf, -np.inf)]
]


# --- import styles, integer inputs ----------------------------------------------------------------


def from_import(x):
    return exp(x) * th(x)


def module_alias(a):
    return la.inv(a) * la.norm(a)


def from_import_inv(a):
    return inv(a)


def full_module_name(x):
    return numpy.sin(x) * numpy.sum(x)


def integer_array(x):
    return np.sin(x) * x + np.exp(x / 10.0)


def integer_broadcast(x):
    return x * W4 + x


def integer_scalar(x):
    return x * x + 2.0 * x


def integer_matmul(x):
    return np.tanh(x @ M45)


def integer_shapes(x):
    return np.concatenate([x, x], axis=1)[:, 2:6] + np.reshape(x.T, (4, 3)).T + np.sort(x, axis=0).sum()


def integer_reductions(x):
    return np.max(x, axis=1) + np.cumsum(np.copy(x), axis=1)[:, 0] + np.mean(x, axis=1)


def integer_plus_constant(x):
    return x + W34


def float_scalar(x):
    return np.sin(x) * np.exp(x) + x ** 3


def numpy2_aliases(x):
    return (np.acos(x) + np.asin(x) + np.atan(x) + np.pow(x + 2.0, 1.5)
            + np.float_power(x + 2.0, 0.5) + np.acosh(x + 2.0))


def numpy2_aliases_binary(a, b):
    return np.atan2(a, b) * W34 + np.remainder(3.0 * a, b) + np.asinh(a) * np.atanh(a / 3.0)


def numpy2_shape_aliases(x):
    return np.permute_dims(x, (1, 0)) + x.mT + np.matrix_transpose(x) + np.concat([x, x])[:3]


IMPORTS_AND_INTEGERS = [
    case(from_import, A34), case(module_alias, S33, autograd=False), case(from_import_inv, S33, autograd=False),
    case(full_module_name, A34), case(integer_array, INT34), case(integer_broadcast, INT34),
    case(integer_scalar, 3), case(integer_matmul, INT34), case(integer_shapes, INT34, autograd=False),
    case(integer_reductions, INT34 * 3 + np.arange(4), autograd=False), case(integer_plus_constant, INT34[0]),
    case(float_scalar, 0.7),
    case(numpy2_aliases, U34, autograd=False), case(numpy2_aliases_binary, P34, Q34, wrt=(0, 1), autograd=False),
    case(numpy2_shape_aliases, A34[:, :3].T @ A34[:, :3], autograd=False),
]


# --- non-differentiable functions: zero tangent, no error ------------------------------------------


def n_shape(x):
    return x * np.shape(x)[0] + x * np.ndim(x) / np.size(x) + x * x.shape[1] * x.ndim / x.size


def n_argmax(x):
    return x * np.argmax(x) + x * np.argmin(x) + x * x.argmax() + x * x.argmin(axis=0) + x * np.argsort(x)


def n_rounding(x):
    return (x * np.floor(x) + x * np.ceil(x) + x * np.round(x) + x * np.around(x)
            + x * np.rint(x) + x * np.trunc(x) + x * np.fix(x) + x * np.sign(x) + x * (x // 0.3))


def n_constructors(x):
    return x @ np.eye(4) + np.zeros((3, 4)) + np.ones_like(x) * x + x * np.arange(4) + np.full_like(x, 2.0)


def n_comparisons(x):
    return x * (x > 0) + x * np.logical_and(x > 0, x < 1) + x * np.isclose(x, 0.0)


def n_only_floor(x):
    return np.floor(x)


def n_only_argmax(x):
    return np.argmax(x) + 1.0


def n_integer_casts(x):  # piecewise constant: no derivative (autograd passes one through)
    return (x * x.astype(int) + x * np.array(x * 3.0, dtype=np.int64) + x * np.asarray(x, "bool")
            + x.astype("float64") * x.astype(np.float64))


def c_from_values(x):  # constructors that take a value: it carries the derivative
    return (np.full(3, x[0]) * x[1] + np.full_like(x, x[2] ** 2) * x + np.linspace(x[0], x[1], 3) ** 2
            + np.sum(np.linspace(x[:2], x[1:], 4, axis=-1)[1]) * x[0]
            + np.sum(np.linspace(x[:2], x[1:], 3) * np.arange(3.0)[:, None]))  # axis 0, unsaid


def c_samples(x):  # reparameterized samples, the same draws in every call
    np.random.seed(0)
    return np.random.normal(x[0], x[1] ** 2, size=3) * x + np.random.uniform(x[1], x[2] + 2.0, 3) ** 2


def c_samples_about_a_mean(x):  # hunt 52: the mean's tangent was not spread over `size`
    np.random.seed(0)
    return np.sum(np.random.normal(x[0], 2.0, size=(4, 3)), axis=0) * x


def c_item(x):  # the one element of a size-1 array, as a number
    return x * np.sum(x ** 2).item() + x[1:2].item() ** 2


NONDIFFERENTIABLE = [
    case(c_item, V3, autograd=False),
    case(c_from_values, V3 + 1.0, autograd=False), case(c_samples, np.abs(V3) + 0.5, autograd=False),
    case(c_samples_about_a_mean, V3, autograd=False),
    case(n_integer_casts, A34, autograd=False),
    case(n_shape, A34), case(n_argmax, A34), case(n_rounding, A34, autograd=False),
    case(n_constructors, A34), case(n_comparisons, A34, autograd=False),
    case(n_only_floor, A34, autograd=False), case(n_only_argmax, A34, autograd=False),
]


# --- odd shapes and arguments: tests/engine/odd_shapes.py

ODD_CASES = [case(f, *args, wrt=wrt, autograd=False) for f, args, wrt in odd_shapes.CASES]


ALL = (UNARY + BINARY + ELEMENTWISE + REDUCTIONS + REDUCTION_FORMS + METHODS + PRODUCTS + EINSUM
       + SHAPES_CASES + LINALG + IMPORTS_AND_INTEGERS + NONDIFFERENTIABLE + ODD_CASES)


@pytest.mark.parametrize("function, args, wrt, autograd", ALL)
def test_rule(function, args, wrt, autograd):
    assert_jvp_matches(function, args, wrt=wrt, autograd=autograd)


# --- API, shapes and aliasing ---------------------------------------------------------------------


def test_jvp_is_autodiff_forward():
    tangents = random_tangents((A34, B34), (0, 1))
    expected = tangent_lsp.autodiff(b_operators, wrt=(0, 1), mode="forward")(P34, Q34, *tangents)
    assert np.allclose(tangent_lsp.jvp(b_operators, wrt=(0, 1))(P34, Q34, *tangents), expected)


def test_tangent_of_broadcast_constant_has_the_output_shape():
    tangent = tangent_lsp.jvp(b_add)(V4, W34, np.ones(4))
    assert tangent.shape == (3, 4) and np.all(tangent == 1.0)
    tangent = tangent_lsp.jvp(b_subtract, wrt=(1,))(W34, 2.0, 1.0)
    assert tangent.shape == (3, 4) and np.all(tangent == -1.0)


def test_integer_tangents_are_float():
    tangent = tangent_lsp.jvp(integer_plus_constant)(INT34[0], np.ones(4))
    assert tangent.dtype == np.float64 and tangent.shape == (3, 4)


def test_every_forward_rule_has_a_case():
    """Each NumPy forward rule key appears in some case above (static check of the sources)."""
    files = ("numpy_tangents.py", "numpy_shapes_tangents.py", "numpy_linalg_tangents.py")
    keys = {k for k, t in library().tangents.items() if t.source_file.endswith(files)}
    seen = set()
    operators = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply", ast.Div: "true_divide",
                 ast.Mod: "mod", ast.Pow: "power", ast.MatMult: "matmul", ast.USub: "negative",
                 ast.UAdd: "positive"}
    for param in ALL:
        function = param.values[0]
        namespace = function.__globals__
        for node in ast.walk(ast.parse(inspect.getsource(function))):
            if isinstance(node, (ast.BinOp, ast.UnaryOp)) and type(node.op) in operators:
                seen.add(f"numpy.{operators[type(node.op)]}")
            elif isinstance(node, ast.Attribute):
                seen.add(f"numpy.ndarray.{node.attr}")
                first, _, rest = ast.unparse(node).partition(".")
                module = getattr(namespace.get(first), "__name__", "")
                seen.add(f"{module}.{rest}")
            elif isinstance(node, ast.Name) and node.id in namespace:
                obj = namespace[node.id]
                seen.add(f"numpy.{getattr(obj, '__name__', '')}")
                seen.add(f"numpy.linalg.{getattr(obj, '__name__', '')}")
    assert sorted(keys - seen) == []


# --- lists built in loops: tuple/list parameters whose tangent is a list -------------------------


def c_stack_appended(x):
    hs = []
    for i in range(3):
        hs.append(np.tanh(x * (i + 1.0)))
    return np.stack(hs, axis=1)


def c_concatenate_list_with_constant(x):
    parts = [W4, x, np.sin(x)]
    return np.concatenate(parts)


def c_array_of_list(x):
    rows = []
    for i in range(2):
        rows.append(x * i + W4)
    return np.array(rows)


CONTAINERS = [
    case(c_stack_appended, V4), case(c_concatenate_list_with_constant, V4),
    case(c_array_of_list, V4, autograd=False),
]


@pytest.mark.parametrize("function, args, wrt, autograd", CONTAINERS)
def test_containers(function, args, wrt, autograd):
    assert_jvp_matches(function, args, wrt=wrt, autograd=autograd)


# --- the forward-mode runtime helpers, without the engine ------------------------------------------


def test_broadcast_like():
    from tangent_lsp.runtime import broadcast_like

    t = np.ones(4)
    assert broadcast_like(t, W34).shape == (3, 4) and broadcast_like(t, W34).flags.writeable
    assert broadcast_like(t, V4) is t  # already shaped: not copied
    assert broadcast_like(np.arange(4), V4).dtype == np.float64
    assert isinstance(broadcast_like(1, 2.0), np.float64)


def test_tangents_like_fills_zeros():
    from tangent_lsp.runtime import tangents_like

    out = tangents_like((0.0, np.ones(4)), [W34, V4])
    assert isinstance(out, tuple) and out[0].shape == (3, 4) and not out[0].any()
    nested = tangents_like(((1.0, 0.0), 0.0), [[0.3, W4], [1.0, 2.0]])
    assert nested[0][1].shape == (4,) and nested[1] == (0.0, 0.0)


def test_pick_tangent_takes_the_first_extreme():
    from tangent_lsp.runtime import pick_tangent

    assert pick_tangent(3.0, 1.0, (3.0, 3.0), 5.0, (7.0, 9.0)) == 7.0
    assert pick_tangent(3.0, 1.0, (3.0, 2.0), 5.0, 0.0) == 0.0
    assert pick_tangent(3.0, [3.0, 1.0], (), [2.0, 4.0], ()) == 2.0
    assert pick_tangent(3.0, np.array([1.0, 3.0, 3.0]), (), np.array([1.0, 2.0, 4.0]), ()) == 2.0


def test_einsum_and_solve_tangents_skip_absent_tangents():
    from tangent_lsp.runtime import einsum_tangent, solve_tangent

    y = np.einsum("ij,jk->ik", A34, M45)
    assert np.allclose(einsum_tangent(y, "ij,jk->ik", (A34, M45), (0.0, W4[:, None] * M45)),
                       A34 @ (W4[:, None] * M45))
    assert einsum_tangent(np.einsum("ii", S33), "ii", (S33,), (0.0,)) == 0.0
    x = np.linalg.solve(S233, V3)
    assert np.allclose(solve_tangent(S233, V3, x, 0.0, W3), np.linalg.solve(S233, W3))
    assert solve_tangent(S233, V3, x, S233, 0.0).shape == (2, 3)


# --- known engine problem -----------------------------------------------------------------------


def inplace_after_add(x):
    h = x + 1.0
    h[0] = 0.0
    return h + np.sum(x)


def test_inplace_update_of_a_tangent_leaves_the_seed_alone():
    """dh = broadcast_like(dx, h) is dx itself: the forward sweep copies it before writing."""
    seed = np.ones(3)
    tangent = tangent_lsp.jvp(inplace_after_add)(np.array([1.0, 2.0, 3.0]), seed)
    assert np.array_equal(seed, np.ones(3))
    assert np.allclose(tangent, [3.0, 4.0, 4.0])


def test_a_numpy_scalars_method_in_forward_mode():
    x = np.float64(0.3)
    expected = (m_transpose_scalar(np.float64(x + 1e-6)) - m_transpose_scalar(np.float64(x - 1e-6))) / 2e-6
    assert np.isclose(tangent_lsp.jvp(m_transpose_scalar)(x, 1.0), expected)


def _powers(x, n):
    return np.sum(x ** n + np.power(x, n + 1.0))


def test_a_negative_base_with_an_exponent_that_does_not_change_has_a_finite_tangent():
    """The exponent's term is d[n] * y * log|x|: with log(x) it was 0 * nan = nan for x < 0
    even where the exponent's tangent is zero (a loop counter)."""
    x, n = np.array([-0.5, -1.5, 2.0]), 3.0
    tangent = tangent_lsp.jvp(_powers, wrt=(0, 1))(x, n, np.ones(3), 0.0)
    assert np.isclose(tangent, np.sum(n * x ** (n - 1.0) + (n + 1.0) * x ** n))
    gradient = tangent_lsp.grad(_powers, wrt=(0, 1))(x, n)
    assert np.all(np.isfinite(gradient[0])) and np.isfinite(gradient[1])
