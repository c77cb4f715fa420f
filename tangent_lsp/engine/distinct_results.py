"""Derivatives returned as arrays of their own.

``unbroadcast`` returns its input itself when nothing was broadcast, so the adjoints of
``a`` and ``b`` in ``a + b`` can be one array, and the adjoint of ``x`` in ``vjp`` of
``x + b`` the very seed the caller passed in (``broadcast_like`` does the same with a
tangent in forward mode). A caller that updates one gradient in place (``ga *= lr``,
``np.clip(g, -c, c, out=g)``) would change the other, or its seed. The returned values
that may be the same array as an earlier one, or as a parameter, are returned as
``copied(...)``; the others (almost all: a product or a sum is a new array) are left
alone.
"""

from __future__ import annotations

import gast

from . import syntax as S

# runtime helpers that may return their first argument itself
_PASS_THROUGH = frozenset(("unbroadcast", "broadcast_like", "unreduce"))


def copy_shared_results(function: gast.FunctionDef) -> tuple[gast.FunctionDef, bool]:
    """The function with each returned adjoint that may share its array with an earlier
    one or with a parameter copied; and whether it copies any (``copied`` is imported)."""
    if not function.body or not isinstance(function.body[-1], gast.Return):
        return function, False
    result = function.body[-1].value
    elements = result.elts if isinstance(result, gast.Tuple) else [result]
    values = _straight_values(function.body[:-1])
    params = {a.id for a in function.args.args}
    roots: set[str] = set()
    changed = False
    for position, element in enumerate(elements):
        if not isinstance(element, gast.Name):
            continue
        root = _root(element.id, values)
        if root is None:
            continue
        if root in roots or root in params:
            copy = S.call("copied", [S.name(element.id)])
            if isinstance(result, gast.Tuple):
                result.elts[position] = copy
            else:
                function.body[-1].value = copy
            changed = True
        roots.add(root)
    return function, changed


def _straight_values(body: list[gast.stmt]) -> dict[str, gast.expr | None]:
    """The value each name holds at the end of ``body``, from its last assignment at the
    top level; None for a name also assigned inside a block (not followed)."""
    values: dict[str, gast.expr | None] = {}
    for stmt in body:
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(
            stmt.targets[0], gast.Name
        ):
            values[stmt.targets[0].id] = stmt.value
        else:  # a block, a tuple target, an augmented assignment: not followed
            for name in S.stored_names(stmt):
                values[name] = None
    return values


def _root(name: str, values: dict[str, gast.expr | None]) -> str | None:
    """The name whose array ``name`` may be (itself when it is a new array); None when
    not known (assigned in a block)."""
    for _ in range(len(values) + 1):  # (a chain of copies is at most as long as the body)
        if name not in values:
            return name  # a parameter, or a name this body does not assign
        value = values[name]
        if value is None:
            return None
        while isinstance(value, gast.Call) and isinstance(value.func, gast.Name) and (
            value.func.id in _PASS_THROUGH and value.args
        ):  # `unbroadcast(unreduce(bf, s), x)`: the seed itself, perhaps
            value = value.args[0]
        if not isinstance(value, gast.Name):
            return name  # computed: a new array
        name = value.id
    return name
