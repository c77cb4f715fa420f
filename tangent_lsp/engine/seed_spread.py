"""The seed of an array result, spread over it.

``grad`` of a function whose value is an array gives the gradient of the sum of the value:
its default seed, the number 1.0, stands for 1.0 in every element. Through an elementwise
operation the number broadcasts by itself; but an operand smaller than the result gets the
seed as it is (``np.sum(x ** 2) + c``: ``bs = unbroadcast(bf, s)`` counts one element of
the result, not all of them). So where the result is an array whose shape the arguments
give, the backward sweep starts from ``bf = unreduce(bf, c)``: the seed in every
element, or the seed itself when the caller passed one of the result's shape.

Where the result is a number (a loss: ``np.sum``, ``np.mean``), nothing is spread; where
its shape would have to be computed (``r.T @ r`` of a matrix ``r``), nothing is either:
a known gap (README), rather than work in every gradient whose value is in fact a number.
"""

from __future__ import annotations

import gast

from . import syntax as S
from .ir import Function, Return
from .shapes import SCALAR, ShapeClasses


def spread_seed(
    function: gast.FunctionDef, fn: Function, seed: str, adjoints: dict[str, str],
    classes: ShapeClasses,
) -> bool:
    """Start ``function``'s backward sweep with ``seed = unreduce(seed, result)`` when the
    result is an array of a shape the arguments give (the seed is read after that line
    only, and has the result's shape there: ``classes`` maps it to the result); whether
    it does."""
    result = next(s.value for s in reversed(fn.body) if isinstance(s, Return))
    if not isinstance(result, gast.Name) or adjoints.get(result.id) != seed:
        return False
    shape = classes.of_name(result.id)
    if not shape or shape == SCALAR or not all(atom in fn.params for atom in shape):
        return False
    body = function.body
    start = next(i for i, stmt in enumerate(body) if S.is_boundary(stmt)) + 1
    if start < len(body) and S.comment_text(body[start]) is not None:
        start += 1  # under the return's `# Grad of:`
    body.insert(start, S.assign(seed, S.call("unreduce", [S.name(seed), S.name(result.id)])))
    classes.adjoint_of[seed] = result.id
    return True
