"""Reverse-mode rules for ``numpy.linalg`` (and ``matrix_power``, ``norm``): determinants,
inverses, solves, factorizations (Cholesky, eigh, SVD, QR), pseudo-inverses and least
squares. Same template notation and conventions as ``numpy_adjoints.py`` (parsed,
never run); a singular matrix gives inf/nan where the derivative inverts it.
"""

import numpy
from tangent_lsp.rules.notation import adjoint, d
from tangent_lsp.runtime import (
    cond_adjoint,
    kron_layout,
    norm_adjoint,
    residual_weights,
    solve_adjoint,
    svd_adjoints,
    triangle_weights,
)


# --- linear algebra --------------------------------------------------------------------


@adjoint(numpy.linalg.det)
def det(y, a):
    d[a] = numpy.expand_dims(d[y] * y, (-2, -1)) * numpy.swapaxes(numpy.linalg.inv(a), -1, -2)


@adjoint(numpy.linalg.slogdet)
def slogdet(y, a):  # y = (sign, logabsdet); only logabsdet carries a gradient
    d[a] = numpy.expand_dims(d[y][1], (-2, -1)) * numpy.swapaxes(numpy.linalg.inv(a), -1, -2)


@adjoint(numpy.linalg.inv)
def inv(y, a):
    yt = numpy.swapaxes(y, -1, -2)
    d[a] = -(yt @ d[y] @ yt)


@adjoint(numpy.linalg.cholesky)
def cholesky(y, a, upper=False):  # NumPy reads a's lower triangle (upper: U = L.T from a.T's)
    yt = y if upper else numpy.swapaxes(y, -1, -2)
    half = 1.0 - 0.5 * numpy.eye(numpy.shape(a)[-1])  # halves a diagonal
    p = numpy.tril(yt @ (numpy.swapaxes(d[y], -1, -2) if upper else d[y])) * half
    s = numpy.linalg.solve(yt, numpy.swapaxes(numpy.linalg.solve(yt, numpy.swapaxes(p, -1, -2)), -1, -2))
    lower = numpy.tril(s + numpy.swapaxes(s, -1, -2)) * half  # s = L^-T p L^-1, symmetrized
    d[a] = numpy.swapaxes(lower, -1, -2) if upper else lower


@adjoint(numpy.linalg.solve)
def solve(y, a, b):
    grads = solve_adjoint(d[y], a, b, y)
    d[a] = grads[0]
    d[b] = grads[1]


@adjoint(numpy.linalg.eigh)
def eigh(y, a, UPLO="L"):  # a = v diag(w) v^T: d[a] = v (diag(d[w]) + F * v^T d[v]) v^T, read from one triangle
    w = y[0]
    v = y[1]
    gw = numpy.broadcast_to(d[y][0], numpy.shape(w))  # a part may come as the number 0.0
    gv = numpy.broadcast_to(d[y][1], numpy.shape(v))
    vt = numpy.swapaxes(v, -1, -2)
    eye = numpy.eye(numpy.shape(a)[-1])
    gaps = (1.0 - eye) / (numpy.expand_dims(w, -2) - numpy.expand_dims(w, -1) + eye)  # F: 1/(w_j - w_i)
    s = v @ (numpy.expand_dims(gw, -2) * eye + gaps * (vt @ gv)) @ vt
    d[a] = (s + numpy.swapaxes(s, -1, -2)) * triangle_weights(a, UPLO)


@adjoint(numpy.linalg.eigvalsh)
def eigvalsh(y, a, UPLO="L"):
    v = numpy.linalg.eigh(a, UPLO)[1]
    s = (v * numpy.expand_dims(d[y], -2)) @ numpy.swapaxes(v, -1, -2)
    d[a] = (s + numpy.swapaxes(s, -1, -2)) * triangle_weights(a, UPLO)


@adjoint(numpy.linalg.svd)
def svd(y, a, full_matrices=True, compute_uv=True, hermitian=False):  # a = u diag(s) v^T, thin
    g = svd_adjoints(d[y], a, full_matrices, compute_uv)  # u's, s's, vh's; q's and p's below
    result = numpy.linalg.svd(a, full_matrices=full_matrices * compute_uv)
    s = result[1]
    k = numpy.shape(s)[-1]
    u = result[0][..., :k]
    vh = result[2][..., :k, :]
    q = result[0][..., k:]  # a full SVD's other columns of u, and rows of vh: any basis
    p = result[2][..., k:, :]  # of the complements, turning as u's and v's columns turn
    ut = numpy.swapaxes(u, -1, -2)
    v = numpy.swapaxes(vh, -1, -2)
    eye = numpy.eye(k)
    s2 = s * s
    gaps = (1.0 - eye) / (numpy.expand_dims(s2, -2) - numpy.expand_dims(s2, -1) + eye)  # 1/(s_j² - s_i²)
    utgu = ut @ g[0]
    vtgv = vh @ numpy.swapaxes(g[2], -1, -2)
    core = (
        gaps * (utgu - numpy.swapaxes(utgu, -1, -2)) * numpy.expand_dims(s, -2)
        + numpy.expand_dims(g[1], -2) * eye
        + numpy.expand_dims(s, -1) * (gaps * (vtgv - numpy.swapaxes(vtgv, -1, -2)))
    )
    scaled = u / numpy.expand_dims(s, -2)  # u s^-1
    d[a] = (
        u @ core @ vh
        + ((g[0] - u @ utgu) / numpy.expand_dims(s, -2)) @ vh  # (1 - u u^T) u' s^-1 v^T
        + scaled @ (g[2] - (g[2] @ v) @ vh)  # u s^-1 vh' (1 - v v^T)
        - (q @ numpy.swapaxes(g[3], -1, -2)) @ scaled @ vh  # q's: dq = -u s^-1 v^T da^T q
        - scaled @ (vh @ numpy.swapaxes(g[4], -1, -2)) @ p  # p's: dp = -p da^T u s^-1 v^T
    )


