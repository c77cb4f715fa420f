"""Views and second names written through: a clear error, not a wrong derivative.

``col = B[:, 0]`` is a view of ``B`` in NumPy, so ``B[:, 0] = ...`` afterwards changes
``col`` too (and writing into ``col`` changes ``B``); ``C = B`` is a second name for the
same array, list or dict (``ys = xs; ys.append(v)`` changes ``xs``); a list, tuple or
dict holds the arrays put in it (``xs = [h]; xs[0] += v`` changes ``h``). The engine gives
every variable its own value, as if ``col`` were a copy; the two agree until one of them
is written in place and the other is read again for its values (a shape never changes in
place). That case is rejected, quoting both lines.

Followed: basic slices (``x[1:]``, ``x[:, j]``), transposes (``x.T``, ``np.transpose``,
``swapaxes``, ``moveaxis``), and what is a view whenever it can be (``reshape``,
``ravel``, ``squeeze``, ``diagonal``, ``broadcast_to``, ``asarray``, ``flip``...: the list
dead-code elimination uses, ``views.VIEW_FUNCTIONS``): asking for a ``.copy()`` there
costs little, a wrong derivative a lot. ``x[0]`` is a view
of a matrix but a copy of a vector's element, so it is followed only once something
writes into it: by index (``r[0] = v``), or with ``r += v`` (``for r in X``, ``a, b = X``
too), which for a vector's element would rebind a number, but nothing here knows the
rank; or once ``X`` is indexed with more axes than the row reads (``X[i, j]``). ``t += 1``
writes in place when ``t`` is a view, has views or is a second name (the engine reads it
as ``t = t + 1``; ``acc = x; acc += y`` rebinds a number but writes into an array ``x``,
which nothing here tells apart: reported if ``x`` is read again). Basic indexing with
``None`` or ``...`` and ``.view()`` make views; a call of the user's function may return
its argument (``returned_parameters``). A loop's body is seen twice, so a step's read of
what the step before wrote is found. A write
of a value popped from a tape (``B[:, j] = tape.pop()``, in generated code differentiated
again) restores what the views held: generated code relies on that.
"""

from __future__ import annotations

from collections.abc import Callable

import gast

from . import syntax as S
from .aliasing_messages import read_by_the_derivative, row_changed, stale_read
from .aliasing_state import State
from .shallow_copies import (
    by_key, concatenation_of, is_container, list_slice_of, name_list, names_in, shallow_copy_of,
)
from .errors import DiffError
from .analysis import walk_ops
from .ir import Function, If, Loop, Op, Return, ends_in_break
from .parameters import (
    returned_argument, returned_arguments, returned_elements, written_arguments,
)
from .views import NO_COPY_VIEWS, VIEW_FUNCTIONS, told_not_to_copy, value_reads

# rule keys of the calls and attributes whose result may be a view of their first argument
_VIEWS = frozenset(
    [f"numpy.{name}" for name in VIEW_FUNCTIONS]
    + [f"numpy.ndarray.{name}" for name in VIEW_FUNCTIONS | {"T", "mT", "view", "flat"}]
    + ["numpy.lib.stride_tricks.sliding_window_view"]
)
VIEW_KEYS = _VIEWS | frozenset(  # what may return a view of its first argument
    [f"numpy.{name}" for name in NO_COPY_VIEWS] + [f"numpy.ndarray.{name}" for name in NO_COPY_VIEWS]
)
_NO_COPY_VIEWS = frozenset(
    [f"numpy.{name}" for name in NO_COPY_VIEWS] + [f"numpy.ndarray.{name}" for name in NO_COPY_VIEWS]
)


