"""Source-level rewrites that run before A-normal form.

Early returns: ``if c: return a`` followed by more statements becomes an
``if``/``else`` whose branches each end in a return, so every return is in
tail position and the normalizer can turn them into assignments to one
result variable.

Returns inside loops: ``return e`` becomes ``result = e; returned = True; break``,
and after each loop that may return, ``if returned: break`` (inside another loop)
or ``if returned: return result``, which the early-return rewrite then handles.
The backward sweep knows ``break`` already.
"""

from __future__ import annotations

from typing import Callable

import gast

from . import syntax as S


def always_returns(stmts: list[gast.stmt]) -> bool:
    """Whether every path through ``stmts`` ends in a return (or a ``raise``: the
    function has no value to differentiate there)."""
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, (gast.Return, gast.Raise)):
        return True
    if isinstance(last, gast.If):
        return always_returns(last.body) and always_returns(last.orelse)
    return False


def leave_loops(
    stmts: list[gast.stmt], fresh: Callable[[str], str], result_name: Callable[[], str]
) -> list[gast.stmt]:
    """Rewrite the returns inside loops into a flag, the result and a ``break``
    (``fresh`` names the flag and ``result_name`` the result, only if some loop returns)."""
    if not any(_loop_returns(stmt) for stmt in S.statements(stmts)):
        return stmts
    flag, result = fresh("returned"), result_name()
    return _leave(stmts, flag, result, in_loop=False)


def _loop_returns(stmt: gast.stmt) -> bool:
    return isinstance(stmt, (gast.For, gast.While)) and _contains_return(stmt)


def _leave(stmts: list[gast.stmt], flag: str, result: str, in_loop: bool) -> list[gast.stmt]:
    out: list[gast.stmt] = []
    for stmt in stmts:
        if isinstance(stmt, gast.Return) and in_loop:
            value = stmt.value if stmt.value is not None else S.constant(None)
            out += [positioned(S.assign(result, value), stmt),
                    positioned(S.assign(flag, S.constant(True)), stmt), positioned(gast.Break(), stmt)]
            return out  # statements after a return never run
        if isinstance(stmt, gast.If):
            stmt.body = _leave(stmt.body, flag, result, in_loop) or [gast.Pass()]
            stmt.orelse = _leave(stmt.orelse, flag, result, in_loop)
        elif isinstance(stmt, (gast.For, gast.While)) and _contains_return(stmt):
            if not in_loop:
                out.append(positioned(S.assign(flag, S.constant(False)), stmt))
            endless = _endless(stmt)  # `while True:` left by its returns only
            stmt.body = _leave(stmt.body, flag, result, in_loop=True)
            leave = gast.Break() if in_loop else gast.Return(value=S.name(result))
            if endless:
                out += [stmt, positioned(leave, stmt)]
                return out  # nothing after the loop runs
            out += [stmt, positioned(gast.If(test=S.name(flag), body=[leave], orelse=[]), stmt)]
            continue
        out.append(stmt)
    return out


def _endless(loop: gast.For | gast.While) -> bool:
    """A ``while True:`` without a ``break`` of its own."""
    if not (isinstance(loop, gast.While) and isinstance(loop.test, gast.Constant)
            and loop.test.value):
        return False
    blocks = [loop.body]
    while blocks:
        for stmt in blocks.pop():
            if isinstance(stmt, gast.Break):
                return False
            if isinstance(stmt, gast.If):
                blocks += [stmt.body, stmt.orelse]
    return True


def loop_else_as_flags(stmts: list[gast.stmt], fresh: Callable[[str], str]) -> list[gast.stmt]:
    """``for ...: ... break ... else: E`` (and ``while``/``else``) → a flag set before the
    loop, cleared before each of its breaks, and ``if flag: E`` after it: the else clause
    runs when the loop ends without a break (a search's "not found, raise")."""
    out: list[gast.stmt] = []
    for stmt in stmts:
        for field in ("body", "orelse"):
            block = getattr(stmt, field, None)
            if isinstance(block, list) and block and isinstance(block[0], gast.stmt):
                setattr(stmt, field, loop_else_as_flags(block, fresh))
        if isinstance(stmt, (gast.For, gast.While)) and stmt.orelse:
            flag = fresh("completed")
            out.append(positioned(S.assign(flag, S.constant(True)), stmt))
            stmt.body = _flagged_breaks(stmt.body, flag)
            orelse, stmt.orelse = stmt.orelse, []
            out += [stmt, positioned(gast.If(test=S.name(flag), body=orelse, orelse=[]), stmt)]
            continue
        out.append(stmt)
    return out


def _flagged_breaks(stmts: list[gast.stmt], flag: str) -> list[gast.stmt]:
    """``flag = False`` before each break of this loop (not of the loops inside it)."""
    out: list[gast.stmt] = []
    for stmt in stmts:
        if isinstance(stmt, gast.Break):
            out.append(positioned(S.assign(flag, S.constant(False)), stmt))
        elif isinstance(stmt, gast.If):
            stmt.body = _flagged_breaks(stmt.body, flag)
            stmt.orelse = _flagged_breaks(stmt.orelse, flag)
        out.append(stmt)
    return out


def positioned(node: gast.AST, where: gast.AST) -> gast.AST:
    """``node`` and the nodes in it that have no position get the first line of ``where``
    (errors and ``# Grad of:`` comments quote the user's ``return`` or loop header)."""
    for sub in gast.walk(node):
        if getattr(sub, "lineno", None) is None:
            sub.lineno = sub.end_lineno = where.lineno
            sub.col_offset = sub.end_col_offset = where.col_offset
    return node


def hoist_returns(stmts: list[gast.stmt]) -> list[gast.stmt]:
    """Make every ``return`` the last statement of its branch.

    The statements after an ``if`` that may return move into both of its
    branches (a branch that already returned drops them), recursively.
    """
    out: list[gast.stmt] = []
    for index, stmt in enumerate(stmts):
        out.append(stmt)
        if isinstance(stmt, gast.Return):
            return out  # statements after a return never run
        if isinstance(stmt, gast.If) and _contains_return(stmt):
            rest = stmts[index + 1 :]
            stmt.body = hoist_returns(stmt.body + S.clone(rest))
            stmt.orelse = hoist_returns(stmt.orelse + S.clone(rest))
            return out
    return out


def _contains_return(stmt: gast.stmt) -> bool:
    return any(isinstance(node, gast.Return) for node in S.statements([stmt]))
