"""Rows of unknown rank read after a write into their array, checked where the derivative
runs.

``r = Y[0]; Y[0] = 3.0 * Y[0]; return np.sum(r * r)``: for a vector ``Y``, ``r`` is the
old element, a number the write left alone, and the derivative is right; for a matrix,
``r`` is a row, a view the write changed, which the derivative would not see (the error
``aliasing.py`` reports where the source shows the rank: ``Y[0, :]``, ``Y[i, j]``). Nothing
in the source tells the two apart, so the generated code checks right after the write:
``not_a_view(r, Y2, 0, "...")`` raises that error's message where ``r`` is a view into
what the write changed (a row written in another step of a loop is not).
"""

from __future__ import annotations

import gast

from . import syntax as S
from .ir import Function, If, Loop, Op, Statement
from .naming import Namer


def guard_unsure_rows(fn: Function, rows: list[tuple[Op, str, str, str]], namer: Namer) -> bool:
    """Insert a check after each write of ``rows`` (``(write, row, written, message)``,
    from ``aliasing.Changed.unsure_rows``); whether there was any."""
    after: dict[int, list[Op]] = {}
    for write, row, written, message in rows:
        index = _as_value(write.value.slice) if write.kind == "setitem" else S.constant(None)
        call = S.call("not_a_view", [S.name(row), S.name(written), index, S.constant(message)])
        call.checks = True  # called for the check alone: dead-code elimination keeps it
        check = Op(namer.fresh("checked"), call, "constant", write.line, write.node)
        after.setdefault(id(write), []).append(check)
    if after:
        fn.body = _inserted(fn.body, after)
    return bool(after)


def _as_value(index: gast.expr) -> gast.expr:
    """The index written as a value to pass: ``1:3`` as ``slice(1, 3)``."""
    if isinstance(index, gast.Slice):
        return S.call("slice", [
            S.clone(part) if part is not None else S.constant(None)
            for part in (index.lower, index.upper, index.step)
        ])
    if isinstance(index, gast.Tuple):
        return gast.Tuple(elts=[_as_value(part) for part in index.elts], ctx=gast.Load())
    return S.clone(index)


def _inserted(block: list[Statement], after: dict[int, list[Op]]) -> list[Statement]:
    out: list[Statement] = []
    for stmt in block:
        if isinstance(stmt, If):
            stmt.body, stmt.orelse = _inserted(stmt.body, after), _inserted(stmt.orelse, after)
        elif isinstance(stmt, Loop):
            stmt.body = _inserted(stmt.body, after)
        out.append(stmt)
        out.extend(after.get(id(stmt), ()))
    return out
