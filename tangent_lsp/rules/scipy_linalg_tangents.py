"""Forward-mode rules for ``scipy.linalg`` (see ``scipy_linalg.py``)."""

import numpy
import scipy.linalg
from tangent_lsp.rules.notation import d, tangent_
from tangent_lsp.runtime import cholesky_solve, matrix_exp, mirrored, solve_tangent, triangular_solve


@tangent_(scipy.linalg.solve_triangular, triangular_solve)  # op(a) dy = db - op(da) y
def solve_triangular(y, a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     check_finite=True):
    da = (
        (numpy.tril(d[a], -1) if unit_diagonal else numpy.tril(d[a])) if lower
        else (numpy.triu(d[a], 1) if unit_diagonal else numpy.triu(d[a]))
    )
    dop = numpy.swapaxes(da, -1, -2) if trans in (1, 2, "T", "C") else da
    d[y] = triangular_solve(a, d[b] - dop @ y, trans=trans, lower=lower,
                            unit_diagonal=unit_diagonal)


@tangent_(scipy.linalg.cholesky)  # dL = L tril(L^-1 dA L^-T, diagonal halved); dA from a's triangle
def cholesky(y, a, lower=False, overwrite_a=False, check_finite=True):
    da = mirrored(d[a], lower=lower)
    left = triangular_solve(y, da, "N" if lower else "T", lower=lower)  # L^-1 dA
    m = triangular_solve(y, numpy.swapaxes(left, -1, -2), "N" if lower else "T", lower=lower)
    dl = (y if lower else numpy.swapaxes(y, -1, -2)) @ (
        numpy.tril(m) * (1.0 - 0.5 * numpy.eye(numpy.shape(a)[-1]))
    )
    d[y] = dl if lower else numpy.swapaxes(dl, -1, -2)


@tangent_(scipy.linalg.cho_solve, cholesky_solve)  # a dy = db - da y, da = dc c^T + c dc^T (lower c)
def cho_solve(y, c_and_lower, b, overwrite_b=False, check_finite=True):
    dc = numpy.tril(d[c_and_lower][0]) if c_and_lower[1] else numpy.triu(d[c_and_lower][0])
    half = (  # of the triangle read: the other may hold anything (cho_factor's)
        dc @ numpy.swapaxes(numpy.tril(c_and_lower[0]), -1, -2) if c_and_lower[1]
        else numpy.swapaxes(numpy.triu(c_and_lower[0]), -1, -2) @ dc
    )
    d[y] = cholesky_solve(c_and_lower, d[b] - (half + numpy.swapaxes(half, -1, -2)) @ y)


@tangent_(scipy.linalg.solve)  # a dy = db - da y, of the matrix solved with
def solve(y, a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True,
          assume_a=None, transposed=False):
    d[y] = (
        solve_tangent(mirrored(a, lower=lower), b, y, mirrored(d[a], lower=lower), d[b])
        if assume_a in ("sym", "symmetric", "her", "hermitian", "pos", "positive definite")
        else solve_tangent(numpy.swapaxes(a, -1, -2), b, y, numpy.swapaxes(d[a], -1, -2), d[b])
        if transposed else solve_tangent(a, b, y, d[a], d[b])
    )


@tangent_(scipy.linalg.inv)
def inv(y, a, overwrite_a=False, check_finite=True, assume_a=None, lower=False):
    d[y] = -(y @ (
        mirrored(d[a], lower=lower)
        if assume_a in ("sym", "symmetric", "her", "hermitian", "pos", "positive definite") else d[a]
    ) @ y)


@tangent_(scipy.linalg.det)  # d det(a) = det(a) tr(a^-1 da)
def det(y, a, overwrite_a=False, check_finite=True):
    d[y] = y * numpy.trace(numpy.linalg.solve(a, d[a]), axis1=-2, axis2=-1)


@tangent_(scipy.linalg.expm, matrix_exp)  # the top-right block of expm([[a, da], [0, a]])
def expm(y, a):
    k = numpy.shape(a)[-1]
    top = numpy.concatenate([a, d[a]], -1)
    bottom = numpy.concatenate([numpy.zeros_like(a), a], -1)
    d[y] = matrix_exp(numpy.concatenate([top, bottom], -2))[..., :k, k:]
