"""Reverse-mode rules for ``scipy.linalg``: the triangular solves and the Cholesky factor
a Gaussian process or a whitening step is written with, general and symmetric solves and
inverses, determinants and the matrix exponential. Same template notation as
``numpy_linalg.py`` (parsed, never run: SciPy need not be installed); the SciPy functions
the derivatives call come through ``tangent_lsp.runtime``.

A solver that reads one triangle of ``a`` (``solve_triangular``; ``cholesky``; ``solve``
and ``inv`` with ``assume_a`` 'pos', 'sym' or 'her') gives ``a`` no gradient in the other,
as a central difference of the function finds it.
"""

import numpy
import scipy.linalg
from tangent_lsp.rules.notation import adjoint, d
from tangent_lsp.runtime import (
    cholesky_solve, matmul_adjoint_a, matrix_exp, mirrored, solve_adjoint, triangular_solve, unbroadcast,
    unmirrored,
)


@adjoint(scipy.linalg.solve_triangular, triangular_solve)  # y = op(a)^-1 b, op(a) = a or a^T
def solve_triangular(y, a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     check_finite=True):
    gb = triangular_solve(a, d[y], "N" if trans in (1, 2, "T", "C") else "T", lower=lower,
                          unit_diagonal=unit_diagonal)  # op(a)^-T g
    gop = matmul_adjoint_a(-gb, a, y)  # -gb y^T: op(a)'s gradient
    g = numpy.swapaxes(gop, -1, -2) if trans in (1, 2, "T", "C") else gop
    d[b] = unbroadcast(gb, b)
    d[a] = (
        (numpy.tril(g, -1) if unit_diagonal else numpy.tril(g)) if lower
        else (numpy.triu(g, 1) if unit_diagonal else numpy.triu(g))
    )


@adjoint(scipy.linalg.cholesky)  # numpy.linalg.cholesky's, its solves by the factor triangular
def cholesky(y, a, lower=False, overwrite_a=False, check_finite=True):  # y = L, or U = L^T
    gl = d[y] if lower else numpy.swapaxes(d[y], -1, -2)
    half = 1.0 - 0.5 * numpy.eye(numpy.shape(a)[-1])  # halves a diagonal
    p = numpy.tril((numpy.swapaxes(y, -1, -2) if lower else y) @ gl) * half  # L^T gL
    left = triangular_solve(y, numpy.swapaxes(p, -1, -2), "T" if lower else "N", lower=lower)
    s = triangular_solve(y, numpy.swapaxes(left, -1, -2), "T" if lower else "N", lower=lower)
    low = numpy.tril(s + numpy.swapaxes(s, -1, -2)) * half  # s = L^-T p L^-1, symmetrized
    d[a] = low if lower else numpy.swapaxes(low, -1, -2)


@adjoint(scipy.linalg.cho_solve, cholesky_solve)  # y = a^-1 b, a = c c^T (lower c) or c^T c
def cho_solve(y, c_and_lower, b, overwrite_b=False, check_finite=True):
    gb = cholesky_solve(c_and_lower, d[y])  # a^-1 g, a symmetric
    ga = matmul_adjoint_a(-gb, c_and_lower[0], y)  # -gb y^T: a's gradient
    s = ga + numpy.swapaxes(ga, -1, -2)
    d[b] = unbroadcast(gb, b)
    d[c_and_lower] = (  # of the triangle read: the other may hold anything (cho_factor's)
        numpy.tril(s @ numpy.tril(c_and_lower[0])) if c_and_lower[1]
        else numpy.triu(numpy.triu(c_and_lower[0]) @ s), 0.0
    )


@adjoint(scipy.linalg.solve)  # the matrix solved with: a, a^T, or one triangle mirrored
def solve(y, a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True,
          assume_a=None, transposed=False):
    grads = solve_adjoint(d[y], (
        mirrored(a, lower=lower) if assume_a in ("sym", "symmetric", "her", "hermitian", "pos", "positive definite")
        else numpy.swapaxes(a, -1, -2) if transposed else a
    ), b, y)
    d[a] = (
        unmirrored(grads[0], lower=lower) if assume_a in ("sym", "symmetric", "her", "hermitian", "pos", "positive definite")
        else numpy.swapaxes(grads[0], -1, -2) if transposed else grads[0]
    )
    d[b] = grads[1]


@adjoint(scipy.linalg.inv)
def inv(y, a, overwrite_a=False, check_finite=True, assume_a=None, lower=False):
    yt = numpy.swapaxes(y, -1, -2)
    g = -(yt @ d[y] @ yt)
    d[a] = unmirrored(g, lower=lower) if assume_a in ("sym", "symmetric", "her", "hermitian", "pos", "positive definite") else g


@adjoint(scipy.linalg.det)
def det(y, a, overwrite_a=False, check_finite=True):
    d[a] = numpy.expand_dims(d[y] * y, (-2, -1)) * numpy.swapaxes(numpy.linalg.inv(a), -1, -2)


@adjoint(scipy.linalg.expm, matrix_exp)  # the top-right block of expm([[a^T, g], [0, a^T]])
def expm(y, a):
    at = numpy.swapaxes(a, -1, -2)
    k = numpy.shape(a)[-1]
    top = numpy.concatenate([at, d[y]], -1)
    bottom = numpy.concatenate([numpy.zeros_like(at), at], -1)
    d[a] = matrix_exp(numpy.concatenate([top, bottom], -2))[..., :k, k:]
