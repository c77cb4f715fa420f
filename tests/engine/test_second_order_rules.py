"""Second derivatives through every rule and every program of the test zoo, in the four
orders: forward over reverse, reverse over reverse, reverse over forward and forward over
forward.

A first-order derivative calls runtime helpers (``untile``, ``norm_adjoint``,
``einsum_tangent``...), so differentiating it again needs rules for those helpers.
Each check below takes the derivative with respect to argument ``i``, differentiates
it again with respect to argument ``j`` (often the same one) and compares with central
differences of the first-order gradient, which ``test_numpy_rules`` checks against
autograd and finite differences. All four orders reduce to ``J u``, the change of the
gradient ``grad_i`` along a direction ``u`` of argument ``j``: a Hessian-vector product
directly, or its inner product with a second direction ``t``.

``NONLINEAR`` wraps each helper's operation in ``sin(y) * y``, so that the adjoint
flowing into the helper depends on the input and the helper's own rules are exercised
(the rule cases of ``test_numpy_rules`` are mostly linear, with a second derivative of
zero). Autograd's Hessian-vector product is a second oracle where autograd has the
function.
"""

import autograd
import numpy as np
import pytest

from tests.engine import test_containers, test_control_flow, test_programs, test_python_rules
from tests.engine import test_numpy_rules as rule_cases
from tests.engine.arrays import A34, B34, M45, S33, S233, V3, V4, X234
from tests.oracle import ORDERS, _autograd_version, gradient_change, second_derivative

rng = np.random.default_rng(11)
IDX = np.array([0, 2, 2, 1])
NEAR_ZERO = np.array([[0.7, 0.0, 1.3], [0.0, 0.0, 0.9], [1.1, 0.0, 0.0], [-0.4, 1.6, 0.8]])


def bent(y):
    return np.sum(np.sin(y) * y)


# --- one nonlinear function per helper: (name, function, args, (i, j), autograd) -----------


def cumsum_flat(x):
    return bent(np.cumsum(x))


def cumsum_axis(x):
    return bent(np.cumsum(x, axis=1))


def transpose_axes(x):
    return bent(np.transpose(x, (2, 0, 1)))


def transpose_method(x):
    return bent(x.transpose(1, 2, 0))


def transpose_method_tuple(x):
    return bent(x.transpose((1, 2, 0)) * 0.5) + bent(x.transpose())


def atleast_2d(v):
    return bent(np.atleast_2d(v) @ M45)


def atleast_3d_many(a, b):
    p, q = np.atleast_3d(a, b)
    return bent(p * 2.0) + bent(q * p[..., :1])


def stack(a, b):
    return bent(np.stack([a, b * a], axis=1))


def column_stack(v, a):
    return bent(np.column_stack([v, a * v[:, None], v * 2.0]))


def tile(x):
    return bent(np.tile(x, (2, 1)) * 0.5)


def repeat_axis(x):
    return bent(np.repeat(x, 2, axis=0))


def pad_constant(x):
    return bent(np.pad(x, ((1, 0), (2, 1)), constant_values=0.5) * 0.5)


def windows(x):
    return bent(np.lib.stride_tricks.sliding_window_view(x, (2, 2)) * 0.5)


def convolve_same(x, k):
    return bent(np.convolve(x, k, "same"))


def pad_values(x, c):
    return bent(np.pad(x, ((1, 0), (2, 1)), constant_values=c) * 0.5)


def pad_reflect(x):
    return bent(np.pad(x, 2, mode="reflect") * 0.5)


def repeat_flat(x):
    return bent(np.repeat(x, 3))


def diagonal_offset(x):
    return bent(np.diagonal(x, 1))


def trace(x):
    return bent(np.trace(x @ x.T))


def diag_both_ways(v, m):
    return bent(np.diag(v) @ m) + bent(np.diag(m * v))


def sort_axis(x):
    return bent(np.sort(x, axis=0) * np.arange(1.0, 5.0))


def sort_flat(x):
    return bent(np.sort(x, axis=None) * np.arange(12.0))


def take_axis(x):
    return bent(np.take(x, IDX, axis=1))


def take_along_rows(x):
    return bent(np.take_along_axis(x, np.array([[0, 2, 2, 1], [3, 3, 0, 1], [1, 0, 2, 2]]), 1))


def sort_of_a_product(x, w):  # mixed partials through forward mode: take_along_axis
    return bent(np.sort(x * w, axis=1))


def take_flat(x):
    return bent(np.take(x, IDX))


