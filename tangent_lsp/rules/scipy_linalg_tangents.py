"""Forward-mode rules for ``scipy.linalg`` (see ``scipy_linalg.py``)."""

import numpy
import scipy.linalg
from tangent_lsp.rules.notation import d, tangent_
from tangent_lsp.runtime import triangular_solve


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
