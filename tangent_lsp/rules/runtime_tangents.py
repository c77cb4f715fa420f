"""Forward-mode rules for the runtime helpers generated code calls.

They make generated code differentiable again: the tangent of a gradient
function is a Hessian-vector product (forward over reverse). Every helper
that carries a gradient is linear in it, and the matrix-product adjoints are
linear in each operand they read values from, so each rule is a sum of one
term per differentiable argument.
"""

import numpy
from tangent_lsp.rules.notation import d, nondifferentiable, tangent_
from tangent_lsp.runtime import (
    at_samples,
    add_grad,
    assigned_part,
    broadcast_like,
    broadcast_shape,
    copied,
    digamma,
    exprel_derivative,
    dot_adjoint_a,
    dot_adjoint_b,
    einsum_adjoint,
    einsum_adjoint_tangent,
    einsum_cross_tangent,
    einsum_tangent,
    extremum_mask,
    gram_adjoint,
    iv,
    ive,
    kron_layout,
    linspace_weights,
    matmul_adjoint_a,
    matmul_adjoint_b,
    mirrored,
    matmul_shape,
    outer_shape,
    kron_shape,
    einsum_shape,
    convolve_shape,
    norm_adjoint,
    norm_adjoint_tangent,
    pad_values,
    pick_adjoint,
    polygamma,
    sinc_curvature,
    sinc_slope,
    pick_tangent,
    prod_others,
    prod_others_tangent,
    reduced_count,
    reshape_each,
    reshape_tangents,
    shape_of,
    solve_adjoint,
    solve_adjoint_tangent,
    solve_tangent,
    split_like,
    svd_adjoints,
    svd_tangents,
    sum_tangents,
    tangents_like,
    tensordot_adjoint_a,
    tensordot_adjoint_b,
    tensordot_of,
    transpose_by,
    triangle_weights,
    unarray,
    undict,
    dict_of_tangents,
    unassigned_part,
    unmirrored,
    unbroadcast,
    uncumsum,
    undiag,
    undiagonal,
    undiff,
    unreduce,
    unrepeat,
    unsort,
    unstack,
    unlist,
    relist,
    unsum,
    untake,
    untake_along_axis,
    unconvolve,
    unpad,
    unpad_values,
    untile,
    unwindow,
    untranspose,
    zeros_like,
    zeros_of,
    add_at,
    add_at_tangent,
    average_weights,
    unaverage_weights,
    cov_count,
    cov_rows,
    uncov_rows,
    interp_layout,
    order_statistics,
    residual_weights,
    unresidual_weights,
)

# --- linear in the gradient they carry -------------------------------------------------


@tangent_(unbroadcast)
def t_unbroadcast(y, g, x):
    d[y] = unbroadcast(d[g], x)


@tangent_(unreduce)
def t_unreduce(y, g, x, axis=None, keepdims=False):
    d[y] = unreduce(d[g], x, axis=axis, keepdims=keepdims)


@tangent_(uncumsum)
def t_uncumsum(y, g, x, axis=None):
    d[y] = uncumsum(d[g], x, axis)


@tangent_(untranspose)
def t_untranspose(y, g, axes=None):
    d[y] = untranspose(d[g], axes)


@tangent_(transpose_by)
def t_transpose_by(y, g, axes=None):
    d[y] = transpose_by(d[g], axes)


@tangent_(reshape_tangents)
def t_reshape_tangents(z, ts, arys, y):
    d[z] = reshape_tangents(d[ts], arys, y)


@tangent_(reshape_each)
def t_reshape_each(y, g, arrays):
    d[y] = reshape_each(d[g], arrays)


@tangent_(split_like)
def t_split_like(y, g, arrays, axis=0, ndmin=1, columns=False):
    d[y] = split_like(d[g], arrays, axis, ndmin, columns)


@tangent_(unstack)
def t_unstack(y, g, arrays, axis=0):
    d[y] = unstack(d[g], arrays, axis)


@tangent_(undict)
def t_undict(y, g, mapping):
    d[y] = undict(d[g], mapping)


@tangent_(dict_of_tangents)
def t_dict_of_tangents(y, t, mapping):
    d[y] = dict_of_tangents(d[t], mapping)


@tangent_(unarray)
def t_unarray(y, g, obj):
    d[y] = unarray(d[g], obj)


@tangent_(untile)
def t_untile(y, g, x, reps):
    d[y] = untile(d[g], x, reps)


@tangent_(digamma)
def t_digamma(y, x):
    d[y] = d[x] * polygamma(1, x)


@tangent_(polygamma)
def t_polygamma(y, n, x):
    d[y] = d[x] * polygamma(n + 1, x)


@tangent_(iv)  # i0's and i1's derivatives, differentiated again
def t_iv(y, n, x):
    d[y] = d[x] * 0.5 * (iv(n - 1, x) + iv(n + 1, x))


@tangent_(ive)  # exp(-|x|) iv(n, x)
def t_ive(y, n, x):
    d[y] = d[x] * (0.5 * (ive(n - 1, x) + ive(n + 1, x)) - numpy.sign(x) * y)