def diff_twice(x):
    return bent(np.diff(x, 2, axis=1))


def dot_both(a, b):
    return bent(np.dot(a, b))


def dot_vector(a, v):
    return bent(np.dot(a, v))


def tensordot_pair(a, b):
    return bent(np.tensordot(a, b, axes=([1, 2], [0, 1])))


def einsum_pair(a, b):
    return bent(np.einsum("ij,jk->ik", a, b))


def einsum_diagonal(a):
    return bent(np.einsum("ii->i", a @ a.T))


def solve_vector(a, b):
    return bent(np.linalg.solve(a, b))


def solve_matrix(a, b):
    return bent(np.linalg.solve(a, b))


def solve_batched(a, b):
    return bent(np.linalg.solve(a, b))


def norm_two(x):
    return bent(np.linalg.norm(x, axis=1))


def norm_one(x):
    return bent(np.linalg.norm(x, 1) * x)


def norm_inf_rows(x):
    return bent(np.linalg.norm(x, np.inf, axis=1, keepdims=True) * x)


def norm_three(x):
    return bent(np.linalg.norm(x, 3, axis=0))


def norm_half(x):
    return bent(np.linalg.norm(x, 0.5))


def norm_matrix_one(x):
    return bent(np.linalg.norm(x, 1) * x)


def norm_frobenius(x):
    return bent(np.linalg.norm(x, "fro") * x)


def norm_nuclear(x):
    return bent(np.linalg.norm(x, "nuc") * x)


def norm_spectral(x):
    return bent(np.linalg.norm(x, 2) * x)


def norm_smallest_batched(x):
    return bent(np.linalg.norm(x, -2, axis=(2, 1)))


def prod_axis(x):
    return bent(np.prod(x, axis=1))


def prod_zeros(x):
    return bent(np.prod(x, axis=1)) + bent(np.prod(x, axis=0) * 2.0)


def prod_all(x):
    return bent(np.prod(x))


def builtin_max(x):
    return bent(max(x[0], x[1] * 0.5, x[2]))


def builtin_sum(x):
    return bent(sum([x[0], x[1] * x[2], x[3]]))


def fancy_read(x):
    """Repeated indices: the gradient accumulates with np.add.at, which the second
    derivative reads as ``bx = add_at(bx, i, g)``."""
    return bent(x[IDX] * x[[1, 1, 3, 0]])


def fancy_write(x, v):
    y = x * 1.0
    y[[0, 2]] += np.cos(v[[1, 1]]) * y[[3, 3]]
    return bent(y)


def add_at_into_local(x, v):
    acc = np.zeros(4)
    np.add.at(acc, [0, 0, 2], x * v[0])
    for i in range(2):
        np.add.at(acc, [i, 3], np.sin(acc[1:3]) * x[i])
    return bent(acc)


def einsum_scaled(x, s):
    """With respect to ``s`` the einsum's operands carry no tangent: one literal 0.0 stands
    for the whole tuple of them."""
    return bent(np.einsum("ij,j->i", S33, x)[0] * s)


def dict_in_loop(x, s):
    """Forward mode copies the dict of tangents before writing into it (``dd.copy()``): its
    tangent must stay a dict."""
    d = {"u": x * x, "w": s}
    for key in ["u", "w"]:
        d[key] = d[key] * 2.0 + np.sin(d[key])
    return bent(d["u"] * d["w"])


def _scaled_pair(v, c):
    return v * c, np.sum(np.sin(v)) + c


def tuple_callee(x, s):
    """The callee's derivative takes the adjoints of both results as one seed, a tuple:
    differentiated again, that seed parameter is a container."""
    y, c = _scaled_pair(x, s)
    return bent(y) + s * c


def return_then_fill(x, s):
    """A return inside a loop: the array filled after the loop exists on one path only,
    and its adjoint starts as a number where the paths meet."""
    c = s
    for i in range(3):
        c = c * x[i] + 0.3
        if c > 0.8:
            return bent(c * x)
    m = np.zeros((3, 3))
    for i in range(3):
        m[i, :] = x * c + x[i]
    return bent(m) + bent(x * c)


def _predict(params, x):
    return params["v"] @ np.tanh(x) + params["c"]


def dict_params_in_loop(x, s):
    """The callee's derivative returns (a dict of adjoints, an array): differentiated again,
    the adjoint of that pair adds dicts element by element (add_grad), never with `+`."""
    params = {"v": x, "c": s}
    total = 0.0
    for i in range(2):
        total = total + _predict(params, x * (i + 1)) ** 2
    return bent(total * s)


