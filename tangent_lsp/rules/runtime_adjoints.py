"""Reverse-mode rules for the runtime helpers generated code calls, so that a
gradient can be differentiated in reverse mode again (reverse over reverse) and
forward-mode code in reverse mode (reverse over forward).
"""

import numpy
from tangent_lsp.rules.notation import adjoint, d
from tangent_lsp.runtime import (
    add_grad,
    at_samples,
    assigned_part,
    broadcast_like,
    copied,
    digamma,
    exprel_derivative,
    dot_adjoint_a,
    dot_adjoint_b,
    einsum_adjoint,
    einsum_adjoint_tangent,
    einsum_adjoint_vjp,
    einsum_tangent,
    gram_adjoint,
    iv,
    ive,
    pad_values,
    polygamma,
    sinc_curvature,
    sinc_slope,
    gram_adjoint_vjp,
    join_like,
    matmul_adjoint_a,
    matmul_adjoint_a_vjp,
    matmul_adjoint_b,
    mirrored,
    matmul_adjoint_b_vjp,
    norm_adjoint,
    norm_adjoint_vjp,
    pick_adjoint,
    pick_tangent,
    prod_others,
    prod_others_tangent,
    reshape_each,
    reshape_tangents,
    solve_adjoint,
    solve_adjoint_vjp,
    solve_tangent,
    solve_tangent_vjp,
    split_like,
    svd_adjoints,
    svd_tangents,
    sum_tangents,
    joined_tangents,
    tangents_like,
    tangents_like_adjoint,
    tensordot_adjoint_a,
    tensordot_adjoint_b,
    tensordot_of,
    transpose_by,
    unarray,
    unassigned_part,
    unmirrored,
    unbroadcast,
    uncumsum,
    undiag,
    undiagonal,
    undict,
    dict_of_tangents,
    undiff,
    unreduce,
    unreduce_adjoint,
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
    add_at,
    add_at_tangent,
    average_weights,
    unaverage_weights,
    cov_rows,
    uncov_rows,
    residual_weights,
    unresidual_weights,
)


@adjoint(unbroadcast)  # sums or spreads g to x's shape; its adjoint does the reverse
def a_unbroadcast(y, g, x):
    d[g] = unbroadcast(d[y], g)


@adjoint(split_like)  # linear in g: its adjoint puts the pieces' adjoints back together
def a_split_like(y, g, arrays, axis=0, ndmin=1, columns=False):
    d[g] = join_like(d[y], g, arrays, axis, ndmin, columns)


@adjoint(einsum_adjoint)  # each operand's adjoint is the einsum transposed in that operand
def a_einsum_adjoint(y, g, subscripts, operands, optimize=False):
    parts = einsum_adjoint_vjp(d[y], g, subscripts, operands, optimize=optimize)
    d[g] = parts[0]
    d[operands] = parts[1]


@adjoint(solve_adjoint)
def a_solve_adjoint(y, g, a, b, x):
    parts = solve_adjoint_vjp(d[y], g, a, b, x)
    d[g] = parts[0]
    d[a] = parts[1]
    d[x] = parts[2]


@adjoint(svd_adjoints)  # picks the thin SVD's parts out of svd's result: its adjoint packs them back
def a_svd_adjoints(y, g, a, full_matrices=True, compute_uv=True):
    d[g] = svd_tangents(d[y][0], d[y][1], d[y][2], d[y][3], d[y][4], a, full_matrices, compute_uv)


@adjoint(svd_tangents)
def a_svd_tangents(y, du, ds, dvh, dq, dp, a, full_matrices=True, compute_uv=True):
    parts = svd_adjoints(d[y], a, full_matrices, compute_uv)
    d[du] = parts[0]
    d[ds] = parts[1]
    d[dvh] = parts[2]
    d[dq] = parts[3]
    d[dp] = parts[4]


@adjoint(assigned_part)  # a masked gather: its adjoint scatters back, the last write winning
def a_assigned_part(y, g, index):
    d[g] = unassigned_part(d[y], g, index)


@adjoint(unassigned_part)
def a_unassigned_part(y, c, g, index):
    d[c] = assigned_part(d[y], index)