@tangent_(exprel_derivative)  # exprel's derivatives, differentiated again
def t_exprel_derivative(y, n, x):
    d[y] = d[x] * exprel_derivative(n + 1, x)


@tangent_(sinc_slope)
def t_sinc_slope(y, x):
    d[y] = d[x] * sinc_curvature(x)


@tangent_(pad_values)
def t_pad_values(y, c, x, pad_width):
    d[y] = pad_values(d[c], x, pad_width)


@tangent_(unpad_values)
def t_unpad_values(y, g, x, pad_width, constant_values):
    d[y] = unpad_values(d[g], x, pad_width, constant_values)


@tangent_(unpad)
def t_unpad(y, g, x, pad_width, mode="constant"):
    d[y] = unpad(d[g], x, pad_width, mode=mode)


@tangent_(unconvolve)
def t_unconvolve(y, g, a, v, mode="full"):
    d[y] = unconvolve(d[g], a, v, mode=mode) + unconvolve(g, a, d[v], mode=mode)


@tangent_(unwindow)
def t_unwindow(y, g, x, window_shape, axis=None):
    d[y] = unwindow(d[g], x, window_shape, axis=axis)


@tangent_(unrepeat)
def t_unrepeat(y, g, x, repeats, axis=None):
    d[y] = unrepeat(d[g], x, repeats, axis)


@tangent_(undiagonal)
def t_undiagonal(y, g, x, offset=0, axis1=0, axis2=1):
    d[y] = undiagonal(d[g], x, offset, axis1, axis2)


@tangent_(mirrored)  # linear
def t_mirrored(y, a, lower=False):
    d[y] = mirrored(d[a], lower)


@tangent_(unmirrored)  # linear
def t_unmirrored(y, g, lower=False):
    d[y] = unmirrored(d[g], lower)


@tangent_(undiag)
def t_undiag(y, g, v, k=0):
    d[y] = undiag(d[g], v, k)


@tangent_(unsort)
def t_unsort(y, g, x, axis=-1):
    d[y] = unsort(d[g], x, axis)


@tangent_(add_at)
def t_add_at(y, a, indices, v):
    d[y] = add_at_tangent(y, d[a], indices, d[v])


@tangent_(add_at_tangent)  # linear in both tangents; y gives only the shape
def t_add_at_tangent(z, y, da, indices, dv):
    d[z] = add_at_tangent(y, d[da], indices, d[dv])


@tangent_(untake)
def t_untake(y, g, x, indices, axis=None, mode="raise"):
    d[y] = untake(d[g], x, indices, axis, mode)


@tangent_(untake_along_axis)
def t_untake_along_axis(y, g, x, indices, axis=-1):
    d[y] = untake_along_axis(d[g], x, indices, axis)


@tangent_(undiff)
def t_undiff(y, g, x, n=1, axis=-1):
    d[y] = undiff(d[g], x, n, axis)


@tangent_(unlist)
def t_unlist(y, g, iterable):
    d[y] = unlist(d[g], iterable)


@tangent_(relist)
def t_relist(y, c, iterable):
    d[y] = relist(d[c], iterable)


@tangent_(unsum)
def t_unsum(y, g, iterable):
    d[y] = unsum(d[g], iterable)


@tangent_(add_grad)
def t_add_grad(y, a, b):
    d[y] = add_grad(d[a], d[b])


# --- the forward-mode helpers: linear in the tangents they carry -----------------------------


@tangent_(copied)
def t_copied(y, t):
    d[y] = copied(d[t])


@tangent_(broadcast_like)
def t_broadcast_like(y, t, like):
    d[y] = broadcast_like(d[t], like)


@tangent_(tangents_like)
def t_tangents_like(y, t, x):
    d[y] = tangents_like(d[t], x)


@tangent_(sum_tangents)
def t_sum_tangents(y, ts):
    d[y] = sum_tangents(d[ts])


@tangent_(pick_tangent)
def t_pick_tangent(y, value, first, rest, t_first, t_rest):
    d[y] = pick_tangent(value, first, rest, d[t_first], d[t_rest])


# --- bilinear: the product adjoints read the other operand's values ---------------------


@tangent_(matmul_adjoint_a)
def t_matmul_adjoint_a(y, g, a, b):
    d[y] = matmul_adjoint_a(d[g], a, b) + matmul_adjoint_a(g, a, d[b])


@tangent_(gram_adjoint)  # bilinear in g and x
def t_gram_adjoint(y, g, x):
    d[y] = gram_adjoint(d[g], x) + gram_adjoint(g, d[x])


@tangent_(einsum_adjoint)  # linear in g and in each operand the adjoint does not belong to
def t_einsum_adjoint(y, g, subscripts, operands, optimize=False):
    d[y] = einsum_adjoint_tangent(g, subscripts, operands, d[g], d[operands], optimize=optimize)


@tangent_(solve_adjoint)  # through a^T gb = g and ga = -gb x^T
def t_solve_adjoint(y, g, a, b, x):
    d[y] = solve_adjoint_tangent(g, a, b, x, d[g], d[a], d[x])


