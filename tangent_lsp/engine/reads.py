"""What blocks of normalized statements read and change: the reverse transform asks it
to decide which adjoints a branch or loop touches and which variables it must keep."""

from __future__ import annotations

from . import syntax as S
from .analysis import differentiable_operands
from .ir import GradHook, If, Keep, Loop, Op, Return, Statement


def touched(stmts: list[Statement], active: set[str]) -> set[str]:
    """Active variables whose adjoints receive contributions inside ``stmts``."""
    names: set[str] = set()
    for stmt in stmts:
        if isinstance(stmt, Op) and stmt.target in active:
            names |= differentiable_operands(stmt) & active
            names.add(stmt.target)
        elif isinstance(stmt, If):
            names |= touched(stmt.body, active) | touched(stmt.orelse, active)
        elif isinstance(stmt, Loop):
            names |= touched(stmt.body, active)
        elif isinstance(stmt, GradHook) and stmt.target in active:
            names.add(stmt.target)
    return names


def statementreads(stmt: Statement) -> set[str]:
    if isinstance(stmt, Op):
        if stmt.kind == "setitem":  # `v[0] = s`: the location, and the item it stores
            return set(S.loaded_names(stmt.value)) | set(S.loaded_names(stmt.args[1]))
        return set(S.loaded_names(stmt.value))
    if isinstance(stmt, Return):
        return set(S.loaded_names(stmt.value))
    if isinstance(stmt, Keep):
        return set(S.loaded_names(stmt.stmt))
    if isinstance(stmt, If):
        return set(S.loaded_names(stmt.test))
    if isinstance(stmt, GradHook):
        return {stmt.target} | {n for s in stmt.body for n in S.loaded_names(s)}
    if isinstance(stmt, Loop):
        names = set()
        for expr in (stmt.iterable, stmt.test):
            if expr is not None:
                names |= set(S.loaded_names(expr))
        return names
    return set()


def reads(stmts: list[Statement], exclude: list[Statement]) -> set[str]:
    """Names read anywhere in ``stmts`` except inside the statements of ``exclude``."""
    skip = {id(s) for s in exclude}
    names: set[str] = set()
    for stmt in stmts:
        if id(stmt) in skip:
            continue
        names |= statementreads(stmt)
        if isinstance(stmt, If):
            names |= reads(stmt.body, exclude) | reads(stmt.orelse, exclude)
        elif isinstance(stmt, Loop):
            names |= reads(stmt.body, exclude)
    return names


def first_use(stmts: list[Statement], name: str) -> str:
    """``"read"`` if some path through ``stmts`` reads ``name`` before assigning it,
    ``"defined"`` if every path assigns it first, ``"none"`` otherwise."""
    for stmt in stmts:
        if name in statementreads(stmt):
            return "read"
        if isinstance(stmt, Op) and stmt.target == name:
            return "defined"
        if isinstance(stmt, If):
            branches = (first_use(stmt.body, name), first_use(stmt.orelse, name))
            if "read" in branches:
                return "read"
            if branches == ("defined", "defined"):
                return "defined"
        elif isinstance(stmt, Loop) and first_use(stmt.body, name) == "read":
            return "read"
    return "none"
