"""Forward-mode rules for ``numpy.linalg`` (and ``kron``, ``matrix_power``, ``norm``), with
the keys and signatures of ``numpy_linalg.py``. Same template notation as
``numpy_tangents.py`` (parsed, never run).
"""

import numpy
from tangent_lsp.rules.notation import d, tangent_
from tangent_lsp.runtime import (
    cond_adjoint,
    unresidual_weights,
    norm_adjoint,
    solve_tangent,
    svd_tangents,
    triangle_weights,
)


# --- linear algebra --------------------------------------------------------------------


@tangent_(numpy.linalg.det)
def det(y, a):  # d det(a) = det(a) tr(a^-1 da)
    d[y] = y * numpy.trace(numpy.linalg.solve(a, d[a]), axis1=-2, axis2=-1)


@tangent_(numpy.linalg.slogdet)
def slogdet(y, a):  # y = (sign, logabsdet); the sign's tangent is zero
    d[y] = (
        numpy.zeros(numpy.shape(y[0])),
        numpy.trace(numpy.linalg.solve(a, d[a]), axis1=-2, axis2=-1),
    )


@tangent_(numpy.linalg.inv)
def inv(y, a):
    d[y] = -(y @ d[a] @ y)


@tangent_(numpy.linalg.cholesky)
def cholesky(y, a, upper=False):  # dL = L tril(L^-1 dA L^-T, diagonal halved); dA from a's
    lower = numpy.tril(numpy.swapaxes(d[a], -1, -2) if upper else d[a])  # lower triangle
    da = lower + numpy.swapaxes(lower, -1, -2) - lower * numpy.eye(numpy.shape(a)[-1])
    factor = numpy.swapaxes(y, -1, -2) if upper else y  # (upper: U = L.T, of a.T)
    m = numpy.swapaxes(numpy.linalg.solve(factor, numpy.swapaxes(numpy.linalg.solve(factor, da), -1, -2)), -1, -2)
    dl = factor @ (numpy.tril(m) * (1.0 - 0.5 * numpy.eye(numpy.shape(a)[-1])))
    d[y] = numpy.swapaxes(dl, -1, -2) if upper else dl


@tangent_(numpy.linalg.solve)
def solve(y, a, b):  # a dy = db - da y
    d[y] = solve_tangent(a, b, y, d[a], d[b])


@tangent_(numpy.linalg.eigh)
def eigh(y, a, UPLO="L"):  # p = v^T da v: dw = diag(p), dv = v (F * p) with F = 1/(w_j - w_i)
    w = y[0]
    v = y[1]
    eye = numpy.eye(numpy.shape(a)[-1])
    da = d[a] * triangle_weights(a, UPLO)  # the symmetric matrix eigh reads: da + da^T
    p = numpy.swapaxes(v, -1, -2) @ (da + numpy.swapaxes(da, -1, -2)) @ v
    gaps = (1.0 - eye) / (numpy.expand_dims(w, -2) - numpy.expand_dims(w, -1) + eye)
    d[y] = (numpy.diagonal(p, axis1=-2, axis2=-1), v @ (gaps * p))


@tangent_(numpy.linalg.eigvalsh)
def eigvalsh(y, a, UPLO="L"):
    v = numpy.linalg.eigh(a, UPLO)[1]
    da = d[a] * triangle_weights(a, UPLO)
    d[y] = numpy.sum(v * ((da + numpy.swapaxes(da, -1, -2)) @ v), axis=-2)


@tangent_(numpy.linalg.svd)
def svd(y, a, full_matrices=True, compute_uv=True, hermitian=False):  # p = u^T da v, thin
    result = numpy.linalg.svd(a, full_matrices=full_matrices * compute_uv)
    s = result[1]
    k = numpy.shape(s)[-1]
    u = result[0][..., :k]
    vh = result[2][..., :k, :]
    v = numpy.swapaxes(vh, -1, -2)
    dat = numpy.swapaxes(d[a], -1, -2)
    p = numpy.swapaxes(u, -1, -2) @ d[a] @ v
    pt = numpy.swapaxes(p, -1, -2)
    eye = numpy.eye(k)
    s2 = s * s
    gaps = (1.0 - eye) / (numpy.expand_dims(s2, -2) - numpy.expand_dims(s2, -1) + eye)  # 1/(s_j² - s_i²)
    row = numpy.expand_dims(s, -2)
    column = numpy.expand_dims(s, -1)
    du = u @ (gaps * (p * row + column * pt)) + (d[a] @ v - u @ p) / row
    dv = v @ (gaps * (column * p + pt * row)) + (dat @ u - v @ pt) / row
    scaled = u / row  # u s^-1
    dq = -(scaled @ (vh @ dat @ result[0][..., k:]))  # a full SVD's other columns of u
    dp = -((result[2][..., k:, :] @ dat @ scaled) @ vh)  # and rows of vh
    d[y] = svd_tangents(
        du, numpy.diagonal(p, axis1=-2, axis2=-1), numpy.swapaxes(dv, -1, -2), dq, dp,
        a, full_matrices, compute_uv,
    )


