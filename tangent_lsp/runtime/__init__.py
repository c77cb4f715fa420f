"""The few helpers that generated derivatives call.

Generated code depends only on NumPy and this module, so every helper here is
small, documented, and says why the engine cannot write it inline: almost
always because the answer depends on a shape, an ``axis`` or an ``ord`` that is
only known at run time.

Conventions shared by all helpers:

* ``g`` is an incoming adjoint (the gradient of the result); the helper returns
  the adjoint of one argument, shaped exactly like that argument.
* Gradients are floating point even when the argument holds integers.
* A 0-d gradient is returned as a NumPy scalar (``np.float64`` is a ``float``),
  so ``grad`` of a function of Python floats returns floats.
"""

from __future__ import annotations

from . import (
    checks, containers, forward, linalg, product_shapes, products, reverse, scipy_linalg, second_order, special, statistics,
    tape,
)

# Helpers whose result is always a tuple, read by position by the code that calls them
# (`grads = solve_adjoint(...)`; `grads[0]`): differentiated again, that code treats the
# result as a container. Every other helper returns an array or a number, or a container
# only when its argument is one (`zeros_like`, `add_grad`, `copied`).
TUPLE_RESULTS = frozenset((
    "einsum_adjoint", "einsum_adjoint_tangent", "einsum_adjoint_vjp", "gram_adjoint_vjp",
    "interp_layout", "kron_layout", "matmul_adjoint_a_vjp", "matmul_adjoint_b_vjp",
    "norm_adjoint_vjp", "order_statistics", "pick_adjoint", "reshape_each", "solve_adjoint",
    "solve_adjoint_tangent", "solve_adjoint_vjp", "solve_tangent_vjp", "split_like",
    "svd_adjoints", "svd_tangents", "tangents_like", "tangents_like_adjoint", "unarray",
    "unstack",
))

_MODULES = (
    reverse, products, product_shapes, containers, linalg, forward, second_order, special, scipy_linalg, statistics,
    tape, checks,
)
__all__ = sorted(
    name for module in _MODULES for name in vars(module)
    if not name.startswith("_") and callable(vars(module)[name])
    and getattr(vars(module)[name], "__module__", "") == module.__name__
)
for _module in _MODULES:
    for _name in __all__:
        if _name in vars(_module):
            _obj = vars(_module)[_name]
            # rules are keyed "tangent_lsp.runtime.<name>": one name, wherever it is defined
            _obj.__module__ = __name__
            globals()[_name] = _obj
del _module, _name, _obj
