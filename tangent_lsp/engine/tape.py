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


def looping_sweeps(
    function: gast.FunctionDef,
) -> tuple[list[gast.stmt], list[gast.stmt]] | None:
    """The forward and backward sweeps of a reverse-mode function whose forward sweep has
    a branch or loop at its top level; None otherwise (no tape to rewrite)."""
    cut = next((i for i, s in enumerate(function.body) if S.is_boundary(s)), None)
    if cut is None:
        return None
    forward = function.body[:cut]
    if not any(isinstance(stmt, S.COMPOUND) for stmt in forward):
        return None  # straight-line code: no loop
    return forward, function.body[cut + 1:]


def pushes_name(stmt: gast.stmt, name: str) -> bool:
    """``tape.append(name)``."""
    if not is_push(stmt):
        return False
    args = stmt.value.args
    return len(args) == 1 and isinstance(args[0], gast.Name) and args[0].id == name


def pops_by_pair(
    stmts: list[gast.stmt],
) -> dict[int, tuple[list[gast.stmt], int, gast.stmt | None]]:
    """Each ``name = tape.pop()`` in ``stmts`` (at any depth) by its pair: the block that
    holds it, its position there, and the statement whose body that block is (None at
    the top)."""
    found: dict[int, tuple[list[gast.stmt], int, gast.stmt | None]] = {}
    _scan_pops(stmts, None, found)
    return found


def _scan_pops(block: list[gast.stmt], owner: gast.stmt | None, found: dict) -> None:
    # (not a closure: one that calls itself is a reference cycle, and would keep the
    # blocks ``found`` holds alive until the cycle collector runs)
    for position, stmt in enumerate(block):
        if is_pop(stmt) and isinstance(stmt.targets[0], gast.Name):
            found[pair_of(stmt)] = (block, position, owner)
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list):
                _scan_pops(inner, stmt, found)


def assigned(stmts: list[Statement], rebound_only: bool = False) -> set[str]:
    """Names the statements assign; with ``rebound_only``, not those they only update in
    place (``x[i] = v``, ``xs.append(v)``: ``x`` and ``xs`` must exist already)."""
    names: set[str] = set()
    for stmt in stmts:
        if isinstance(stmt, Op):
            if not (rebound_only and stmt.kind in ("setitem", "append")):
                names.add(stmt.target)
        elif isinstance(stmt, If):
            names |= assigned(stmt.body, rebound_only) | assigned(stmt.orelse, rebound_only)
        elif isinstance(stmt, Loop):
            names |= assigned(stmt.body, rebound_only)
            if stmt.target:
                names.add(stmt.target)
    return names


def initialize_loop_variables(stmts: list[Statement], defined: set[str]) -> list[Statement]:
    """Before each loop, bind to None what the loop assigns and is not defined yet.

    The forward sweep pushes a variable's old value before each assignment in
    a loop, so the old value must exist on the first iteration too. (The
    optimizer deletes the ones whose push turned out to be unneeded.) A loop's
    variable counts as defined inside the loop only: the loop may run no times, and
    dead-code elimination may delete the whole loop. A variable that only some paths
    define before the loop is bound to None at the start of the function instead: right
    before the loop, None would replace the value those paths gave it.
    """
    entry: dict[str, Statement] = {}
    out = _initialize(stmts, set(defined), set(defined), entry)
    return [entry[name] for name in sorted(entry)] + out


def _initialize(
    stmts: list[Statement], defined: set[str], maybe: set[str], entry: dict[str, Statement]
) -> list[Statement]:
    """``defined``: bound on every path here; ``maybe``: bound on some path (both updated)."""
    out: list[Statement] = []
    for stmt in stmts:
        if isinstance(stmt, Loop):
            for name in sorted(assigned(stmt.body, rebound_only=True) - defined - {stmt.target}):
                placeholder = Op(name, S.constant(None), "constant", stmt.line, stmt.node)
                if name in maybe:
                    entry.setdefault(name, placeholder)
                else:
                    out.append(placeholder)
                defined.add(name)
            inside = defined | {stmt.target} if stmt.target else set(defined)
            stmt.body = _initialize(stmt.body, inside, maybe, entry)
            maybe |= assigned([stmt])
        elif isinstance(stmt, If):
            body_defined, else_defined = set(defined), set(defined)
            stmt.body = _initialize(stmt.body, body_defined, maybe, entry)
            stmt.orelse = _initialize(stmt.orelse, else_defined, maybe, entry)
            defined |= body_defined & else_defined
            maybe |= body_defined | else_defined
        elif isinstance(stmt, Op):
            defined.add(stmt.target)
            maybe.add(stmt.target)
        out.append(stmt)
    return out