@adjoint(norm_adjoint)  # linear in g; the norm's curvature in x and y
def a_norm_adjoint(z, g, x, y, ord=None, axis=None, keepdims=False):
    parts = norm_adjoint_vjp(d[z], g, x, y, ord, axis, keepdims)
    d[g] = parts[0]
    d[x] = parts[1]
    d[y] = parts[2]


@adjoint(prod_others)  # the Hessian of prod is symmetric: the adjoint is its product too
def a_prod_others(y, x, axis=None):
    d[x] = prod_others_tangent(x, d[y], axis)


@adjoint(copied)
def a_copied(y, t):
    d[t] = d[y]


@adjoint(broadcast_like)
def a_broadcast_like(y, t, like):
    d[t] = unbroadcast(d[y], t)


@adjoint(unreduce)
def a_unreduce(y, g, x, axis=None, keepdims=False):
    d[g] = unreduce_adjoint(d[y], g, x, axis, keepdims)


@adjoint(matmul_adjoint_a)
def a_matmul_adjoint_a(y, g, a, b):
    parts = matmul_adjoint_a_vjp(d[y], g, a, b)
    d[g] = parts[0]
    d[b] = parts[1]


@adjoint(matmul_adjoint_b)
def a_matmul_adjoint_b(y, g, a, b):
    parts = matmul_adjoint_b_vjp(d[y], g, a, b)
    d[g] = parts[0]
    d[a] = parts[1]


@adjoint(gram_adjoint)
def a_gram_adjoint(y, g, x):
    parts = gram_adjoint_vjp(d[y], g, x)
    d[g] = parts[0]
    d[x] = parts[1]


@adjoint(add_grad)
def a_add_grad(y, a, b):
    d[a] = d[y]
    d[b] = d[y]


@adjoint(unlist)  # stacks an array's elements' adjoints: its adjoint splits them again
def a_unlist(y, g, iterable):
    d[g] = relist(d[y], iterable)


@adjoint(relist)
def a_relist(y, c, iterable):
    d[c] = unlist(d[y], iterable)


@adjoint(undict)  # linear in g, as its transpose dict_of_tangents is in t
def a_undict(y, g, mapping):
    d[g] = dict_of_tangents(d[y], mapping)


@adjoint(dict_of_tangents)
def a_dict_of_tangents(y, t, mapping):
    d[t] = undict(d[y], mapping)


@adjoint(unsum)  # one copy of g per element: its adjoint adds the elements' adjoints up
def a_unsum(y, g, iterable):
    d[g] = unbroadcast(sum_tangents(d[y]), g)


@adjoint(joined_tangents)
def a_joined_tangents(y, ta, tb, a, b):
    d[ta] = d[y][:len(a)]
    d[tb] = d[y][len(a):]


@adjoint(tangents_like)
def a_tangents_like(y, t, x):
    d[t] = tangents_like_adjoint(d[y], t, x)


# --- adjoints of adjoints: each is linear in g, so its adjoint is the forward operation ---


@adjoint(uncumsum)
def a_uncumsum(y, g, x, axis=None):
    d[g] = numpy.cumsum(d[y], axis)


@adjoint(untranspose)
def a_untranspose(y, g, axes=None):
    d[g] = transpose_by(d[y], axes)


@adjoint(transpose_by)
def a_transpose_by(y, g, axes=None):
    d[g] = untranspose(d[y], axes)


@adjoint(reshape_each)
def a_reshape_each(y, g, arrays):
    d[g] = reshape_tangents(d[y], arrays, g)


@adjoint(unstack)
def a_unstack(y, g, arrays, axis=0):
    d[g] = numpy.stack(tangents_like(d[y], arrays), axis)


@adjoint(untile)
def a_untile(y, g, x, reps):
    d[g] = numpy.tile(d[y], reps)


@adjoint(digamma)  # gammaln's derivative, differentiated again
def a_digamma(y, x):
    d[x] = d[y] * polygamma(1, x)


@adjoint(polygamma)
def a_polygamma(y, n, x):
    d[x] = d[y] * polygamma(n + 1, x)


