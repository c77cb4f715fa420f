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
from .naming import Namer, adjoint_base
from .shapes import SCALAR, ShapeClasses


def spread_seed(
    function: gast.FunctionDef, fn: Function, seed: str, adjoints: dict[str, str],
    classes: ShapeClasses, namer: Namer,
) -> bool:
    """Start ``function``'s backward sweep by spreading ``seed`` over the result when the
    result is an array of a shape the arguments give; whether it does. The result's
    adjoint becomes the spread (``classes`` maps it to the result): the seed bound again
    (``by = unreduce(by, y)``) where the result is the user's variable, whose adjoint the
    seed is all along; else a temporary (``bt = unreduce(bf, t)``, read instead of the
    seed), which propagation inlines into a single use, where NumPy reuses its array for
    the product (under a name it stays alive: one array more per gradient)."""
    result = next(s.value for s in reversed(fn.body) if isinstance(s, Return))
    if not isinstance(result, gast.Name) or adjoints.get(result.id) != seed:
        return False
    shape = classes.of_name(result.id)
    if not shape or shape == SCALAR or not all(atom in fn.params for atom in shape):
        return False
    body = function.body
    start = next(i for i, stmt in enumerate(body) if S.is_boundary(stmt)) + 1
    spread = seed
    if result.id in namer.temporaries:  # the seed is only read: those reads read the spread
        spread = namer.fresh(adjoint_base(result.id), temporary=True)
        for position in range(start, len(body)):
            body[position] = S.substitute(body[position], {seed: S.name(spread)})
        adjoints[result.id] = spread
        classes.adjoint_of.pop(seed, None)
    if start < len(body) and S.comment_text(body[start]) is not None:
        start += 1  # under the return's `# Grad of:`
    body.insert(start, S.assign(spread, S.call("unreduce", [S.name(seed), S.name(result.id)])))
    classes.adjoint_of[spread] = result.id
    return True
