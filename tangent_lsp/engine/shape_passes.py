"""Optimizer passes that use what ``shapes.py`` proves about shapes.

``unbroadcast(g, x)`` is left out where ``g`` already has ``x``'s shape; a helper
argument read only for its shape reads a variable that is alive anyway; and the
tape keeps only the shape of values the backward sweep reads only for their shape.
"""

from __future__ import annotations

import gast

from . import syntax as S
from .shapes import ShapeClasses
from .tape import is_push


def drop_noop_unbroadcast(function: gast.FunctionDef, classes: ShapeClasses) -> gast.FunctionDef:
    """``unbroadcast(g, x)`` → ``g`` where ``g`` provably has ``x``'s shape already."""

    class Drop(gast.NodeTransformer):
        def visit_Call(self, node: gast.Call) -> gast.expr:
            self.generic_visit(node)
            if (
                isinstance(node.func, gast.Name)
                and node.func.id == "unbroadcast"
                and len(node.args) == 2
            ):
                shape = classes.of(node.args[0])
                if shape is not None and shape == classes.of(node.args[1]):
                    return node.args[0]
            return node

    return Drop().visit(function)


# Helpers that read only the shape of one of their arguments (argument position).
SHAPE_ONLY = {"unreduce": 1, "unbroadcast": 1, "reduced_count": 0}


def read_shapes_from_stable_names(
    function: gast.FunctionDef, classes: ShapeClasses, stable: set[str],
    temporaries: set[str] = frozenset(),
) -> gast.FunctionDef:
    """``unreduce(g, rr)`` → ``unreduce(g, r)`` when ``rr = r * r`` has ``r``'s shape:
    the backward sweep then no longer keeps ``rr`` alive just for its shape.

    Only stable names are used as replacements (an argument, or a variable assigned
    once at the top level), so the replacement holds the same shape at every use.
    """
    by_class: dict[str, str] = {}
    order = sorted(stable, key=lambda n: (n not in _params(function), n in temporaries, n))
    for name in order:
        shape = classes.of(S.name(name))
        if shape is not None:
            by_class.setdefault(shape, name)

    class Replace(gast.NodeTransformer):
        def visit_Call(self, node: gast.Call) -> gast.expr:
            self.generic_visit(node)
            position = SHAPE_ONLY.get(node.func.id) if isinstance(node.func, gast.Name) else None
            if position is not None and position < len(node.args):
                arg = node.args[position]
                shape = classes.of(arg) if isinstance(arg, gast.Name) else None
                better = by_class.get(shape) if shape is not None else None
                if better and better != arg.id and (arg.id not in stable or arg.id in temporaries):
                    node.args[position] = S.name(better)
            return node

    start = next((i for i, s in enumerate(function.body) if S.is_boundary(s)), len(function.body))
    for index in range(start, len(function.body)):
        function.body[index] = Replace().visit(function.body[index])
    return function


def _params(function: gast.FunctionDef) -> set[str]:
    return {a.id for a in function.args.args}


def keep_shapes_only(function: gast.FunctionDef, np_alias: str) -> bool:
    """Push ``shape_of(v)`` instead of ``v`` when the backward sweep reads the restored
    ``v`` only for its shape (``unbroadcast(g, v)``): an RNN's tape then holds its
    states, not also every intermediate whose shape an adjoint needed.
    Returns whether any push changed (the caller imports ``shape_of``)."""
    body = function.body
    start = next((i for i, s in enumerate(body) if S.is_boundary(s)), len(body))
    pushes = [
        stmt for stmt in S.walk(body[:start])
        if isinstance(stmt, gast.stmt) and is_push(stmt)
        and isinstance(stmt.value.args[0], gast.Name)
    ]
    candidates = {stmt.value.args[0].id for stmt in pushes}
    if not candidates:
        return False
    shape_reads: set[int] = set()
    backward = body[start:]
    for node in S.walk(backward):
        if not isinstance(node, gast.Call):
            continue
        func = S.dotted_name(node.func) or ""
        position = SHAPE_ONLY.get(func)
        if func == f"{np_alias}.shape":
            position = 0
        if position is not None and position < len(node.args):
            arg = node.args[position]
            if isinstance(arg, gast.Name):
                shape_reads.add(id(arg))
    only_shapes = set(candidates)
    for name in S.names(backward):
        if name.id in only_shapes and name.ctx.__class__ is gast.Load and id(name) not in shape_reads:
            only_shapes.discard(name.id)
    changed = False
    for stmt in pushes:
        if stmt.value.args[0].id in only_shapes:
            stmt.value.args[0] = S.call("shape_of", [stmt.value.args[0]])
            changed = True
    return changed
