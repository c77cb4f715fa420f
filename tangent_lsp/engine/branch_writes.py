"""An adjoint first written in both branches of an ``if`` is assigned there, not added to
zeros: ``bx = np.zeros(np.shape(x)); if c: bx += unbroadcast(g1, x) else: bx +=
unbroadcast(g2, x)`` → ``if c: bx = unbroadcast(g1, x) else: bx = unbroadcast(g2, x)``,
as a person writes it (one array and one pass over it fewer); ``zeros_of(x)`` and
``bx = bx - v`` (→ ``bx = -v``) likewise.

Only where it means the same: the zeros are read by nothing but those first writes, each
added value already has the zeros' shape (``unbroadcast(..., x)`` for ``np.zeros(np.shape(x))``)
and is a new array (arithmetic inside ``unbroadcast``: were it a name, a later ``bx += v``
would write into that other array).
"""

from __future__ import annotations

import gast

from . import syntax as S

_ARITHMETIC = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow, gast.MatMult)


def assign_first_writes_in_branches(function: gast.FunctionDef, np_alias: str) -> gast.FunctionDef:
    _in_block(function.body, np_alias)
    return function


def _in_block(body: list[gast.stmt], np_alias: str) -> None:
    for stmt in body:
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list):
                _in_block(inner, np_alias)
    position = 0
    while position < len(body):
        shape_of = _zeros_like(body[position], np_alias)
        if shape_of is None:
            position += 1
            continue
        name = body[position].targets[0].id
        branch = _next_mention(body, position + 1, name)
        if branch is not None and _assign_in_both(body[branch], name, shape_of):
            del body[position]
        else:
            position += 1


def _zeros_like(stmt: gast.stmt, np_alias: str) -> str | None:
    """``x`` for ``bx = np.zeros(np.shape(x))`` or ``bx = zeros_of(x)``."""
    if not (
        isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Call)
        and len(stmt.value.args) == 1 and not stmt.value.keywords
    ):
        return None
    shape = stmt.value.args[0]
    if S.dotted_name(stmt.value.func) == "zeros_of":  # 0.0 for a number: `0.0 + v` is `v`
        return shape.id if isinstance(shape, gast.Name) else None
    if S.dotted_name(stmt.value.func) != f"{np_alias}.zeros":
        return None
    if (
        isinstance(shape, gast.Call) and S.dotted_name(shape.func) == f"{np_alias}.shape"
        and len(shape.args) == 1 and isinstance(shape.args[0], gast.Name) and not shape.keywords
    ):
        return shape.args[0].id
    return None


def _next_mention(body: list[gast.stmt], start: int, name: str) -> int | None:
    """The position of the next statement that mentions ``name``, if it is an ``if``."""
    for position in range(start, len(body)):
        if any(n.id == name for n in S.names(body[position])):
            return position if isinstance(body[position], gast.If) else None
    return None


def _assign_in_both(branch: gast.If, name: str, shape_of: str) -> bool:
    """Rewrite the first write of ``name`` in each branch into an assignment, if each is
    ``name += unbroadcast(<arithmetic>, shape_of)`` and the test does not read it."""
    if any(n.id == name for n in S.names(branch.test)) or not branch.orelse:
        return False
    firsts = [_first_write(block, name, shape_of) for block in (branch.body, branch.orelse)]
    if None in firsts:
        return False
    for block, position in zip((branch.body, branch.orelse), firsts):
        block[position] = S.assign(name, _added(block[position], name)[1])
    return True


def _first_write(block: list[gast.stmt], name: str, shape_of: str) -> int | None:
    for position, stmt in enumerate(block):
        if not any(n.id == name for n in S.names(stmt)):
            continue
        added = _added(stmt, name)
        if added is None or any(n.id == name for n in S.names(added[0])):
            return None
        return position if _new_of_shape(added[0], shape_of) else None
    return None


def _added(stmt: gast.stmt, name: str) -> tuple[gast.expr, gast.expr] | None:
    """``(v, what name becomes from zeros)`` for ``name += v``, ``name = name + v`` (``v``)
    and ``name = name - v`` (``-v``); None for any other statement."""
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.op, gast.Add) and (
        isinstance(stmt.target, gast.Name) and stmt.target.id == name
    ):
        return stmt.value, stmt.value
    if not (
        isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id == name
        and isinstance(stmt.value, gast.BinOp) and isinstance(stmt.value.op, (gast.Add, gast.Sub))
        and isinstance(stmt.value.left, gast.Name) and stmt.value.left.id == name
    ):
        return None
    value = stmt.value.right
    if isinstance(stmt.value.op, gast.Sub):
        return value, gast.UnaryOp(op=gast.USub(), operand=value)
    return value, value


def _new_of_shape(value: gast.expr, shape_of: str) -> bool:
    """A new array of ``shape_of``'s shape: ``unbroadcast(<arithmetic>, x)``, or arithmetic
    of ``unbroadcast(..., x)`` with a number (``unbroadcast(by, x) * 2.0``, ``-unbroadcast(by, x)``)."""
    if isinstance(value, gast.UnaryOp) and isinstance(value.op, gast.USub):
        return _unbroadcast_to(value.operand, shape_of) is not None
    if isinstance(value, gast.BinOp) and isinstance(value.op, _ARITHMETIC):
        for shaped, other in ((value.left, value.right), (value.right, value.left)):
            if _unbroadcast_to(shaped, shape_of) is not None and isinstance(other, gast.Constant) and (
                isinstance(other.value, (int, float)) and not isinstance(other.value, bool)
            ):
                return True
        return False
    inner = _unbroadcast_to(value, shape_of)
    return inner is not None and (
        (isinstance(inner, gast.BinOp) and isinstance(inner.op, _ARITHMETIC))
        or (isinstance(inner, gast.UnaryOp) and isinstance(inner.op, gast.USub))
    )


def _unbroadcast_to(value: gast.expr, shape_of: str) -> gast.expr | None:
    """``g`` for ``unbroadcast(g, shape_of)``."""
    if (
        isinstance(value, gast.Call) and isinstance(value.func, gast.Name)
        and value.func.id == "unbroadcast" and len(value.args) == 2 and not value.keywords
        and isinstance(value.args[1], gast.Name) and value.args[1].id == shape_of
    ):
        return value.args[0]
    return None
