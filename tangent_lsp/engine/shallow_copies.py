"""Containers copied shallowly: the new list or dict holds the arrays the old one holds
(``params.copy()``, ``dict(params)``, ``hs[:]``, ``hs + [h]``), so an array updated in
place through one is changed in the other (``aliasing.py`` follows them as it follows
``list(Y)``)."""

from __future__ import annotations

import gast

from .aliasing_state import State
from .ir import Op

# calls that copy a container, not what it holds: `params.copy()`, `dict(params)`
_SHALLOW_COPIES = frozenset(("numpy.ndarray.copy", "builtins.dict", "copy.copy"))


def shallow_copy_of(op: Op, state: State) -> list[str]:
    """``new = params.copy()`` of a list or dict (``dict(params)``, ``copy.copy(xs)``): the
    new container holds what the old one does, as ``list(Y)`` holds ``Y``'s rows."""
    if not (op.kind == "rule" and op.key in _SHALLOW_COPIES and op.args):
        return []
    source = op.args[0]
    if not isinstance(source, gast.Name):
        return []
    name = source.id
    root = state.base.get(name, (name, None))[0]  # `hs[:].copy()`: the slice is hs's
    if op.key == "builtins.dict" or is_container(name, state) or is_container(root, state):
        return with_held_containers(name, state)
    return []


def list_slice_of(op: Op, state: State) -> list[str]:
    """``hs2 = hs[:]`` (or ``hs[1:]``) of a list: a new list holding some of the arrays hs
    holds, as a shallow copy does; not a view (rebinding ``hs2[0]`` leaves hs alone)."""
    if op.kind != "subscript" or not isinstance(op.value.slice, gast.Slice):
        return []
    base = op.value.value
    if not isinstance(base, gast.Name) or base.id not in state.holds:
        return []
    return with_held_containers(base.id, state)


def concatenation_of(op: Op, state: State) -> list[str]:
    """``hs + []``, ``hs + [h]``, ``[h] + hs``: a new list holding the arrays both sides
    hold (a shallow copy, when the other side is empty)."""
    value = op.value
    if not (op.kind == "rule" and op.key == "operator.concat" and isinstance(value, gast.BinOp)):
        return []
    held: list[str] = []
    lists = 0
    for side in (value.left, value.right):
        if isinstance(side, (gast.List, gast.Tuple)):
            held.extend(name_list(side.elts))
            lists += 1
        elif isinstance(side, gast.Name) and is_container(side.id, state):
            held.append(side.id)  # as a shallow copy holds it: entry by entry
            lists += 1
    return held if lists else []


def with_held_containers(name: str, state: State) -> list[str]:
    """``name`` and every container it holds, at any depth (``hs[:][1:]`` holds what the
    slice ``hs[:]`` holds, which is what ``hs`` holds): an update in place through the
    copy changes what each of them holds."""
    found, pending = [name], [name]
    while pending:
        for held in sorted(state.holds.get(pending.pop(), ())):
            if held not in found and is_container(held, state):
                found.append(held)
                pending.append(held)
    return found


def is_container(name: str, state: State) -> bool:
    """Known to be a list or dict: it holds something, or is indexed by a string."""
    return name in state.holds or name in state.keyed


def name_list(values: list) -> list[str]:
    return [v.id for v in values if isinstance(v, gast.Name)]


def names_in(values: list) -> set[str]:
    """The names among ``values`` and in the list and tuple literals among them."""
    found = set(name_list(values))
    for value in values:
        if isinstance(value, (gast.List, gast.Tuple)):
            found |= names_in(value.elts)
    return found


def by_key(made: Op) -> bool:
    """``d["a"]``: a dict's entry, never a view."""
    if made.kind != "subscript":
        return False
    index = made.value.slice
    parts = index.elts if isinstance(index, gast.Tuple) else [index]
    return any(isinstance(p, gast.Constant) and isinstance(p.value, str) for p in parts)