class Changed:
    """The variables that hold changed values at the end of the function, because a view
    or another name of their arrays was written in place after they were bound: the
    user's code does not read them again (that is reported), but a derivative may."""

    def __init__(self, state: State) -> None:
        self._state = state

    def names(self) -> set[str]:
        """Arrays changed through a view of them (``P = E[0]; P[1] *= 2``: ``E``), which the
        generated code shares as the user's does. Not those a call of the user's function
        wrote into (its derivative's halves copy what they change), nor those changed
        through a name the generated code gives an array of its own: the array itself
        written (``Y[:, 0] *= s`` after ``r = Y[0]``: the engine keeps what ``r`` read), an
        entry of a container, or a name ``y *= 2.0`` rebound (a new array there)."""
        state, found = self._state, set()
        for name, (write, written) in state.stale.items():
            root, made = state.base.get(written, (written, None))
            if write.kind == "call" or root != name or made is None:
                continue
            if getattr(made.node, "in_place", False):
                continue
            found.add(name)
        return found

    def unsure_rows(self) -> list[tuple[Op, str, str, str]]:
        """``(write, name checked, written, message)`` for each row of unknown rank read after a
        write into its array (``r = Y[0]; Y[0] = v; ... r``): right for a vector's element,
        wrong for a matrix's row, which only the running code tells apart."""
        state = self._state
        return [
            (write, checked, written, row_changed(row, written, write, made, state, holder))
            for write, row, written, made, holder, checked in state.guards.values()
        ]

    def error(self, name: str) -> DiffError:
        """The error for a derivative that reads ``name``'s value."""
        write, written = self._state.stale[name]
        return read_by_the_derivative(name, written, write, self._state).at(
            getattr(write, "node", None))


def check_views(
    fn: Function, callee: Callable[[str], gast.FunctionDef | None] | None = None,
    result_kind: Callable[[Op], str | None] | None = None,
) -> Changed:
    """Raise a DiffError where a variable is read after a view of it (or the array it
    views) was written in place, or after one of the user's functions (``callee`` finds
    their source) wrote into it. ``result_kind(op)``, for a call of the user's function,
    is the kind of what it returns: a tuple, list or dict's elements are separate
    objects, an array's rows views of it. Returns what is changed at the end."""
    written = set(fn.origins).union(fn.identifiers)  # the user's variables
    ops = list(walk_ops(fn.body))
    tapes = {op.target for op in ops if op.kind == "append"} & {
        op.args[0].id for op in ops if op.kind == "pop" and isinstance(op.args[0], gast.Name)
    }
    ndim: dict[str, int] = {}
    keyed: set[str] = set()
    for op in ops:  # `Y[i, j]` anywhere: Y has two axes at least
        if op.kind in ("subscript", "setitem") and isinstance(op.value.value, gast.Name):
            base = op.value.value.id
            ndim[base] = max(ndim.get(base, 0), _axes_indexed(op.value.slice))
            if by_key(op):
                keyed.add(base)
    state = State(lines=fn.lines, origins=fn.origins, callee=callee, written_names=written,
                   tapes=tapes, ndim=ndim, result_kind=result_kind, keyed=keyed)
    _block(fn.body, state)
    return Changed(state)


def _block(body: list, state: State) -> None:
    for stmt in body:
        if isinstance(stmt, Op):
            _op(stmt, state)
        elif isinstance(stmt, Return):
            _read(sorted(value_reads(stmt.value)), stmt, state)
        elif isinstance(stmt, If):
            _read([stmt.test.id], stmt, state)
            other = state.copy()
            _block(stmt.body, state)
            _block(stmt.orelse, other)
            leaves, stays = ends_in_break(stmt.body), ends_in_break(stmt.orelse)
            if state.exits and leaves != stays:  # one branch leaves the loop
                state.exits[-1].append(state.copy() if leaves else other)
                if leaves:
                    state.become(other)
            else:
                state.merge(other)
        elif isinstance(stmt, Loop):
            # twice: one step reads what the step before wrote in place (`e = x[i]` after
            # `bump(x, i)`); and merged with no step at all, for a loop that never runs
            skipped = state.copy()
            state.exits.append([])
            _block(stmt.body, state)
            state.repeating += 1
            _block(stmt.body, state)
            state.repeating -= 1
            for left in state.exits.pop():
                state.merge(left)
            state.merge(skipped)


