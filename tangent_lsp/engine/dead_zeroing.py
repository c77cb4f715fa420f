"""A slot of an adjoint that a loop sets to zero after reading it, and nothing reads
again, is left as it is.

``y[i] = v`` in a loop over ``i``: its adjoint reads ``by[i]`` into ``bv``, then sets
``by[i] = 0.0``, so that an earlier write to the same slot gets no share of that
gradient. When the slot holds the counters of every loop around it, each step of the
backward loop reads a slot no other step reads; if ``by`` is read nowhere else either,
the zero is never read, and neither is the copy (``by[i].copy()``) taken only because
the slot was about to be zeroed. A hand-written gradient reads ``by[i]`` and moves on.
"""

from __future__ import annotations

import gast

from . import syntax as S
from .tape import looping_sweeps


def drop_dead_zeroing(function: gast.FunctionDef) -> gast.FunctionDef:
    sweeps = looping_sweeps(function)
    if sweeps is None:
        return function
    forward, backward = sweeps
    ranges = _ranges(forward)
    for position, outer in enumerate(backward):
        if not isinstance(outer, gast.For):
            continue
        for chain in _loops_over_ranges(outer, (), ranges):
            loop = chain[-1]
            for zero in [s for s in loop.body if _zeroed(s) is not None]:
                adjoint, slot = _zeroed(zero)
                if _only_this_slot(adjoint, slot, chain, zero) and _no_alias(
                    adjoint, function.body, outer, backward[position + 1:]
                ):
                    written_once = _stores(adjoint, outer.body) == 1
                    loop.body.remove(zero)
                    if written_once and _owned_before(adjoint, backward[:position]):
                        _drop_copy_of_slot(adjoint, loop.body)
    return function


def _ranges(forward: list[gast.stmt]) -> set[str]:
    """Names the forward sweep binds, once, to ``range(...)`` (``steps = range(n)``)."""
    bound: dict[str, int] = {}
    for node in S.names(forward):
        if node.ctx.__class__ is not gast.Load:
            bound[node.id] = bound.get(node.id, 0) + 1
    return {
        stmt.targets[0].id for stmt in forward
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name) and bound[stmt.targets[0].id] == 1
        and _is_range(stmt.value)
    }


def _is_range(node: gast.expr) -> bool:
    """``range(n)``, or ``range(a, n[, step])`` with ``a >= 0`` and ``step > 0`` numbers: no
    two values index the same slot (``range(-2, 2)`` gives ``-2`` and ``0``, one slot of a
    2-array)."""
    if not (isinstance(node, gast.Call) and S.dotted_name(node.func) == "range"
            and not node.keywords and 1 <= len(node.args) <= 3):
        return False
    bounds = [S.number_literal(arg) for arg in node.args[:1] + node.args[2:]]
    if len(node.args) == 1:
        return True
    start, step = bounds[0], bounds[1] if len(bounds) > 1 else 1
    return (
        isinstance(start, int) and start >= 0 and isinstance(step, int) and step > 0
    )


def _distinct_values(node: gast.expr, ranges: set[str]) -> bool:
    """An iterable that gives no value twice: a range, or one reversed."""
    if isinstance(node, gast.Call) and S.dotted_name(node.func) == "reversed" and len(
        node.args
    ) == 1:
        node = node.args[0]
    return _is_range(node) or (isinstance(node, gast.Name) and node.id in ranges)


def _loops_over_ranges(loop: gast.For, around: tuple[gast.For, ...], ranges: set[str]):
    """For ``loop`` and the loops nested in it (through loops only), the loops from
    ``loop`` in, while every one of them runs over a range."""
    if not (isinstance(loop.target, gast.Name) and _distinct_values(loop.iter, ranges)):
        return
    chain = around + (loop,)
    counters = {c.target.id for c in chain}
    if any(n.id in counters for n in S.names(loop.body) if n.ctx.__class__ is not gast.Load):
        return  # a counter bound again inside
    yield chain
    for stmt in loop.body:
        if isinstance(stmt, gast.For):
            yield from _loops_over_ranges(stmt, chain, ranges)


def _zeroed(stmt: gast.stmt) -> tuple[str, gast.expr] | None:
    """``(by, i)`` of ``by[i] = 0.0``."""
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1):
        return None
    target, value = stmt.targets[0], stmt.value
    if (
        isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name)
        and isinstance(value, gast.Constant) and value.value == 0.0
        and type(value.value) is float
    ):
        return target.value.id, target.slice
    return None