@adjoint(numpy.linalg.pinv)
def pinv(y, a, rcond=None, hermitian=False):  # constant rank; p = pinv(a) is y
    yt = numpy.swapaxes(y, -1, -2)
    gt = numpy.swapaxes(d[y], -1, -2)
    d[a] = (
        -(yt @ d[y] @ yt)
        + (gt - a @ (y @ gt)) @ (y @ yt)  # (1 - a p) g^T p p^T
        + (yt @ y) @ (gt - (gt @ y) @ a)  # p^T p g^T (1 - p a)
    )


@adjoint(numpy.linalg.qr)  # reduced, a tall or square: (gq + q copyltu(m)) r^-T, m = r gr^T - gq^T q
def qr(y, a, mode="reduced"):  # copyltu(m): m's lower triangle mirrored above its diagonal
    q = y[0]
    r = y[1]
    gq = numpy.broadcast_to(d[y][0], numpy.shape(q))  # a part may come as the number 0.0
    gr = numpy.broadcast_to(d[y][1], numpy.shape(r))
    m = r @ numpy.swapaxes(gr, -1, -2) - numpy.swapaxes(gq, -1, -2) @ q
    low = numpy.tril(m, -1)
    b = gq + q @ (low + numpy.swapaxes(low, -1, -2) + m * numpy.eye(numpy.shape(r)[-1]))
    d[a] = numpy.swapaxes(numpy.linalg.solve(r, numpy.swapaxes(b, -1, -2)), -1, -2)


@adjoint(numpy.linalg.lstsq)  # x = p b, p = pinv(a) = v s^-1 u^T of full rank (as pinv's rule); |b - a x|^2; s
def lstsq(y, a, b, rcond=None):  # b and x as columns; r = b - a x, which a^T annuls where there are residuals
    usv = numpy.linalg.svd(a, full_matrices=False)
    p = numpy.transpose(usv[2]) @ (numpy.transpose(usv[0]) / numpy.expand_dims(usv[1], -1))
    x = numpy.reshape(y[0], (numpy.shape(a)[1], -1))
    r = numpy.reshape(b, (numpy.shape(a)[0], -1)) - a @ x
    gx = numpy.reshape(numpy.broadcast_to(d[y][0], numpy.shape(y[0])), numpy.shape(x))
    gr = 2.0 * r * residual_weights(d[y][1], y[1], b)  # the residuals' gradient, 0 where there are none
    pgx = numpy.transpose(p) @ gx
    d[b] = numpy.reshape(pgx + gr, numpy.shape(b))
    d[a] = (
        r @ numpy.transpose(p @ pgx) - (pgx + gr) @ numpy.transpose(x)
        + (numpy.transpose(p) @ x) @ numpy.transpose(gx - p @ (a @ gx))  # (1 - p a) for a wide a
        + (usv[0] * numpy.broadcast_to(d[y][3], numpy.shape(usv[1]))) @ usv[2]  # the singular values, as svd's
    )


@adjoint(numpy.linalg.matrix_power)
def matrix_power(y, a, n):  # the top-right block of [[a^T, g], [0, a^T]]^n (any n, a batch too)
    at = numpy.swapaxes(a, -1, -2)
    k = numpy.shape(a)[-1]
    top = numpy.concatenate([at, d[y]], -1)
    bottom = numpy.concatenate([numpy.zeros_like(at), at], -1)
    d[a] = numpy.linalg.matrix_power(numpy.concatenate([top, bottom], -2), n)[..., :k, k:]


@adjoint(numpy.kron)
def kron(y, a, b):  # y's axes come in pairs (a0, b0, a1, b1, ...): each factor sums the other out
    layout = kron_layout(a, b)
    g = numpy.reshape(d[y], layout[0])
    d[a] = numpy.reshape(numpy.sum(g * numpy.reshape(b, layout[2]), axis=layout[3]), numpy.shape(a))
    d[b] = numpy.reshape(numpy.sum(g * numpy.reshape(a, layout[1]), axis=layout[4]), numpy.shape(b))


@adjoint(numpy.linalg.norm)
def norm(y, x, ord=None, axis=None, keepdims=False):
    d[x] = norm_adjoint(d[y], x, y, ord, axis, keepdims)


@adjoint(numpy.linalg.cond)
def cond(y, x, p=None):  # s_max / s_min (p None, 2), or norm(x, p) * norm(inv(x), p)
    d[x] = cond_adjoint(d[y], x, y, p)
