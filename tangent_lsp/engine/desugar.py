"""Source-level rewrites that run before A-normal form.

Early returns: ``if c: return a`` followed by more statements becomes an
``if``/``else`` whose branches each end in a return, so every return is in
tail position and the normalizer can turn them into assignments to one
result variable. Returns inside loops are rejected (there is no structured
way to leave a loop and then run the backward sweep).
"""

from __future__ import annotations


import gast

from . import syntax as S
from .errors import unsupported


def always_returns(stmts: list[gast.stmt]) -> bool:
    """Whether every path through ``stmts`` ends in a return."""
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, gast.Return):
        return True
    if isinstance(last, gast.If):
        return always_returns(last.body) and always_returns(last.orelse)
    return False


def _check_no_loop_returns(stmts: list[gast.stmt]) -> None:
    for stmt in stmts:
        if isinstance(stmt, (gast.For, gast.While)):
            for node in gast.walk(stmt):
                if isinstance(node, gast.Return):
                    raise unsupported(
                        "return inside a loop", node,
                        "break out of the loop and return after it",
                    )


def hoist_returns(stmts: list[gast.stmt]) -> list[gast.stmt]:
    """Make every ``return`` the last statement of its branch.

    The statements after an ``if`` that may return move into both of its
    branches (a branch that already returned drops them), recursively.
    """
    _check_no_loop_returns(stmts)
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
    return any(isinstance(node, gast.Return) for node in gast.walk(stmt))