def _op(op: Op, state: State) -> None:
    _read(sorted(_reads(op, state)), op, state)
    if op.kind == "setitem":
        item = op.args[1] if len(op.args) > 1 else None
        restored = isinstance(item, gast.Name) and item.id in state.popped
        _promote(op.target, state)  # indexed into: an array, a view
        _write(op.target, op, state, restored)
        if op.target in state.holds:  # `xs[0] = h`
            _put(op.target, names_in([item]), op, state)
        key = _constant_key(op.value.slice)
        if key is not None and isinstance(item, gast.Name):
            state.entries[(op.target, key)] = item.id
        else:  # a key not known: any entry may have been replaced
            state.entries = {k: v for k, v in state.entries.items() if k[0] != op.target}
        return
    if op.kind == "append":  # the list grows in place: its other names see it
        _promote(op.target, state)  # `hs = d["h"]`: the list itself
        _write(op.target, op, state, restored=False)
        if op.target not in state.tapes:  # (`xs.append((h, i))`: h is held too)
            _put(op.target, names_in(op.args[1:]), op, state)
        return
    callee = state.callee(op.key) if op.kind == "call" and state.callee is not None else None
    _writes_of(op, callee, state)
    _bind(op, callee, state)
    updated = _updated_in_place(op, state)
    if updated is not None:  # the same array under its new name, written in place
        _write(updated, op, state, restored=False)
        state.base[op.target] = state.base.get(updated, (updated, op))


def _reads(op: Op, state: State) -> set[str]:
    """What ``op`` reads for its values."""
    if op.kind == "setitem":  # the location's index and the item; shapes don't change
        item = op.args[1] if len(op.args) > 1 else None
        return value_reads(op.value.slice) | (value_reads(item) if item is not None else set())
    if op.kind == "append" and state.repeating and op.target in state.tapes:
        # a tape keeps a view the step before wrote through: the pop that gives it back
        # comes after the write into its array was undone, and the view sees that
        return set()
    return value_reads(op.value)


def _put(container: str, names: set[str], op: Op, state: State) -> None:
    """``container`` takes ``names`` in (``xs.append(h)``, ``xs[0] = h``)."""
    held = state.holds.setdefault(container, set())
    if names & held:
        state.twice.add(container)
    held |= names
    state.filled.setdefault(container, op)


def _writes_of(op: Op, callee: gast.FunctionDef | None, state: State) -> None:
    """The writes in place an op makes besides binding its target: ``xs.pop()``, a call of
    the user's function into its arguments, ``xs[0] += v`` into the array ``xs[0]`` holds."""
    if op.kind == "pop" and isinstance(op.args[0], gast.Name):
        _write(op.args[0].id, op, state, restored=False)
    for name in written_arguments(op, callee):
        _write(name, op, state, restored=False)
        state.stale[name] = (op, name)  # the caller's own name is stale too
    container = _element_updated(op, state)
    if container is not None:
        element = op.value.left.id
        made = state.rows[element][1]
        entry = state.entries.get((container, _constant_key(made.value.slice)))
        for name in _entries_read(container, element, state):  # `old = params["w"]`: old too
            state.stale[name] = (op, container)
        for held in sorted({entry} if entry is not None else state.holds.get(container, ())):
            _promote(held, state)  # written in place: an array, so a row is a view
            _write(held, op, state, restored=False)
            state.stale[held] = (op, container)  # `xs = [h]`: h itself changes
            root = state.rows.get(held, (None, None))[0]
            if root is not None and is_container(root, state) and root != container:
                state.stale[root] = (op, container)  # `v = params[k]` held: params's entry
        if container not in state.holds or not _holds_twice(container, state):
            state.stale.pop(container, None)  # written through: it sees the change


