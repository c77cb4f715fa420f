"""The forward sweep's unpackings written back as the source wrote them: normalization
splits ``W, b = p`` into one assignment per element, the reverse transform joins them
again."""

from __future__ import annotations

import gast

from . import syntax as S
from .tape import is_push


def joined_unpacking(stmts: list[gast.stmt]) -> list[gast.stmt]:
    """``W = p[0]; b = p[1]`` (from ``W, b = p``) written back as ``W, b = p``, the pushes
    of the old values first: the code reads like its source, and differentiated again
    it still says that ``p`` holds several values (a tuple, whose adjoint is a list)."""
    out: list[gast.stmt] = []
    position = 0
    while position < len(stmts):
        stmt = stmts[position]
        base = _unpacked_element(stmt, 0)
        if base is None:
            out.append(stmt)
            position += 1
            continue
        pushes, names, scan = [], [stmt.targets[0].id], position + 1
        while scan < len(stmts):
            following = stmts[scan]
            if is_push(following) and scan + 1 < len(stmts) and _unpacked_element(
                stmts[scan + 1], len(names), base
            ):
                pushes.append(following)
                scan += 1
                continue
            if _unpacked_element(following, len(names), base) is None:
                break
            names.append(following.targets[0].id)
            scan += 1
        if len(names) == 1:  # one element read: nothing to join
            out.append(stmt)
            position += 1
            continue
        target = gast.Tuple(elts=[S.name(n, store=True) for n in names], ctx=gast.Store())
        if base in names:
            out.extend(stmts[position:scan])  # `x, y = x`: each element reads the old x
        else:
            out.extend(pushes)
            out.append(gast.Assign(targets=[target], value=S.name(base), type_comment=None))
        position = scan
    return out


def _unpacked_element(stmt: gast.stmt, index: int, base: str | None = None) -> str | None:
    """The name ``stmt`` (``t = v[index]``, from an unpacking) reads an element of."""
    if not getattr(stmt, "unpacked", False):
        return None
    value = stmt.value
    if not (
        isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name)
        and isinstance(value.slice, gast.Constant) and value.slice.value == index
    ):
        return None
    if base is not None and value.value.id != base:
        return None
    return value.value.id
