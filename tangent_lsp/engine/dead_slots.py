"""Straight-line writes into slots of an adjoint that nothing reads as written.

``y[1:] = v`` gives its gradient ``bv = by[1:].copy()`` and then ``by[1:] = 0.0``, so that
an earlier write to those slots gets no share of it. When the backward sweep reads ``by``
after that only at other slots (``by[0]``), the zero is never read: dropped. (The loop
form, where each step zeroes its own slot, is ``dead_zeroing.py``.)

And ``bx = zeros_like(x)`` followed by ``bx[1:] = add_grad(bx[1:], g)``, the first write of
those slots: ``bx[1:] = g`` (assigning broadcasts ``g`` as adding it to zeros would), where ``g`` is
arithmetic: an array.

Slots are compared only when both indexes are numbers or slices of non-negative numbers
along the first axis (``by[-1]`` may be any slot). With nothing writing into ``by`` after
it, the copy of a slot read for ``unbroadcast`` (``by[1:].copy()``) goes too.
"""

from __future__ import annotations

import gast

from . import syntax as S


def drop_dead_slot_writes(function: gast.FunctionDef) -> gast.FunctionDef:
    body = function.body
    start = next((i for i, stmt in enumerate(body) if S.is_boundary(stmt)), None)
    if start is None or not any(
        _writes_a_slot(stmt) or _copies_itself(stmt) for stmt in body[start + 1:]
    ):  # (zeroed slots and their copies come with writes into slots)
        return function
    position = start + 1
    while position < len(body):
        stmt = body[position]
        zeroed = _zeroed_slot(stmt)
        if zeroed is not None and _not_read_again(body[position + 1:], *zeroed):
            del body[position]
            continue
        if zeroed is not None and _added_next(body, position):
            del body[position]  # `by[1:] = 0.0; ...; by[1:] += v` → `by[1:] = v`
            continue
        first = _added_to_zeros(body, start + 1, position)
        if first is not None:
            body[position] = S.assign(stmt.targets[0], first)
        position += 1
    backward = body[start + 1:]
    _drop_needless_copies(backward)
    body[start + 1:] = backward
    return function


def _writes_a_slot(stmt: gast.stmt) -> bool:
    return any(isinstance(t, gast.Subscript) for t in _targets(stmt))


def _targets(stmt: gast.stmt) -> list[gast.expr]:
    if isinstance(stmt, gast.Assign):
        return stmt.targets
    return [stmt.target] if isinstance(stmt, gast.AugAssign) else []


def _drop_needless_copies(backward: list[gast.stmt]) -> None:
    """``unbroadcast(by[1:].copy(), t)`` → ``unbroadcast(by[1:], t)`` where nothing writes
    into ``by`` afterwards, nor into the name the result is bound to (a view of ``by``,
    when ``unbroadcast`` returns its argument)."""
    if any(isinstance(stmt, S.COMPOUND) for stmt in backward):
        return  # straight-line code only: a loop writes again what it read
    for position, stmt in reversed(list(enumerate(backward))):  # `by = by.copy()`, unwritten
        if not _copies_itself(stmt):
            continue
        name = stmt.targets[0].id
        views = {name} | {  # names bound before from values that read it: views, perhaps
            s.targets[0].id for s in backward[:position]
            if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)
            and any(n.id == name for n in S.names(s.value))
        }
        if not any(_written_in_place(backward[position + 1:], view) for view in views):
            backward[position] = None
    backward[:] = [stmt for stmt in backward if stmt is not None]
    for position, stmt in enumerate(backward):
        for call in S.nodes_of(stmt, gast.Call):
            for index, arg in enumerate(call.args):
                copied = _copied_slot(arg)
                if copied is None or not _unbroadcast_of_first(call, index):
                    continue
                bound = stmt.targets[0].id if (
                    isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                    and stmt.value is call
                ) else None
                later = backward[position + 1:]
                if not _written_in_place(later, copied) and (
                    bound is None or not _written_in_place(later, bound)
                ):
                    call.args[index] = arg.func.value


def _copies_itself(stmt: gast.stmt) -> bool:
    """``by = by.copy()``."""
    value = getattr(stmt, "value", None)
    return (
        isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name) and isinstance(value, gast.Call)
        and isinstance(value.func, gast.Attribute) and value.func.attr == "copy"
        and isinstance(value.func.value, gast.Name)
        and value.func.value.id == stmt.targets[0].id and not value.args and not value.keywords
    )


def _copied_slot(node: gast.expr) -> str | None:
    """``by`` for ``by[...].copy()``."""
    if (
        isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
        and node.func.attr == "copy" and not node.args and not node.keywords
        and isinstance(node.func.value, gast.Subscript)
        and isinstance(node.func.value.value, gast.Name)
    ):
        return node.func.value.value.id
    return None


def _unbroadcast_of_first(call: gast.Call, index: int) -> bool:
    return index == 0 and isinstance(call.func, gast.Name) and call.func.id == "unbroadcast"