def _bind(op: Op, callee: gast.FunctionDef | None, state: State) -> None:
    """``op.target`` names a new value: what it views, is a row of, or holds."""
    old = state.rebind(op.target)
    # `rows = rows + [r]`, read as `t = rows + [r]; rows = t`: the new list holds the old
    # one (under its old name now), and `rows` names the list `t` names
    joined = [old if n == op.target else n for n in concatenation_of(op, state)]
    if old in joined:
        state.holds[old] = set(state.holds.get(op.target, ()))
    source = op.value.id if op.kind == "copy" and isinstance(op.value, gast.Name) else None
    made = state.filled.get(source)
    same = state.holds.get(source) if made is not None and made.key == "operator.concat" else None
    state.base.pop(op.target, None)
    state.stale.pop(op.target, None)
    state.unsure.pop(op.target, None)
    state.popped.discard(op.target)
    state.rows.pop(op.target, None)
    state.holds.pop(op.target, None)
    state.twice.discard(op.target)
    separate = _separate(op, state)
    state.separate.discard(op.target)
    state.parts.pop(op.target, None)
    state.positions.pop(op.target, None)
    state.elements.pop(op.target, None)
    if separate is not None:
        state.separate.add(op.target)
        if separate:
            state.parts[op.target] = separate
    row_of = _row_of(op)
    if row_of is not None:
        state.rows[op.target] = (state.base.get(row_of, (row_of, op))[0], op)
    elif op.kind == "copy" and isinstance(op.value, gast.Name) and op.value.id in state.rows:
        state.rows[op.target] = state.rows[op.value.id]  # `q = r`: the same row, or element
    if op.kind == "pop":
        state.popped.add(op.target)
    sliced = list_slice_of(op, state)
    held = _held(op) or shallow_copy_of(op, state) or joined or sliced or sorted(same or ())
    if op.kind == "rule" and op.key in ("builtins.list", "builtins.tuple") and held and (
        held[0] in state.holds
    ):  # `list(items)` of a list: the arrays it holds, not rows of it
        held = sorted(state.holds[held[0]]) or held
    if held:
        state.holds[op.target] = set(held)
        state.filled[op.target] = op
        if len(set(held)) < len(held):
            state.twice.add(op.target)
    elif _empty_literal(op) or (
        op.kind == "constant" and S.is_repeated_constants(op.value)
    ) or same is not None:
        state.holds[op.target] = set()  # `new = {}`, `[]`, `[None] * n`: what is stored in it
    if op.kind == "call" and op.target in state.separate:  # `a, b = pair(h, x)`: a
        returned = returned_arguments(op, callee)  # tuple holding h, x perhaps: not a view
        if returned:
            state.holds[op.target] = state.holds.get(op.target, set()) | returned
            state.filled[op.target] = op
        positions = returned_elements(op, callee)
        if positions is not None:
            state.positions[op.target] = positions
    _element_of_returned(op, state)
    viewed = None if sliced else _viewed(op) or (
        None if op.target in state.separate else returned_argument(op, callee)
    )
    if op.kind != "copy":
        _promote(viewed, state)  # sliced (`b = a[1:]`): a row is an array
    if op.kind == "copy" and viewed is not None and viewed not in state.base and (
        viewed not in state.written_names
    ):  # `t = x * 2; x = t` (how a loop reads `x = x * 2`): t holds a new array
        viewed = None
    if viewed is not None:
        if op.kind == "copy" and viewed in state.base:  # a second name for a view: the same
            state.base[op.target] = state.base[viewed]  # view, quoted where it was made
        else:
            state.base[op.target] = (state.base.get(viewed, (viewed, op))[0], op)


