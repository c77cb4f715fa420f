"""In-place accumulation: ``bW = bW + g`` → ``bW += g`` where nothing else can see ``bW``.

A loop's adjoint accumulates into an array the backward sweep created itself
(``bW = np.zeros(np.shape(W))``). Adding in place saves an allocation per step
and reads like the hand-written ``dW += ...``. It is only done when that array
cannot be aliased: besides its accumulations, ``bW`` is read only by arithmetic
(which makes new arrays) and by the final ``return``.
"""

from __future__ import annotations

import gast

from . import syntax as S


def accumulate_in_place(function: gast.FunctionDef, np_alias: str) -> gast.FunctionDef:
    owned = _zero_initialized(function, np_alias)
    if not owned:
        return function
    accumulations: dict[str, list[gast.Assign]] = {name: [] for name in owned}
    allowed: set[int] = set()  # reads of an owned name that cannot alias it
    for node in S.walk(function.body):
        if isinstance(node, gast.Assign):
            name = _accumulation(node)
            if name in owned:
                accumulations[name].append(node)
                allowed.add(id(node.value.left))
        elif isinstance(node, (gast.BinOp, gast.Compare)):
            operands = (node.left, node.right) if isinstance(node, gast.BinOp) else (
                node.left, *node.comparators
            )
            allowed.update(id(o) for o in operands if isinstance(o, gast.Name))
        elif isinstance(node, gast.UnaryOp) and isinstance(node.operand, gast.Name):
            allowed.add(id(node.operand))
    returned = function.body[-1] if function.body and isinstance(
        function.body[-1], gast.Return) else None
    if returned is not None and returned.value is not None:
        values = returned.value.elts if isinstance(returned.value, gast.Tuple) else [returned.value]
        allowed.update(id(v) for v in values if isinstance(v, gast.Name))
    # Reads after the statement holding the last accumulation may alias freely.
    update_of = {id(a): name for name, updates in accumulations.items() for a in updates}
    last = dict.fromkeys(owned, -1)
    for index, stmt in enumerate(function.body):
        for node in S.walk(stmt):
            if id(node) in update_of:
                last[update_of[id(node)]] = index
    for index, stmt in enumerate(function.body):
        for node in S.names(stmt):
            if node.id in owned and index > last[node.id]:
                allowed.add(id(node))
    stores: dict[str, int] = {}
    for node in S.names(function.body):
        if node.id not in owned:
            continue
        if isinstance(node.ctx, gast.Load):
            if id(node) not in allowed:
                owned.discard(node.id)
        else:
            stores[node.id] = stores.get(node.id, 0) + 1
    in_place: set[int] = set()
    for name in owned:
        updates = accumulations[name]
        if stores.get(name) != len(updates) + 1:
            continue  # assigned some other way too
        if not any(n.id == name for a in updates for n in S.names(a.value.right)):
            in_place.update(id(a) for a in updates)
    if not in_place:
        return function

    class Augment(S.Transformer):
        def visit_Assign(self, node: gast.Assign) -> gast.stmt:
            if id(node) not in in_place:
                return node
            return gast.AugAssign(target=node.targets[0], op=gast.Add(), value=node.value.right)

    return Augment().visit(function)


def _zero_initialized(function: gast.FunctionDef, np_alias: str) -> set[str]:
    names = set()
    for stmt in function.body:
        if (
            isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Name)
            and isinstance(stmt.value, gast.Call)
            and S.dotted_name(stmt.value.func) == f"{np_alias}.zeros"
        ):
            names.add(stmt.targets[0].id)
    return names


def _accumulation(node: gast.Assign) -> str | None:
    """``v`` for ``v = v + e``."""
    if (
        len(node.targets) == 1 and isinstance(node.targets[0], gast.Name)
        and isinstance(node.value, gast.BinOp) and isinstance(node.value.op, gast.Add)
        and isinstance(node.value.left, gast.Name)
        and node.value.left.id == node.targets[0].id
    ):
        return node.targets[0].id
    return None


_ARITHMETIC = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow, gast.MatMult)


def drop_copies_of_fresh_values(function: gast.FunctionDef, np_alias: str = "np") -> gast.FunctionDef:
    """``v = -g`` (or ``v = a * b``, ``v = np.zeros(...)``), then, with nothing reading ``v``
    in between, ``v = v.copy()``: ``v`` is a new array already, which nothing else holds;
    the copy before writing into it goes."""
    _drop_fresh_copies(function.body, np_alias)
    return function


def _drop_fresh_copies(body: list[gast.stmt], np_alias: str) -> None:
    for stmt in body:
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list):
                _drop_fresh_copies(inner, np_alias)
    position = 1
    while position < len(body):
        name = _assigned_name(body[position])
        if name is not None and _copies(body[position], name) and _made_fresh(
            body[:position], name, np_alias
        ):
            del body[position]
        else:
            position += 1


def _made_fresh(before: list[gast.stmt], name: str, np_alias: str) -> bool:
    """The last statement of ``before`` that names ``name`` binds it to a new array, read
    since only through copies of its slots (``unbroadcast(by[1:].copy(), t)``: no view of
    it is kept)."""
    for stmt in reversed(before):
        mentions = [n for n in S.names(stmt) if n.id == name]
        if not mentions:
            continue
        if _assigned_name(stmt) != name and len(mentions) == _copied_slots(stmt, name):
            continue
        return _assigned_name(stmt) == name and _is_fresh(stmt.value, np_alias)
    return False


def _copied_slots(stmt: gast.stmt, name: str) -> int:
    """How many ``name[...].copy()`` a statement reads (each names ``name`` once, unless
    its index does too)."""
    return sum(
        1 for node in S.nodes_of(stmt, gast.Call)
        if isinstance(node.func, gast.Attribute) and node.func.attr == "copy"
        and not node.args and not node.keywords
        and isinstance(node.func.value, gast.Subscript)
        and isinstance(node.func.value.value, gast.Name) and node.func.value.value.id == name
        and not any(n.id == name for n in S.names(node.func.value.slice))
    )


def _assigned_name(stmt: gast.stmt) -> str | None:
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(
        stmt.targets[0], gast.Name
    ):
        return stmt.targets[0].id
    return None


_NEW_ARRAYS = frozenset(("zeros", "ones", "empty", "full"))


def _is_fresh(value: gast.expr, np_alias: str) -> bool:
    if isinstance(value, gast.Call):  # `np.zeros(np.shape(x))`, as the engine starts an adjoint
        func = value.func
        return (
            isinstance(func, gast.Attribute) and func.attr in _NEW_ARRAYS
            and isinstance(func.value, gast.Name) and func.value.id == np_alias
        )
    return (isinstance(value, gast.UnaryOp) and isinstance(value.op, gast.USub)) or (
        isinstance(value, gast.BinOp) and isinstance(value.op, _ARITHMETIC)
    )


def _copies(stmt: gast.stmt, name: str) -> bool:
    """``name = name.copy()``."""
    value = getattr(stmt, "value", None)
    return (
        _assigned_name(stmt) == name and isinstance(value, gast.Call)
        and isinstance(value.func, gast.Attribute) and value.func.attr == "copy"
        and isinstance(value.func.value, gast.Name) and value.func.value.id == name
        and not value.args and not value.keywords
    )
