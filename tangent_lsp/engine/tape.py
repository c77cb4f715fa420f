"""The tape: a plain Python list the forward sweep appends to and the backward
sweep pops from, for values a branch or a loop overwrites.

Every push has a matching pop (same ``tape_pair`` id on both statements), so
the optimizer can delete a pair whose restored value nobody reads.
"""

from __future__ import annotations

import gast

from . import syntax as S
from .ir import If, Loop, Op, Statement


def push(tape: str, name: str, pair: int) -> gast.stmt:
    stmt = gast.Expr(value=S.call(S.attribute(S.name(tape), "append"), [S.name(name)]))
    stmt.tape_pair = pair
    return stmt


def pop(tape: str, name: str, pair: int) -> gast.stmt:
    stmt = S.assign(name, S.call(S.attribute(S.name(tape), "pop"), []))
    stmt.tape_pair = pair
    return stmt


def push_value(tape: str, value: gast.expr, pair: int) -> gast.stmt:
    """Push an expression (``x[i].copy()``: the elements a write is about to overwrite)."""
    stmt = gast.Expr(value=S.call(S.attribute(S.name(tape), "append"), [value]))
    stmt.tape_pair = pair
    return stmt


def pop_into(tape: str, target: gast.expr, pair: int) -> gast.stmt:
    """``x[i] = tape.pop()``: put back what a write overwrote."""
    stmt = gast.Assign(
        targets=[target], value=S.call(S.attribute(S.name(tape), "pop"), []), type_comment=None
    )
    stmt.tape_pair = pair
    return stmt


def pair_of(stmt: gast.stmt) -> int | None:
    return getattr(stmt, "tape_pair", None)


def is_pop(stmt: gast.stmt) -> bool:
    return pair_of(stmt) is not None and isinstance(stmt, gast.Assign)


def is_push(stmt: gast.stmt) -> bool:
    return pair_of(stmt) is not None and isinstance(stmt, gast.Expr)


def assigned(stmts: list[Statement]) -> set[str]:
    names: set[str] = set()
    for stmt in stmts:
        if isinstance(stmt, Op):
            names.add(stmt.target)
        elif isinstance(stmt, If):
            names |= assigned(stmt.body) | assigned(stmt.orelse)
        elif isinstance(stmt, Loop):
            names |= assigned(stmt.body)
            if stmt.target:
                names.add(stmt.target)
    return names


def initialize_loop_variables(stmts: list[Statement], defined: set[str]) -> list[Statement]:
    """Before each loop, bind to None what the loop assigns and is not defined yet.

    The forward sweep pushes a variable's old value before each assignment in
    a loop, so the old value must exist on the first iteration too. (The
    optimizer deletes the ones whose push turned out to be unneeded.) A loop's
    variable counts as defined inside the loop only: the loop may run no times, and
    dead-code elimination may delete the whole loop.
    """
    out: list[Statement] = []
    for stmt in stmts:
        if isinstance(stmt, Loop):
            for name in sorted(assigned(stmt.body) - defined - {stmt.target}):
                out.append(Op(name, S.constant(None), "constant", stmt.line, stmt.node))
                defined.add(name)
            inside = defined | {stmt.target} if stmt.target else set(defined)
            stmt.body = initialize_loop_variables(stmt.body, inside)
        elif isinstance(stmt, If):
            body_defined, else_defined = set(defined), set(defined)
            stmt.body = initialize_loop_variables(stmt.body, body_defined)
            stmt.orelse = initialize_loop_variables(stmt.orelse, else_defined)
            defined |= body_defined & else_defined
        elif isinstance(stmt, Op):
            defined.add(stmt.target)
        out.append(stmt)
    return out