def _updated_in_place(op: Op, state: State) -> str | None:
    """``t += 1`` on an array that is a view, has views or another name, or sits in a
    container updates it in place (NumPy's ``+=``), although the engine reads it as
    ``t = t + 1``: the name it updates."""
    value = op.value
    if not getattr(op.node, "in_place", False):
        return None
    if isinstance(value, gast.BinOp) and isinstance(value.left, gast.Name):
        old = value.left.id
    elif isinstance(value, gast.Call) and value.args and isinstance(value.args[0], gast.Name):
        old = value.args[0].id  # np.add.at(a, i, v), read as a = add_at(a, i, v)
    else:
        return None
    # a row (`r = X[1]`, `for r in X`) or a second name (`h = x`): a view if X is a
    # matrix, x itself if an array, and then `+= v` changes X or x. Were they numbers,
    # `+=` would rebind them, but nothing here knows the rank: a wrong derivative costs
    # more than asking for `r = r + v`
    _promote(old, state)
    views = [made for root, made in state.base.values() if root == old]
    if old in state.base:
        views.append(state.base[old][1])
    # a row of it (`r = Y[0]` before `Y *= 2.0`): an element or a view, checked at run time
    rows = any(of == old for of, _ in state.rows.values())
    return old if views or rows or state.holders(old) else None


def _element_updated(op: Op, state: State) -> str | None:
    """``xs[0] += v`` (read as ``t = xs[0] + v; xs[0] = t``) adds into the array ``xs[0]``
    holds, in place, when ``xs`` is a list: the list."""
    value = op.value
    if not getattr(op.node, "item_in_place", False) or not isinstance(value, gast.BinOp):
        return None
    element = value.left.id if isinstance(value.left, gast.Name) else None
    if element is None or element not in state.rows:
        return None
    container = state.rows[element][0]
    if state.holds.get(container) or _entries_read(container, element, state):
        return container
    return None


def _entries_read(container: str, element: str, state: State) -> list[str]:
    """The other names an entry of ``container`` was read into (``old = params["w"]``)
    that the update of ``element``'s entry may be: the same key, or one not known."""
    key = _constant_key(state.rows[element][1].value.slice)
    found = []
    for name, (root, made) in state.rows.items():
        if root != container or name == element or made.kind != "subscript":
            continue
        other = _constant_key(made.value.slice)
        if key is None or other is None or other == key:
            found.append(name)
    return found


def _constant_key(index: gast.expr) -> object:
    """``"w"`` for ``new["w"]``, ``2`` for ``xs[2]``; None for any other index."""
    if isinstance(index, gast.Constant) and type(index.value) in (str, int):
        return index.value
    return None


def _holds_twice(container: str, state: State) -> bool:
    """Whether a container may hold one array in two places (``[h, h]``, or two views of
    one array): a write through one place changes the other."""
    roots = [state.base.get(h, state.rows.get(h, (h, None)))[0] for h in state.holds[container]]
    return len(set(roots)) < len(roots) or container in state.twice


def _promote(name: str | None, state: State) -> None:
    """``name``, a row (``r = X[0]``), is known to be an array: a view of ``X``, which
    then has an axis more than the row's indexes."""
    if name is None or name not in state.rows or name in state.base:
        return
    root, made = state.base[name] = state.rows[name]
    state.ndim[root] = max(state.ndim.get(root, 0), _axes_indexed(made.value.slice) + 1)


def _axes_indexed(index: gast.expr) -> int:
    """How many axes an index reads (``[i, :]``: two; ``[None, 0]``: one)."""
    parts = index.elts if isinstance(index, gast.Tuple) else [index]
    return sum(1 for p in parts if not (
        isinstance(p, gast.Constant) and (p.value is None or p.value is Ellipsis)
    ) and not (isinstance(p, gast.Attribute) and p.attr == "newaxis"))


def _element_of_returned(op: Op, state: State) -> None:
    """``a = r[0]`` of a tuple the user's function returned: ``a`` is what the callee put
    there, which may be an argument itself, or a new list holding some."""
    value = op.value
    if op.kind != "subscript" or not isinstance(value.value, gast.Name) or not isinstance(
        value.slice, gast.Constant
    ) or type(value.slice.value) is not int:
        return
    positions = state.positions.get(value.value.id)
    if positions is None or not -len(positions) <= value.slice.value < len(positions):
        return
    direct, held, fresh, nested = positions[value.slice.value]
    if nested is not None:  # `a = r[1][0]`, through a name: `t = r[1]; a = t[0]`
        state.positions[op.target] = nested
    state.elements[op.target] = set(direct)
    if direct:  # `return a, a`: both elements are the argument, each a second name for it
        root = sorted(direct)[0]
        state.base[op.target] = (state.base.get(root, (root, op))[0], op)
    if held:
        state.holds[op.target] = set(held)
        state.filled[op.target] = op
    if fresh:
        state.separate.add(op.target)


