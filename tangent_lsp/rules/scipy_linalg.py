"""Reverse-mode rules for ``scipy.linalg``: the triangular solves a Gaussian process or a
whitening step is written with. Same template notation as ``numpy_linalg.py`` (parsed,
never run: SciPy need not be installed); the solves the derivatives make call SciPy
through ``tangent_lsp.runtime``.

A triangular solve reads one triangle of ``a`` (and not its diagonal with
``unit_diagonal``): ``a``'s gradient is zero elsewhere, as a central difference of the
function finds it.
"""

import numpy
import scipy.linalg
from tangent_lsp.rules.notation import adjoint, d
from tangent_lsp.runtime import matmul_adjoint_a, triangular_solve, unbroadcast


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
