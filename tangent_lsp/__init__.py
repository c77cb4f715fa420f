"""tangent-lsp: readable derivatives of Python/NumPy source, and an editor around them.

    from tangent_lsp import grad
    dloss = grad(loss)          # a generated Python function: dloss(W, b, X, y)

The API follows Google's Tangent, so its examples run after changing the import.
"""

from .api import INPUT_DERIVATIVE, autodiff, grad, jvp, vjp
from .engine import Derivative, DiffError, derive
from .higher import hessian, hvp, jacobian
from .rules.notation import adjoint, tangent_
from .surgery import insert_grad_of, stop_gradient

__all__ = [
    "grad", "autodiff", "vjp", "jvp", "INPUT_DERIVATIVE", "derive", "Derivative", "DiffError",
    "adjoint", "tangent_", "insert_grad_of", "stop_gradient", "hvp", "jacobian", "hessian",
]
__version__ = "0.1.0"