_CONTAINER_RULES = frozenset((
    "builtins.list", "builtins.tuple", "builtins.dict", "numpy.linalg.eigh",
    "numpy.linalg.slogdet",
))
_LITERALS = (gast.List, gast.Tuple, gast.Dict, gast.Set, gast.ListComp, gast.DictComp,
             gast.SetComp)


def _separate(op: Op, state: State) -> list | None:
    """Whether ``op.target`` is a tuple, list or dict of separate objects, never an array
    (``[h, g]``, ``list(Y)``, what the user's function returns as a tuple, an element
    of a literal that is a literal itself): None if it may be an array, else the
    literal's elements (empty when not known)."""
    value = op.value
    if op.kind == "literal" or isinstance(value, _LITERALS):
        return list(getattr(value, "elts", ())) or []
    if op.kind == "rule" and op.key in _CONTAINER_RULES:
        return []
    if op.kind == "call" and state.result_kind is not None and state.result_kind(op) in (
        "list", "dict"
    ):  # `a, b = pair(x)` with `return x * 2, np.sin(x)`: a tuple
        return []
    if op.kind == "copy" and isinstance(value, gast.Name) and value.id in state.separate:
        return state.parts.get(value.id, [])
    if op.kind == "subscript" and isinstance(value.value, gast.Name) and isinstance(
        value.slice, gast.Constant
    ) and type(value.slice.value) is int:  # `t0 = t[0]` of `t = (([], [x]), [])`
        parts = state.parts.get(value.value.id, [])
        if -len(parts) <= value.slice.value < len(parts) and isinstance(
            parts[value.slice.value], _LITERALS
        ):
            return list(getattr(parts[value.slice.value], "elts", ()))
    return None


def _viewed(op: Op) -> str | None:
    """The array (or list, or dict) ``op``'s result is a definite view of, if any: a second
    name for the same object (``C = B``) counts."""
    if op.kind == "copy" and isinstance(op.value, gast.Name):
        return op.value.id
    if op.kind == "subscript":
        index = op.value.slice
        parts = index.elts if isinstance(index, gast.Tuple) else [index]
        if any(_keeps_axes(p) for p in parts) and isinstance(op.value.value, gast.Name):
            return op.value.value.id
    elif op.kind == "rule" and op.args and (op.key in _VIEWS or (
        op.key in _NO_COPY_VIEWS and isinstance(op.value, gast.Call) and told_not_to_copy(op.value)
    )):
        first = op.args[0]
        return first.id if isinstance(first, gast.Name) else None
    return None


def _keeps_axes(index: gast.expr) -> bool:
    """An index that makes basic indexing return a view: a slice, ``...``, ``None`` or
    ``np.newaxis``."""
    if isinstance(index, gast.Slice):
        return True
    if isinstance(index, gast.Constant):
        return index.value is None or index.value is Ellipsis
    return isinstance(index, gast.Attribute) and index.attr == "newaxis"


def _row_of(op: Op) -> str | None:
    """The array ``op`` reads one row (or element) of by integer indexes: ``X[0]``, ``X[i, 1]``."""
    if op.kind != "subscript" or not isinstance(op.value.value, gast.Name):
        return None
    index = op.value.slice
    parts = index.elts if isinstance(index, gast.Tuple) else [index]
    if all(
        isinstance(p, gast.Name) or (isinstance(p, gast.Constant) and type(p.value) in (int, str))
        for p in parts
    ):  # (a dict's entry by key too: the object itself, a list perhaps)
        return op.value.value.id
    return None


