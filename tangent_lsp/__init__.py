"""tangent-lsp: readable derivatives of Python/NumPy source, and an editor around them.

    from tangent_lsp import grad
    dloss = grad(loss)          # a generated Python function: dloss(W, b, X, y)

The API follows Google's Tangent, so its examples run after changing the import.
"""

import os as _os
import sys as _sys

if _sys.argv[:1] == ["-m"]:
    # `python -m tangent_lsp serve`, started by an editor in the user's project: `-m` put
    # the working directory first on sys.path, so the imports below would run a `numpy.py`
    # found there. The server never runs the user's code: it imports nothing from there.
    _here = _os.getcwd()
    _sys.path[:] = [p for p in _sys.path if p not in ("", ".") and _os.path.abspath(p) != _here]

from .api import INPUT_DERIVATIVE, autodiff, grad, jvp, vjp  # noqa: E402
from .engine import Derivative, DiffError, derive
from .higher import hessian, hvp, jacobian
from .rules.notation import adjoint, tangent_
from .surgery import insert_grad_of, stop_gradient

__all__ = [
    "grad", "autodiff", "vjp", "jvp", "INPUT_DERIVATIVE", "derive", "Derivative", "DiffError",
    "adjoint", "tangent_", "insert_grad_of", "stop_gradient", "hvp", "jacobian", "hessian",
]
__version__ = "0.1.0"
