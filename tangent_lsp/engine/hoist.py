"""Loop-invariant transposes move out of the loop: ``h @ Wh.T`` inside a ``for``
computes ``WhT = Wh.T`` once, before the loop.

Inside the loop, ``WhT`` would be a loop variable: the tape would keep one per
step, and its adjoint would be transposed back on every step. Before the loop
it is a plain value, the loop accumulates ``bWhT``, and one transpose after the
backward loop gives ``bWh``. Only transposes move: they cannot fail where the
operand exists and cost nothing, so running one when the loop runs zero times
changes nothing.
"""

from __future__ import annotations

from collections import Counter

from . import syntax as S
from .analysis import walk_ops
from .ir import Function, If, Loop, Op, Statement

_TRANSPOSES = frozenset({"numpy.ndarray.T", "numpy.ndarray.mT", "numpy.transpose"})


def hoist_invariants(fn: Function) -> Function:
    assigned = Counter(op.target for op in walk_ops(fn.body))
    fn.body = _hoist_block(fn.body, assigned)
    return fn


def _hoist_block(stmts: list[Statement], assigned: Counter) -> list[Statement]:
    out: list[Statement] = []
    for stmt in stmts:
        if isinstance(stmt, Loop):
            stmt.body = _hoist_block(stmt.body, assigned)
            written = {op.target for op in walk_ops(stmt.body)} | {stmt.target}
            moved = [s for s in stmt.body if _invariant(s, written, assigned)]
            if moved:
                stmt.body = [s for s in stmt.body if not any(s is m for m in moved)]
                out.extend(moved)
        elif isinstance(stmt, If):
            stmt.body = _hoist_block(stmt.body, assigned)
            stmt.orelse = _hoist_block(stmt.orelse, assigned)
        out.append(stmt)
    return out


def _invariant(stmt: Statement, written: set[str], assigned: Counter) -> bool:
    if not (isinstance(stmt, Op) and stmt.kind == "rule" and stmt.key in _TRANSPOSES):
        return False
    if stmt.keywords or len(stmt.args) != 1 or assigned[stmt.target] != 1:
        return False
    return not any(name in written for name in S.loaded_names(stmt.value))