@tangent_(numpy.linalg.pinv)
def pinv(y, a, rcond=None, hermitian=False):  # constant rank; p = pinv(a) is y
    yt = numpy.swapaxes(y, -1, -2)
    dat = numpy.swapaxes(d[a], -1, -2)
    d[y] = (
        -(y @ d[a] @ y)
        + (y @ yt) @ (dat - (dat @ a) @ y)  # p p^T da^T (1 - a p)
        + (dat - y @ (a @ dat)) @ (yt @ y)  # (1 - p a) da^T p^T p
    )


@tangent_(numpy.linalg.qr)  # c = q^T da r^-1 = q^T dq + dr r^-1: antisymmetric plus upper triangular
def qr(y, a, mode="reduced"):
    q = y[0]
    r = y[1]
    dar = numpy.swapaxes(numpy.linalg.solve(numpy.swapaxes(r, -1, -2), numpy.swapaxes(d[a], -1, -2)), -1, -2)
    low = numpy.tril(numpy.swapaxes(q, -1, -2) @ dar, -1)
    upper = numpy.swapaxes(q, -1, -2) @ dar - low + numpy.swapaxes(low, -1, -2)  # dr r^-1
    d[y] = (dar - q @ upper, upper @ r)


@tangent_(numpy.linalg.lstsq)  # dx = p (db - da x) + p p^T da^T r + (1 - p a) da^T p^T x; the rank's is 0
def lstsq(y, a, b, rcond=None):
    usv = numpy.linalg.svd(a, full_matrices=False)
    p = numpy.transpose(usv[2]) @ (numpy.transpose(usv[0]) / numpy.expand_dims(usv[1], -1))
    x = numpy.reshape(y[0], (numpy.shape(a)[1], -1))
    r = numpy.reshape(b, (numpy.shape(a)[0], -1)) - a @ x
    moved = numpy.reshape(d[b], numpy.shape(r)) - d[a] @ x  # how r moves, a x held
    turned = numpy.transpose(d[a]) @ (numpy.transpose(p) @ x)
    d[y] = (
        numpy.reshape(p @ moved + p @ (numpy.transpose(p) @ (numpy.transpose(d[a]) @ r)) + turned - p @ (a @ turned),
                      numpy.shape(y[0])),
        unresidual_weights(2.0 * numpy.sum(r * moved, axis=0), y[1], b),
        numpy.zeros(numpy.shape(y[2])),
        numpy.sum(usv[0] * (d[a] @ numpy.transpose(usv[2])), axis=0),
    )


@tangent_(numpy.linalg.matrix_power)
def matrix_power(y, a, n):  # the top-right block of [[a, da], [0, a]]^n (any n, a batch too)
    k = numpy.shape(a)[-1]
    top = numpy.concatenate([a, d[a]], -1)
    bottom = numpy.concatenate([numpy.zeros_like(a), a], -1)
    d[y] = numpy.linalg.matrix_power(numpy.concatenate([top, bottom], -2), n)[..., :k, k:]


@tangent_(numpy.kron)
def kron(y, a, b):
    d[y] = numpy.kron(d[a], b) + numpy.kron(a, d[b])


@tangent_(numpy.linalg.norm)
def norm(y, x, ord=None, axis=None, keepdims=False):
    # the adjoint of a gradient of ones is the Jacobian: second derivatives reuse its rules
    jacobian = norm_adjoint(numpy.ones_like(y), x, y, ord, axis, keepdims)
    d[y] = numpy.sum(jacobian * d[x], axis=axis, keepdims=keepdims)


@tangent_(numpy.linalg.cond)
def cond(y, x, p=None):  # the adjoint of a gradient of ones is the Jacobian
    d[y] = numpy.sum(cond_adjoint(numpy.ones_like(y), x, y, p) * d[x], axis=(-2, -1))
