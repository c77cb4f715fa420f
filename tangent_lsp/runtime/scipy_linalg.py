"""The SciPy linear algebra that derivatives of SciPy code call, imported when one first
runs (as ``special.py`` imports ``scipy.special``): tangent-lsp needs SciPy only where the
differentiated code uses it. Each has the signature, and the derivative rules, of the SciPy
function it calls."""

from __future__ import annotations


def _linalg():
    import scipy.linalg  # noqa: PLC0415 - only code that called scipy.linalg gets here

    return scipy.linalg


def triangular_solve(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     check_finite=True):
    """``scipy.linalg.solve_triangular``: ``op(a)^-1 b`` for the triangle of ``a`` that
    ``lower`` names; the solves of ``solve_triangular``'s own derivatives."""
    return _linalg().solve_triangular(a, b, trans, lower, unit_diagonal, overwrite_b,
                                      check_finite)


def matrix_exp(a):
    """``scipy.linalg.expm``: the matrix exponential, of which ``expm``'s derivatives take a
    block (Mathias 1996: the top-right block of the exponential of [[a, e], [0, a]])."""
    return _linalg().expm(a)


def cholesky_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """``scipy.linalg.cho_solve``: ``(c c^T)^-1 b`` for a lower factor ``c``, ``(c^T c)^-1 b``
    for an upper one; the solve of ``cho_solve``'s own derivatives."""
    return _linalg().cho_solve(c_and_lower, b, overwrite_b, check_finite)