def _written_in_place(stmts: list[gast.stmt], name: str) -> bool:
    """Whether a statement writes into ``name``'s array: ``name[...] = v``, ``name += v``,
    or passes it to a call (which might)."""
    for stmt in stmts:
        for target in _targets(stmt):
            if isinstance(target, gast.Subscript) and any(
                n.id == name for n in S.names(target.value)
            ):
                return True
            if isinstance(stmt, gast.AugAssign) and isinstance(target, gast.Name) and (
                target.id == name
            ):
                return True
    return False


def _added_next(body: list[gast.stmt], position: int) -> bool:
    """Rewrite the next statement naming the zeroed slots' array into an assignment, if it
    adds into those same slots something that does not read the array; whether it did."""
    zero = body[position]
    name = zero.targets[0].value.id
    for later in range(position + 1, len(body)):
        stmt = body[later]
        if not any(n.id == name for n in S.names(stmt)):
            continue
        if (
            isinstance(stmt, gast.AugAssign) and isinstance(stmt.op, gast.Add)
            and isinstance(stmt.target, gast.Subscript)
            and isinstance(stmt.target.value, gast.Name) and stmt.target.value.id == name
            and gast.dump(stmt.target.slice) == gast.dump(zero.targets[0].slice)
            and not any(n.id == name for n in S.names(stmt.value))
        ):
            body[later] = S.assign(stmt.target, stmt.value)
            return True
        return False
    return False


def _zeroed_slot(stmt: gast.stmt) -> tuple[str, tuple[int, float]] | None:
    """``("by", (1, inf))`` for ``by[1:] = 0.0``."""
    if not (
        isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Subscript)
        and isinstance(stmt.targets[0].value, gast.Name)
        and isinstance(stmt.value, gast.Constant) and stmt.value.value == 0.0
    ):
        return None
    span = _span(stmt.targets[0].slice)
    return None if span is None else (stmt.targets[0].value.id, span)


def _span(index: gast.expr) -> tuple[int, float] | None:
    """The first-axis slots an index covers, as ``[start, stop)``; None if not known."""
    if isinstance(index, gast.Constant) and type(index.value) is int and index.value >= 0:
        return index.value, index.value + 1
    if isinstance(index, gast.Slice) and index.step is None:
        start = 0 if index.lower is None else _natural(index.lower)
        stop = float("inf") if index.upper is None else _natural(index.upper)
        if start is not None and stop is not None:
            return start, stop
    return None


def _natural(node: gast.expr) -> int | None:
    if isinstance(node, gast.Constant) and type(node.value) is int and node.value >= 0:
        return node.value
    return None


def _not_read_again(after: list[gast.stmt], name: str, span: tuple[int, float]) -> bool:
    """Every later mention of ``name`` is a slot outside ``span`` (read or written), in
    straight-line statements."""
    allowed: set[int] = set()
    for stmt in after:
        if not any(n.id == name for n in S.names(stmt)):
            continue
        if isinstance(stmt, S.COMPOUND):
            return False
        for node in S.nodes_of(stmt, gast.Subscript):
            if isinstance(node.value, gast.Name) and node.value.id == name:
                other = _span(node.slice)
                if other is None or not (other[1] <= span[0] or span[1] <= other[0]):
                    return False
                allowed.add(id(node.value))
        if any(n.id == name and id(n) not in allowed for n in S.names(stmt)):
            return False  # the whole array: returned, passed on, aliased
    return True


def _added_to_zeros(body: list[gast.stmt], start: int, position: int) -> gast.expr | None:
    """``g`` for ``bx[s] = add_grad(bx[s], g)`` whose ``bx`` was made by ``zeros_like`` (or
    ``np.zeros``) with no write into the slots ``s`` since."""
    stmt = body[position]
    if not (
        isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Subscript)
        and isinstance(stmt.targets[0].value, gast.Name)
        and isinstance(stmt.value, gast.Call) and isinstance(stmt.value.func, gast.Name)
        and stmt.value.func.id == "add_grad" and len(stmt.value.args) == 2
        and not stmt.value.keywords and _same_slot(stmt.value.args[0], stmt.targets[0])
    ):
        return None
    name, span = stmt.targets[0].value.id, _span(stmt.targets[0].slice)
    added = stmt.value.args[1]
    if span is None or any(n.id == name for n in S.names(added)) or not (
        isinstance(added, gast.BinOp) or isinstance(added, gast.UnaryOp)
    ):  # (arithmetic: arrays, not a container's adjoint, for which add_grad does more)
        return None
    for earlier in reversed(body[start:position]):
        if not any(n.id == name for n in S.names(earlier)):
            continue
        if isinstance(earlier, gast.Assign) and len(earlier.targets) == 1 and isinstance(
            earlier.targets[0], gast.Name
        ) and earlier.targets[0].id == name:
            return added if _zeros(earlier.value) else None
        return None  # read or written since: not known to be zeros there
    return None


def _same_slot(read: gast.expr, written: gast.Subscript) -> bool:
    return (
        isinstance(read, gast.Subscript) and S.same(read.value, written.value)
        and gast.dump(read.slice) == gast.dump(written.slice)
    )


def _zeros(value: gast.expr) -> bool:
    return isinstance(value, gast.Call) and (
        (isinstance(value.func, gast.Name) and value.func.id == "zeros_like")
        or (isinstance(value.func, gast.Attribute) and value.func.attr == "zeros")
    )