@adjoint(iv)  # i0's and i1's derivatives, differentiated again
def a_iv(y, n, x):
    d[x] = d[y] * 0.5 * (iv(n - 1, x) + iv(n + 1, x))


@adjoint(ive)  # exp(-|x|) iv(n, x)
def a_ive(y, n, x):
    d[x] = d[y] * (0.5 * (ive(n - 1, x) + ive(n + 1, x)) - numpy.sign(x) * y)


@adjoint(exprel_derivative)  # exprel's derivatives, differentiated again
def a_exprel_derivative(y, n, x):
    d[x] = d[y] * exprel_derivative(n + 1, x)


@adjoint(sinc_slope)  # sinc's derivative, differentiated again
def a_sinc_slope(y, x):
    d[x] = d[y] * sinc_curvature(x)


@adjoint(pad_values)
def a_pad_values(y, c, x, pad_width):
    d[c] = unpad_values(d[y], x, pad_width, c)


@adjoint(unpad_values)
def a_unpad_values(y, g, x, pad_width, constant_values):
    d[g] = pad_values(d[y], x, pad_width)


@adjoint(unpad)  # the transpose of unpad pads again, with zeros where nothing was copied
def a_unpad(y, g, x, pad_width, mode="constant"):
    d[g] = numpy.pad(d[y], pad_width, mode=mode)


@adjoint(unconvolve)  # bilinear in g and v: the convolution itself, and the other pairing
def a_unconvolve(y, g, a, v, mode="full"):
    d[g] = numpy.convolve(d[y], v, mode=mode)
    d[v] = unconvolve(g, v, d[y], mode=mode)


@adjoint(unwindow)  # the transpose of adding windows back: taking them again
def a_unwindow(y, g, x, window_shape, axis=None):
    d[g] = numpy.lib.stride_tricks.sliding_window_view(d[y], window_shape, axis=axis)


@adjoint(unrepeat)
def a_unrepeat(y, g, x, repeats, axis=None):
    d[g] = numpy.repeat(d[y], repeats, axis)


@adjoint(undiagonal)  # a trace's g broadcasts along the diagonal: summed back
def a_undiagonal(y, g, x, offset=0, axis1=0, axis2=1):
    d[g] = unbroadcast(numpy.diagonal(d[y], offset, axis1, axis2), g)


@adjoint(mirrored)  # linear: unmirrored is its transpose, and the other way round
def a_mirrored(y, a, lower=False):
    d[a] = unmirrored(d[y], lower)


@adjoint(unmirrored)
def a_unmirrored(y, g, lower=False):
    d[g] = mirrored(d[y], lower)


@adjoint(undiag)  # diag of a vector builds a matrix, of a matrix takes its diagonal
def a_undiag(y, g, v, k=0):
    d[g] = numpy.diag(d[y], k)


@adjoint(at_samples)  # linear: the same numbers, with axes of length 1 added
def a_at_samples(r, tangent, y, axis=0):
    d[tangent] = numpy.reshape(d[r], numpy.shape(tangent))


@adjoint(unsort)
def a_unsort(y, g, x, axis=-1):
    d[g] = numpy.take_along_axis(d[y], numpy.argsort(x, axis=axis, kind="stable"), axis=axis)


@adjoint(untake)
def a_untake(y, g, x, indices, axis=None, mode="raise"):
    d[g] = numpy.take(d[y], indices, axis=axis, mode=mode)


@adjoint(untake_along_axis)
def a_untake_along_axis(y, g, x, indices, axis=-1):
    d[g] = numpy.take_along_axis(d[y], indices, axis=axis)


@adjoint(add_at)  # y = a with v added at indices: a's adjoint passes, v's is gathered there
def a_add_at(y, a, indices, v):
    d[a] = d[y]
    d[v] = unbroadcast(d[y][indices], v)


@adjoint(add_at_tangent)
def a_add_at_tangent(z, y, da, indices, dv):
    d[da] = unbroadcast(d[z], da)
    d[dv] = unbroadcast(d[z][indices], dv)


@adjoint(unarray)  # g split into obj's structure: its adjoint packs the pieces back
def a_unarray(y, g, obj):
    d[g] = numpy.reshape(numpy.array(tangents_like(d[y], obj), dtype=float), numpy.shape(g))