def _only_this_slot(
    adjoint: str, slot: gast.expr, chain: tuple[gast.For, ...], zero: gast.stmt
) -> bool:
    """Every step writes its own slot (the slot holds each counter; its other indices are
    whole slices or numbers), the loops read ``adjoint`` at that slot only, and the step
    does not read it again after zeroing it (nor do the steps of the loops around it)."""
    counters = {loop.target.id for loop in chain}
    parts = slot.elts if isinstance(slot, gast.Tuple) else [slot]
    held = set()
    for part in parts:
        if isinstance(part, gast.Name) and part.id in counters:
            held.add(part.id)
        elif not (
            (isinstance(part, gast.Slice) and part.lower is None and part.upper is None
             and part.step is None)
            or (isinstance(part, gast.Constant) and type(part.value) is int)
        ):
            return False
    if held != counters:
        return False
    outer = chain[0]
    uses = [n for n in S.names(outer.body) if n.id == adjoint]
    slots = [
        node for node in S.nodes_of(outer.body, gast.Subscript)
        if isinstance(node.value, gast.Name) and node.value.id == adjoint
    ]
    printed = gast.dump(slot)  # a slot is names, numbers and whole slices
    if len(uses) != len(slots) or not all(gast.dump(node.slice) == printed for node in slots):
        return False
    inner = zero
    for loop in reversed(chain):
        after = loop.body[next(i for i, s in enumerate(loop.body) if s is inner) + 1:]
        if any(n.id == adjoint for n in S.names(after)):
            return False
        inner = loop
    return True


def _stores(adjoint: str, body: list[gast.stmt]) -> int:
    """How many writes into ``adjoint`` (``by[i] = ...``, ``by[i] += ...``)."""
    return sum(
        1 for node in S.nodes_of(body, gast.Subscript)
        if node.ctx.__class__ is not gast.Load and isinstance(node.value, gast.Name)
        and node.value.id == adjoint
    )


def _no_alias(
    adjoint: str, body: list[gast.stmt], outer: gast.For, later: list[gast.stmt]
) -> bool:
    """Nothing after the loop reads ``adjoint``, and nothing before it holds it under
    another name (it is read only by arithmetic, which makes a new array, or to bind
    itself again: ``by = by.copy()``)."""
    if any(n.id == adjoint for n in S.names(later)):
        return False
    for stmt in _statements_outside(body, outer):
        if not any(n.id == adjoint for n in S.names(stmt)):
            continue
        if isinstance(stmt, gast.Assign) and all(
            isinstance(t, gast.Name) and t.id == adjoint for t in stmt.targets
        ):
            continue
        if _writes_a_slot(stmt, adjoint):
            continue
        if not _read_by_arithmetic_only(stmt, adjoint):
            return False
    return True


def _statements_outside(body: list[gast.stmt], outer: gast.For):
    for stmt in body:
        if stmt is outer:
            continue
        if isinstance(stmt, S.COMPOUND):
            yield from _statements_outside(stmt.body + stmt.orelse, outer)
        else:
            yield stmt


def _writes_a_slot(stmt: gast.stmt, adjoint: str) -> bool:
    """``by[k] = v`` (or ``+=``) with ``by`` nowhere else in it: writes, holds nothing."""
    targets = stmt.targets if isinstance(stmt, gast.Assign) else (
        [stmt.target] if isinstance(stmt, gast.AugAssign) else [])
    if not (len(targets) == 1 and isinstance(targets[0], gast.Subscript)
            and isinstance(targets[0].value, gast.Name) and targets[0].value.id == adjoint):
        return False
    return sum(1 for n in S.names(stmt) if n.id == adjoint) == 1


def _read_by_arithmetic_only(stmt: gast.stmt, adjoint: str) -> bool:
    """Every ``adjoint`` in ``stmt`` is an operand of arithmetic (which makes a new array)."""
    operands = set()
    for node in S.walk(stmt):
        if isinstance(node, gast.BinOp):
            operands.update((id(node.left), id(node.right)))
        elif isinstance(node, gast.UnaryOp):
            operands.add(id(node.operand))
    return all(
        id(n) in operands and n.ctx.__class__ is gast.Load
        for n in S.names(stmt) if n.id == adjoint
    )


def _owned_before(adjoint: str, before: list[gast.stmt]) -> bool:
    """The backward sweep last bound ``adjoint``, before the loop, to a copy or to a new
    array: a view of one of its slots is a view of no one else's array."""
    for stmt in reversed(before):
        if isinstance(stmt, S.COMPOUND) and any(
            n.id == adjoint for n in S.names(stmt) if n.ctx.__class__ is not gast.Load
        ):
            return False
        if isinstance(stmt, gast.Assign) and any(
            isinstance(t, gast.Name) and t.id == adjoint for t in stmt.targets
        ):
            value = stmt.value
            return isinstance(value, (gast.BinOp, gast.UnaryOp)) or (
                isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute)
                and value.func.attr == "copy" and not value.args
            )
    return False


class _SlotCopies(S.Transformer):
    def __init__(self, adjoint: str) -> None:
        self.adjoint = adjoint

    def visit_Call(self, node: gast.Call) -> gast.expr:
        self.generic_visit(node)
        func = node.func
        if (
            isinstance(func, gast.Attribute) and func.attr == "copy" and not node.args
            and isinstance(func.value, gast.Subscript)
            and isinstance(func.value.value, gast.Name) and func.value.value.id == self.adjoint
        ):
            return func.value
        return node


def _drop_copy_of_slot(adjoint: str, body: list[gast.stmt]) -> None:
    """``by[i].copy()`` → ``by[i]``: nothing writes that slot again."""
    visitor = _SlotCopies(adjoint)
    for index, stmt in enumerate(body):
        body[index] = visitor.visit(stmt)