def _write(name: str, op: Op, state: State, restored: bool) -> None:
    """``name`` is written in place: the array it views, the other views and rows of that
    array, and the containers holding any of them change with it (unless a tape restores
    what they held)."""
    for other in _sharing(name, state) - {name}:
        if restored:
            state.stale.pop(other, None)
        else:
            state.stale[other] = (op, name)
    root = state.base.get(name, (name, None))[0]
    for row, (of, made) in list(state.rows.items()):
        if of == root and row != name and not _is_view(made, of, state) and not (
            of in state.holds or of in state.separate or by_key(made)
        ):  # a row or an element: which, only the running code knows
            if restored:
                state.unsure.pop(row, None)
            else:
                state.unsure.setdefault(row, {})[id(op)] = (op, name, state.holding(row))


def _sharing(name: str, state: State) -> set[str]:
    """The names whose values a write into ``name`` may change: other views of its array,
    rows of it known to be views, and the containers holding any of them."""
    roots: set[str] = set()
    first = state.base.get(name, (name, None))[0]
    stack = [first]
    if first != name:  # through an element of a container (`Z = t[0]`): what it holds
        # (of a tuple the user's function returned, what that element may be)
        held = state.elements.get(name, state.holds.get(first, ()))
        stack.extend(state.base.get(h, (h, None))[0] for h in held)
    while stack:
        root = stack.pop()
        if root in roots:
            continue
        roots.add(root)
        members = {root} | {v for v, (r, _) in state.base.items() if r == root}
        members |= {v for v, (r, made) in state.rows.items() if r == root and _is_view(made, r, state)}
        for member in members:  # the containers holding it see the change
            stack.extend(state.holders(member))
    related = set(roots)
    related |= {v for v, (r, _) in state.base.items() if r in roots}
    related |= {v for v, (r, made) in state.rows.items() if r in roots and _is_view(made, r, state)}
    return related


def _is_view(made: Op, root: str, state: State) -> bool:
    """Whether a row is known to be a view: its array has more axes than it indexes. (Not
    known, it is taken for a number: ``old = x[0]; x[0] = v`` reads the old element.)"""
    if root in state.holds or root in state.separate or by_key(made):
        return False  # a container's entry: replaced, not written; another object
    if made.kind != "subscript":  # `for r in X`: X's rows
        return True
    return state.ndim.get(root, 0) > _axes_indexed(made.value.slice)


def _empty_literal(op: Op) -> bool:
    """``{}``, ``[]``, ``()``: a container nothing is in yet."""
    value = op.value
    if op.kind != "literal":
        return False
    return not (value.keys if isinstance(value, gast.Dict) else getattr(value, "elts", True))


def _held(op: Op) -> list[str]:
    """The arrays a new container may hold: ``[h, g]``, ``(Y, 1)``, ``{"a": h}``;
    ``list(Y)`` and ``tuple(Y)`` hold ``Y``'s rows."""
    value = op.value
    if op.kind == "literal":
        if isinstance(value, (gast.List, gast.Tuple)):
            return name_list(value.elts)
        if isinstance(value, gast.Dict):
            return name_list(value.values)
    if op.kind == "rule" and op.key in ("builtins.list", "builtins.tuple"):
        return name_list(op.args[:1])
    return []


def _read(names: list[str], at: object, state: State) -> None:
    for name in names:
        for row, holder in state.rows_read(name):
            for write, written, holding in state.unsure[row].values():
                made = state.rows[row][1]
                checked = holder if holder in holding else row  # (bound at the write)
                state.guards.setdefault(
                    (id(write), checked), (write, row, written, made, holder, checked))
        if name in state.stale:
            write, written = state.stale[name]
            node = getattr(at, "node", None)
            if getattr(node, "lineno", None) is None:  # a loop's step (`for r in H`): at the write
                node = getattr(write, "node", None)
            raise stale_read(name, written, write, state).at(node)
