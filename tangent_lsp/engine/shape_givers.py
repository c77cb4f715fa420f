"""Values the backward sweep computes only for their shape, read from names instead.

``unreduce(bf, s3)`` reads only ``s3``'s shape (``unbroadcast`` and ``reduced_count`` too:
``reduced_count(s)`` becomes ``reduced_count(x, w)``, the count of their broadcast). Where ``s3 = (x * w + np.exp(x)) * 2.0``
is computed for nothing else, the shape is the broadcast of ``x`` and ``w`` (what
``shapes.py`` proves), read from them: ``unreduce(bf, broadcast_shape(x, w))``; dead-code
elimination then drops ``s3`` and everything only it read. The same for an expression
in the shape's place (``unbroadcast(g, sq_y * x)``: the product, computed for its shape).

Only names alive anyway give shapes: arguments, and variables assigned once at the top
level, before the backward sweep. Containers are left alone: ``xs + ys`` of two lists is
not a broadcast, and a container's adjoint is unbroadcast element by element.
"""

from __future__ import annotations

import gast

from . import syntax as S
from .shape_passes import assigned_at_top_level
from .shapes import SCALAR, ShapeClasses

# Helpers that read only the shape of one argument (its position), whatever its value.
_SHAPE_ARGUMENT = {"unreduce": 1, "unbroadcast": 1, "reduced_count": 0}


def shapes_from_names(
    function: gast.FunctionDef, classes: ShapeClasses, stable: set[str],
    callers: set[gast.stmt],
) -> bool:
    """Rewrite shape-only arguments computed for nothing else; whether any changed.
    ``callers``: the backward statements that call a shape-only helper
    (``shape_passes.shape_only_callers``)."""
    params = [a.id for a in function.args.args]
    defined = assigned_at_top_level(function)
    rank = {name: i for i, name in enumerate(
        params + sorted(n for n in stable if n in defined and n not in params)
    )}
    containers = classes.containers
    sites = {  # (a compound statement's calls are its blocks' statements' too: once each)
        id(call): (call, _SHAPE_ARGUMENT[call.func.id])
        for call in S.nodes_of(list(callers), gast.Call)
        if call.func.__class__ is gast.Name and call.func.id in _SHAPE_ARGUMENT
        and len(call.args) > _SHAPE_ARGUMENT[call.func.id]
        and (call.func.id != "reduced_count" or len(call.args) == 1)
    }
    chosen: list[tuple[gast.Call, int, gast.expr]] = []
    for call, position in sites.values():
        arg = call.args[position]
        if arg.__class__ is gast.Name and arg.id in params:
            continue  # an argument: free to read
        shape = classes.of(arg)
        if shape is None or shape == SCALAR or not shape or not all(a in rank for a in shape):
            continue
        if arg.__class__ is gast.Name and len(shape) == 1 and arg.id in shape:
            continue  # its own shape
        if any(atom in containers for atom in shape) or any(
            n.id in classes.adjoint_of or n.id in containers for n in S.names(arg)
        ):
            continue
        atoms = sorted(shape, key=rank.__getitem__)
        if call.func.id == "reduced_count":  # it counts the broadcast of its arguments
            giver = [S.name(a) for a in atoms]
        else:
            giver = S.name(atoms[0]) if len(atoms) == 1 else S.call(
                "broadcast_shape", [S.name(a) for a in atoms])
        chosen.append((call, position, giver))
    # a name is replaced only where every read of it is such an argument: then nothing
    # else needs its value
    named = {arg.id for call, position, _ in chosen if (arg := call.args[position]).__class__ is gast.Name}
    if named:
        reads: dict[str, int] = {}
        for node in S.names(function.body):
            if node.id in named and node.ctx.__class__ is gast.Load:
                reads[node.id] = reads.get(node.id, 0) + 1
        for call, position, _ in chosen:
            arg = call.args[position]
            if arg.__class__ is gast.Name:
                reads[arg.id] -= 1
        chosen = [
            site for site in chosen
            if (arg := site[0].args[site[1]]).__class__ is not gast.Name or reads[arg.id] == 0
        ]
    for call, position, giver in chosen:
        if isinstance(giver, list):
            call.args = giver
        else:
            call.args[position] = giver
    return bool(chosen)
