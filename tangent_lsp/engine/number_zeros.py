"""An adjoint that starts at zero starts as the number ``0.0`` when its variable may
be a number: ``ba = zeros_of(a)``, not ``ba = np.zeros(np.shape(a))``.

The passes before this one read ``np.zeros(np.shape(x))`` as "a fresh array of x's
shape" (adding into it in place, assigning its first write instead). For a Python
float ``x`` that array has shape (): every step of a loop over numbers then computes
with 0-d arrays (several times slower than with floats), and the gradient comes back
as a 0-d array, not a float. ``zeros_of`` gives ``0.0`` for a number and the same
zeros for anything else, and adding into a number rebinds it, which means what adding in
place into a fresh array means. Where the generated code shows the variable is an
array (indexed, transposed, its ``.shape`` read, a matrix product's operand), the
NumPy spelling stays: it is what one writes by hand, and one call cheaper.
"""

from __future__ import annotations

import gast

from . import syntax as S
from .shape_passes import shape_giver
from .shapes import ShapeClasses

_ARRAY_ATTRIBUTES = frozenset(("shape", "T", "ndim", "size", "dtype", "flat", "real", "imag"))


def zeros_of_numbers(
    function: gast.FunctionDef, np_alias: str, classes: ShapeClasses | None = None
) -> bool:
    """Rewrite the zero starts of adjoints whose variables may be numbers; whether any
    was (the caller imports ``zeros_of`` then). With ``classes``, a start that reads the
    shape of a value computed for it alone reads the value's shape giver instead
    (``np.zeros(np.shape(np.sin(x)))`` → ``np.zeros(np.shape(x))``: an invariant hoisted
    out of a loop, then inlined into the one shape left to read)."""
    reads = [  # statements only, not their expressions: one short walk
        (stmt, inner) for stmt in S.statements(function.body)
        if stmt.__class__ is gast.Assign and (inner := _shape_read(stmt, np_alias)) is not None
    ]
    if classes is not None:
        for _, inner in reads:
            if inner.args[0].__class__ is not gast.Name:
                inner.args[0] = shape_giver(inner.args[0], classes)
    starts = [(stmt, inner.args[0].id) for stmt, inner in reads
              if inner.args[0].__class__ is gast.Name]
    if not starts:
        return False
    arrays = _evident_arrays(function)
    rewritten = False
    for stmt, of in starts:
        if of in arrays or stmt.targets[0].id in arrays:
            continue
        stmt.value = S.call("zeros_of", [S.name(of)])
        rewritten = True
    return rewritten


def _shape_read(stmt: gast.Assign, np_alias: str) -> gast.Call | None:
    """The ``np.shape(e)`` of ``bx = np.zeros(np.shape(e))``."""
    value = stmt.value
    if not (
        len(stmt.targets) == 1 and stmt.targets[0].__class__ is gast.Name
        and value.__class__ is gast.Call and len(value.args) == 1 and not value.keywords
        and S.dotted_name(value.func) == f"{np_alias}.zeros"
    ):
        return None
    inner = value.args[0]
    if (
        inner.__class__ is gast.Call and len(inner.args) == 1 and not inner.keywords
        and S.dotted_name(inner.func) == f"{np_alias}.shape"
    ):
        return inner
    return None


def _evident_arrays(function: gast.FunctionDef) -> set[str]:
    """Names the generated code indexes, transposes, reads the shape of, or multiplies
    as matrices: arrays (or lists, whose adjoints start otherwise)."""
    found: set[str] = set()
    for node in S.nodes_of_any(function.body, (gast.Subscript, gast.Attribute, gast.BinOp)):
        cls = node.__class__
        if cls is gast.BinOp:
            if node.op.__class__ is gast.MatMult:
                found.update(
                    side.id for side in (node.left, node.right) if side.__class__ is gast.Name
                )
        elif node.value.__class__ is gast.Name and (
            cls is gast.Subscript or node.attr in _ARRAY_ATTRIBUTES
        ):
            found.add(node.value.id)
    return found