@tangent_(pick_adjoint)  # linear in g; which item is picked does not move
def t_pick_adjoint(z, g, y, first, rest):
    d[z] = pick_adjoint(d[g], y, first, rest)


@tangent_(tensordot_of)
def t_tensordot_of(y, a, b, axes=2):
    d[y] = tensordot_of(d[a], b, axes) + tensordot_of(a, d[b], axes)


@tangent_(einsum_tangent)  # linear in the tangents and in each operand
def t_einsum_tangent(z, y, subscripts, operands, tangents, optimize=False):
    d[z] = einsum_tangent(y, subscripts, operands, d[tangents], optimize=optimize) + einsum_cross_tangent(
        y, subscripts, operands, tangents, d[operands], optimize=optimize
    )


@tangent_(solve_tangent)  # a z = db - da x, so a dz = d(db) - d(da) x - da dx - d(a) z
def t_solve_tangent(z, a, b, x, da, db):
    d[z] = (
        solve_tangent(a, b, x, d[da], d[db]) + solve_tangent(a, b, z, d[a], 0.0)
        + solve_tangent(a, b, d[x], da, 0.0)
    )


@tangent_(norm_adjoint)  # linear in g; the rest is the norm's curvature in x and y
def t_norm_adjoint(z, g, x, y, ord=None, axis=None, keepdims=False):
    d[z] = norm_adjoint(d[g], x, y, ord, axis, keepdims) + norm_adjoint_tangent(
        g, x, y, d[x], d[y], ord, axis, keepdims
    )


@tangent_(prod_others)  # the Hessian of prod times the tangent (exact with zeros)
def t_prod_others(y, x, axis=None):
    d[y] = prod_others_tangent(x, d[x], axis)


@tangent_(matmul_adjoint_b)
def t_matmul_adjoint_b(y, g, a, b):
    d[y] = matmul_adjoint_b(d[g], a, b) + matmul_adjoint_b(g, d[a], b)


@tangent_(dot_adjoint_a)
def t_dot_adjoint_a(y, g, a, b):
    d[y] = dot_adjoint_a(d[g], a, b) + dot_adjoint_a(g, a, d[b])


@tangent_(dot_adjoint_b)
def t_dot_adjoint_b(y, g, a, b):
    d[y] = dot_adjoint_b(d[g], a, b) + dot_adjoint_b(g, d[a], b)


@tangent_(tensordot_adjoint_a)
def t_tensordot_adjoint_a(y, g, a, b, axes=2):
    d[y] = tensordot_adjoint_a(d[g], a, b, axes) + tensordot_adjoint_a(g, a, d[b], axes)


@tangent_(tensordot_adjoint_b)
def t_tensordot_adjoint_b(y, g, a, b, axes=2):
    d[y] = tensordot_adjoint_b(d[g], a, b, axes) + tensordot_adjoint_b(g, d[a], b, axes)


@tangent_(svd_adjoints)  # linear in g, and in each part
def t_svd_adjoints(y, g, a, full_matrices=True, compute_uv=True):
    d[y] = svd_adjoints(d[g], a, full_matrices, compute_uv)


@tangent_(svd_tangents)
def t_svd_tangents(y, du, ds, dvh, dq, dp, a, full_matrices=True, compute_uv=True):
    d[y] = svd_tangents(d[du], d[ds], d[dvh], d[dq], d[dp], a, full_matrices, compute_uv)


@tangent_(assigned_part)  # linear in g
def t_assigned_part(y, g, index):
    d[y] = assigned_part(d[g], index)


@tangent_(at_samples)  # linear in the tangent
def t_at_samples(r, tangent, y, axis=0):
    d[r] = at_samples(d[tangent], y, axis)


@tangent_(average_weights)
def t_average_weights(y, weights, a, axis=None):
    d[y] = average_weights(d[weights], a, axis)


@tangent_(unaverage_weights)
def t_unaverage_weights(y, g, weights, a, axis=None):
    d[y] = unaverage_weights(d[g], weights, a, axis)


@tangent_(cov_rows)
def t_cov_rows(y, m, rowvar=True):
    d[y] = cov_rows(d[m], rowvar)


@tangent_(uncov_rows)
def t_uncov_rows(y, g, m, rowvar=True):
    d[y] = uncov_rows(d[g], m, rowvar)


@tangent_(residual_weights)
def t_residual_weights(y, g, residuals, b):
    d[y] = residual_weights(d[g], residuals, b)


@tangent_(unresidual_weights)
def t_unresidual_weights(y, c, residuals, b):
    d[y] = unresidual_weights(d[c], residuals, b)


@tangent_(unassigned_part)  # linear in c
def t_unassigned_part(y, c, g, index):
    d[y] = unassigned_part(d[c], g, index)


# piecewise constant, or shapes only
nondifferentiable(
    broadcast_shape, extremum_mask, kron_layout, linspace_weights, matmul_shape, reduced_count,
    outer_shape, kron_shape, einsum_shape, convolve_shape,
    shape_of, triangle_weights, zeros_like, zeros_of,
    cov_count, interp_layout, order_statistics,  # where the statistics and segments are
)