def case(function, *args, pair=(0, 0), autograd=True):
    name = f"{function.__name__}-{pair[0]}{pair[1]}"
    return pytest.param(function, args, pair, autograd, id=name)


NONLINEAR = [
    case(cumsum_flat, A34), case(cumsum_axis, A34), case(transpose_axes, X234),
    case(transpose_method, X234, autograd=False),
    case(transpose_method_tuple, X234, autograd=False), case(atleast_2d, V4),
    case(atleast_3d_many, V4, A34, autograd=False),
    case(atleast_3d_many, V4, A34, pair=(1, 0), autograd=False),
    case(stack, V4, B34[0]), case(stack, V4, B34[0], pair=(0, 1)), case(tile, A34),
    case(column_stack, V3, A34), case(column_stack, V3, A34, pair=(1, 0)),
    case(pad_constant, A34, autograd=False), case(pad_reflect, A34, autograd=False),
    case(windows, A34, autograd=False),
    case(convolve_same, V4, V3, autograd=False),
    case(convolve_same, V4, V3, pair=(0, 1), autograd=False),
    case(convolve_same, V3, V4, pair=(1, 1), autograd=False),
    case(pad_values, A34, np.array([0.5, -1.0]), pair=(1, 1), autograd=False),
    case(pad_values, A34, np.array([0.5, -1.0]), pair=(0, 1), autograd=False),
    case(repeat_axis, A34), case(repeat_flat, A34), case(diagonal_offset, A34, autograd=False), case(trace, A34),
    case(diag_both_ways, V3, S33), case(diag_both_ways, V3, S33, pair=(1, 0)),
    case(sort_axis, A34, autograd=False), case(sort_flat, A34, autograd=False),
    case(take_axis, A34, autograd=False), case(take_along_rows, A34, autograd=False),
    case(sort_of_a_product, A34, B34 + 2.0, pair=(0, 1), autograd=False),
    case(sort_of_a_product, A34, B34 + 2.0, pair=(1, 0), autograd=False),
    case(take_flat, A34, autograd=False),
    case(diff_twice, A34), case(dot_both, A34, M45[:, :3] * 1.0),
    case(dot_both, A34, M45[:, :3] * 1.0, pair=(0, 1)),
    case(dot_both, A34, M45[:, :3] * 1.0, pair=(1, 0)), case(dot_vector, A34, V4),
    case(dot_vector, A34, V4, pair=(1, 0)), case(tensordot_pair, X234, B34),
    case(tensordot_pair, X234, B34, pair=(0, 1)), case(tensordot_pair, X234, B34, pair=(1, 1)),
    case(einsum_pair, A34, M45), case(einsum_pair, A34, M45, pair=(0, 1)),
    case(einsum_pair, A34, M45, pair=(1, 0)), case(einsum_diagonal, A34, autograd=False),
    case(solve_vector, S33, V3), case(solve_vector, S33, V3, pair=(0, 1)),
    case(solve_vector, S33, V3, pair=(1, 0)), case(solve_matrix, S33, A34[:, :2] * 1.0),
    case(solve_matrix, S33, A34[:, :2] * 1.0, pair=(0, 1)),
    case(solve_batched, S233, X234[:, :, :2] * 1.0, pair=(0, 0), autograd=False),
    case(solve_batched, S233, X234[:, :, :2] * 1.0, pair=(1, 0), autograd=False),
    case(norm_two, A34), case(norm_one, V4, autograd=False), case(norm_inf_rows, A34, autograd=False), case(norm_three, A34),
    case(norm_half, V4 + 3.0, autograd=False),
    case(norm_matrix_one, A34, autograd=False), case(norm_frobenius, A34),
    case(norm_nuclear, A34), case(norm_nuclear, A34.T * 1.0), case(norm_spectral, A34, autograd=False),
    case(norm_spectral, A34.T * 1.0, autograd=False),
    case(norm_smallest_batched, X234, autograd=False),
    case(prod_axis, A34), case(prod_all, V4), case(prod_zeros, NEAR_ZERO, autograd=False),
    case(builtin_max, V4), case(builtin_sum, V4),
    case(fancy_read, V4), case(fancy_write, V4, V4 * 0.5, autograd=False),
    case(fancy_write, V4, V4 * 0.5, pair=(1, 0), autograd=False),
    case(add_at_into_local, V3, V3, autograd=False),
    case(add_at_into_local, V3, V3, pair=(1, 0), autograd=False),
    case(add_at_into_local, V3, V3, pair=(0, 1), autograd=False),
    case(einsum_scaled, V3, 0.7, pair=(0, 1)), case(einsum_scaled, V3, 0.7, pair=(1, 0)),
    case(dict_in_loop, V3, 0.7, autograd=False), case(dict_in_loop, V3, 0.7, pair=(1, 0), autograd=False),
    case(tuple_callee, V3, 0.7), case(tuple_callee, V3, 0.7, pair=(1, 0)),
    case(tuple_callee, V3, 0.7, pair=(0, 1)),
    case(return_then_fill, V3 * 0.2, 0.5, autograd=False),
    case(return_then_fill, V3 * 0.2, 0.5, pair=(1, 0), autograd=False),
    case(return_then_fill, np.abs(V3) + 0.8, 0.9, autograd=False),
    case(dict_params_in_loop, V3, 0.7, autograd=False),
    case(dict_params_in_loop, V3, 0.7, pair=(1, 0), autograd=False),
]


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("function, args, pair, autograd_has_it", NONLINEAR)
def test_second_derivatives_through_helpers(order, function, args, pair, autograd_has_it):
    i, j = pair
    t = rng.standard_normal(np.shape(args[i]))
    u = rng.standard_normal(np.shape(args[j]))
    expected = np.sum(t * gradient_change(function, args, i, j, u))
    ours = second_derivative(order, function, args, i, j, t, u)
    np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=1e-6)
    if autograd_has_it and i == j and order == ORDERS[0]:
        theirs = autograd.hessian_vector_product(_autograd_version(function), i)(*args, u)
        np.testing.assert_allclose(ours, np.sum(t * theirs), rtol=1e-6, atol=1e-8)