@adjoint(undiff)
def a_undiff(y, g, x, n=1, axis=-1):
    d[g] = numpy.diff(d[y], n, axis)


# bilinear: in g, and in the operand whose adjoint it is not


@adjoint(dot_adjoint_a)
def a_dot_adjoint_a(y, g, a, b):
    d[g] = numpy.dot(d[y], b)
    d[b] = dot_adjoint_b(g, d[y], b)


@adjoint(dot_adjoint_b)
def a_dot_adjoint_b(y, g, a, b):
    d[g] = numpy.dot(a, d[y])
    d[a] = dot_adjoint_a(g, a, d[y])


@adjoint(tensordot_adjoint_a)
def a_tensordot_adjoint_a(y, g, a, b, axes=2):
    d[g] = tensordot_of(d[y], b, axes)
    d[b] = tensordot_adjoint_b(g, d[y], b, axes)


@adjoint(tensordot_adjoint_b)
def a_tensordot_adjoint_b(y, g, a, b, axes=2):
    d[g] = tensordot_of(a, d[y], axes)
    d[a] = tensordot_adjoint_a(g, a, d[y], axes)


@adjoint(tensordot_of)
def a_tensordot_of(y, a, b, axes=2):
    d[a] = tensordot_adjoint_a(d[y], a, b, axes)
    d[b] = tensordot_adjoint_b(d[y], a, b, axes)


# --- adjoints of forward-mode helpers (reverse over forward) ------------------------------


@adjoint(sum_tangents)
def a_sum_tangents(y, ts):
    d[ts] = unsum(d[y], ts)


@adjoint(pick_tangent)  # the picked item's tangent passes through
def a_pick_tangent(z, y, first, rest, t_first, t_rest):
    parts = pick_adjoint(d[z], y, first, rest)
    d[t_first] = parts[0]
    d[t_rest] = parts[1]


@adjoint(pick_adjoint)  # g goes to the picked item: its adjoint is that item's
def a_pick_adjoint(z, g, y, first, rest):
    d[g] = pick_tangent(y, first, rest, d[z][0], d[z][1])


@adjoint(reshape_tangents)
def a_reshape_tangents(z, ts, arys, y):
    d[ts] = reshape_each(d[z], arys)


@adjoint(einsum_tangent)  # linear in the tangents, and in each operand the tangent is not in
def a_einsum_tangent(z, y, subscripts, operands, tangents, optimize=False):
    d[tangents] = einsum_adjoint(d[z], subscripts, operands, optimize=optimize)
    d[operands] = einsum_adjoint_tangent(d[z], subscripts, operands, 0.0, tangents, optimize=optimize)


@adjoint(solve_tangent)
def a_solve_tangent(z, a, b, x, da, db):
    parts = solve_tangent_vjp(d[z], a, b, x, z, da)
    d[a] = parts[0]
    d[x] = parts[1]
    d[da] = parts[2]
    d[db] = parts[3]


@adjoint(average_weights)  # lays the weights along a's axes: its adjoint sums them back
def a_average_weights(y, weights, a, axis=None):
    d[weights] = unaverage_weights(d[y], weights, a, axis)


@adjoint(unaverage_weights)  # linear in g
def a_unaverage_weights(y, g, weights, a, axis=None):
    d[g] = unbroadcast(average_weights(d[y], a, axis), g)


@adjoint(cov_rows)  # a reshape or a transposition
def a_cov_rows(y, m, rowvar=True):
    d[m] = uncov_rows(d[y], m, rowvar)


@adjoint(uncov_rows)
def a_uncov_rows(y, g, m, rowvar=True):
    d[g] = unbroadcast(cov_rows(d[y], rowvar), g)


@adjoint(residual_weights)  # linear in g
def a_residual_weights(y, g, residuals, b):
    d[g] = unbroadcast(unresidual_weights(d[y], residuals, b), g)


@adjoint(unresidual_weights)  # linear in c
def a_unresidual_weights(y, c, residuals, b):
    d[c] = unbroadcast(residual_weights(d[y], residuals, b), c)