# --- every rule of the library, differentiated twice ------------------------------------------

# first order only: its helper has no rules (see the test below)
FIRST_ORDER_ONLY = (rule_cases.l_cond,)
EVERY_RULE = [
    pytest.param(p.values[0], p.values[1], k, id=f"{p.id}-{k}")
    for p in rule_cases.ALL
    for k in p.values[2]
    if np.issubdtype(np.asarray(p.values[1][k]).dtype, np.floating)
    and p.values[0] not in FIRST_ORDER_ONLY
]


def test_a_second_derivative_of_cond_is_refused_naming_its_helper():
    import tangent_lsp

    gradient = tangent_lsp.grad(rule_cases.l_cond)
    with pytest.raises(tangent_lsp.DiffError, match="cond_adjoint"):
        tangent_lsp.jvp(gradient, wrt=(0,))


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("function, args, k", EVERY_RULE)
def test_every_rule_has_second_derivatives(order, function, args, k):
    """The rule cases of ``test_numpy_rules`` (each argument in turn): every helper their
    derivatives call has the rules for a second derivative, and the result is right."""
    t = rng.standard_normal(np.shape(args[k]))
    u = rng.standard_normal(np.shape(args[k]))
    expected = np.sum(t * gradient_change(function, args, k, k, u, step=1e-5))
    ours = second_derivative(order, function, args, k, k, t, u)
    np.testing.assert_allclose(ours, expected, rtol=1e-4, atol=1e-6)


# --- every program of the zoo: branches, loops, containers, builtins ------------------------


def _programs():
    cases = [(p.id, p.values[0], p.values[1], p.values[2])
             for p in test_python_rules.BUILTINS + test_python_rules.MATH]
    for module in (test_programs, test_control_flow, test_containers):
        cases += [(c[0], c[1], c[2], c[3] if isinstance(c[3], tuple) else (c[3],))
                  for c in module.CASES]
    return [
        pytest.param(function, args, k, id=f"{name}-{k}")
        for name, function, args, wrt in cases for k in wrt
        if not isinstance(args[k], (list, tuple, dict))
        and np.issubdtype(np.asarray(args[k]).dtype, np.floating)
    ]


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("function, args, k", _programs())
def test_every_program_has_second_derivatives(order, function, args, k):
    """The generated code of a loop, a branch or a tape differentiates again: tapes of
    tapes, views restored in place (``B_i = B[:, j]`` read after ``B[:, j] = tape.pop()``),
    parameters outside ``wrt`` that become active in forward mode."""
    t = rng.standard_normal(np.shape(args[k]))
    u = rng.standard_normal(np.shape(args[k]))
    expected = np.sum(t * gradient_change(function, args, k, k, u, step=1e-5))
    ours = second_derivative(order, function, args, k, k, t, u)
    np.testing.assert_allclose(ours, expected, rtol=1e-4, atol=1e-6)
