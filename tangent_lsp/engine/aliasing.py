"""Views and second names written through: a clear error, not a wrong derivative.

``col = B[:, 0]`` is a view of ``B`` in NumPy, so ``B[:, 0] = ...`` afterwards changes
``col`` too (and writing into ``col`` changes ``B``); ``C = B`` is a second name for the
same array, list or dict (``ys = xs; ys.append(v)`` changes ``xs``). The engine gives
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
rank. ``t += 1`` writes in place when ``t`` is a view or has views (the engine reads it
as ``t = t + 1``), not when ``t`` is only a second name (``acc = x; acc += y`` rebinds a
number). A write
of a value popped from a tape (``B[:, j] = tape.pop()``, in generated code differentiated
again) restores what the views held: generated code relies on that.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

import gast

from . import syntax as S
from .errors import DiffError
from .analysis import walk_ops
from .ir import Function, If, Loop, Op, Return
from .views import VIEW_FUNCTIONS, value_reads

# rule keys of the calls and attributes whose result may be a view of their first argument
_VIEWS = frozenset(
    [f"numpy.{name}" for name in VIEW_FUNCTIONS]
    + [f"numpy.ndarray.{name}" for name in VIEW_FUNCTIONS | {"T", "mT"}]
)


@dataclass
class _State:
    base: dict[str, tuple[str, Op]] = field(default_factory=dict)  # view → (root, where)
    stale: dict[str, tuple[Op, str]] = field(default_factory=dict)  # name → (write, written)
    popped: set[str] = field(default_factory=set)  # names holding a value from a tape
    # `r = X[0]`: a view of a matrix's row, or a vector's element (a number): known to be
    # a view once something writes into it by index (`r[0] = v`: r is an array)
    rows: dict[str, tuple[str, Op]] = field(default_factory=dict)
    lines: dict[int, str] = field(default_factory=dict)  # line number → its source text
    origins: dict[str, str] = field(default_factory=dict)  # SSA name → the user's variable
    callee: Callable[[str], gast.FunctionDef | None] | None = None
    written_names: set[str] = field(default_factory=set)  # names in the user's source
    # lists pushed to and popped from (a tape, in generated code differentiated again)
    tapes: set[str] = field(default_factory=set)
    repeating: int = 0  # inside a loop's body seen a second time: its next step

    def copy(self) -> "_State":
        return _State(
            dict(self.base), dict(self.stale), set(self.popped), dict(self.rows), self.lines,
            self.origins, self.callee, self.written_names, self.tapes, self.repeating,
        )

    def shown(self, name: str) -> str:
        return self.origins.get(name, name)

    def code(self, op: Op) -> str:
        return self.lines.get(op.line, "").strip() or f"line {op.line}"

    def merge(self, other: "_State") -> None:
        self.base.update(other.base)
        self.stale.update(other.stale)
        self.popped |= other.popped
        self.rows.update(other.rows)


def check_views(
    fn: Function, callee: Callable[[str], gast.FunctionDef | None] | None = None
) -> None:
    """Raise a DiffError where a variable is read after a view of it (or the array it
    views) was written in place, or after one of the user's functions (``callee`` finds
    their source) wrote into it."""
    written = {n.id for n in S.names(fn.node)} | set(fn.origins)  # the user's variables
    ops = list(walk_ops(fn.body))
    tapes = {op.target for op in ops if op.kind == "append"} & {
        op.args[0].id for op in ops if op.kind == "pop" and isinstance(op.args[0], gast.Name)
    }
    _block(fn.body, _State(lines=fn.lines, origins=fn.origins, callee=callee,
                           written_names=written, tapes=tapes))


def _block(body: list, state: _State) -> None:
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
            state.merge(other)
        elif isinstance(stmt, Loop):
            # twice: one step reads what the step before wrote in place (`e = x[i]` after
            # `bump(x, i)`); and merged with no step at all, for a loop that never runs
            skipped = state.copy()
            _block(stmt.body, state)
            state.repeating += 1
            _block(stmt.body, state)
            state.repeating -= 1
            state.merge(skipped)


def _op(op: Op, state: _State) -> None:
    if op.kind == "setitem":  # the location's index and the item; shapes don't change
        item = op.args[1] if len(op.args) > 1 else None
        reads = value_reads(op.value.slice) | (value_reads(item) if item is not None else set())
    elif op.kind == "append" and state.repeating and op.target in state.tapes:
        # a tape keeps a view the step before wrote through: the pop that gives it back
        # comes after the write into its array was undone, and the view sees that
        reads = set()
    else:
        reads = value_reads(op.value)
    _read(sorted(reads), op, state)
    if op.kind == "setitem":
        restored = isinstance(item, gast.Name) and item.id in state.popped
        if op.target in state.rows and op.target not in state.base:
            state.base[op.target] = state.rows[op.target]  # indexed into: an array, a view
        _write(op.target, op, state, restored)
        return
    if op.kind == "append":  # the list grows in place: its other names see it
        if op.target in state.rows and op.target not in state.base:
            state.base[op.target] = state.rows[op.target]  # `hs = d["h"]`: the list itself
        _write(op.target, op, state, restored=False)
        return
    if op.kind == "pop" and isinstance(op.args[0], gast.Name):
        _write(op.args[0].id, op, state, restored=False)
    if op.kind == "call" and state.callee is not None:
        for name in _written_arguments(op, state.callee(op.key)):
            _write(name, op, state, restored=False)
            state.stale[name] = (op, name)  # the caller's own name is stale too
    state.base.pop(op.target, None)
    state.stale.pop(op.target, None)
    state.popped.discard(op.target)
    state.rows.pop(op.target, None)
    row_of = _row_of(op)
    if row_of is not None:
        state.rows[op.target] = (state.base.get(row_of, (row_of, op))[0], op)
    if op.kind == "pop":
        state.popped.add(op.target)
    viewed = _viewed(op)
    if op.kind == "copy" and viewed is not None and viewed not in state.base and (
        viewed not in state.written_names
    ):  # `t = x * 2; x = t` (how a loop reads `x = x * 2`): t holds a new array
        viewed = None
    if viewed is not None:
        if op.kind == "copy" and viewed in state.base:  # a second name for a view: the same
            state.base[op.target] = state.base[viewed]  # view, quoted where it was made
        else:
            state.base[op.target] = (state.base.get(viewed, (viewed, op))[0], op)
    updated = _updated_in_place(op, state)
    if updated is not None:  # the same array under its new name, written in place
        _write(updated, op, state, restored=False)
        state.base[op.target] = state.base.get(updated, (updated, op))


def _updated_in_place(op: Op, state: _State) -> str | None:
    """``t += 1`` on an array that is a view or has views updates it in place (NumPy's
    ``+=``), although the engine reads it as ``t = t + 1``: the name it updates."""
    value = op.value
    if not getattr(op.node, "in_place", False):
        return None
    if isinstance(value, gast.BinOp) and isinstance(value.left, gast.Name):
        old = value.left.id
    elif isinstance(value, gast.Call) and value.args and isinstance(value.args[0], gast.Name):
        old = value.args[0].id  # np.add.at(a, i, v), read as a = add_at(a, i, v)
    else:
        return None
    if old in state.rows and old not in state.base:
        # a row (`r = X[1]`, `for r in X`): a view if X is a matrix, and then `r += v`
        # changes X. Were X a vector, r would be a number that `+=` rebinds, but nothing
        # here knows X's rank: a wrong derivative costs more than asking for `r = r + v`
        state.base[old] = state.rows[old]
    # a view is an array, and so is what it views; a second name (`acc = x`) may be a
    # number, which `+=` rebinds: not followed
    views = [made for root, made in state.base.values() if root == old]
    if old in state.base:
        views.append(state.base[old][1])
    return old if any(made.kind != "copy" for made in views) else None


def _written_arguments(op: Op, callee: gast.FunctionDef | None) -> list[str]:
    """The caller's variables a call of the user's function writes into: the arguments
    bound to parameters it writes into in place (``a[0] = ...``, ``a.append(...)``)."""
    if callee is None:
        return []
    params = [a.id for a in callee.args.posonlyargs + callee.args.args]
    written = written_parameters(callee)
    bound = list(zip(params, op.args)) + list(op.keywords.items())
    return [arg.id for param, arg in bound if param in written and isinstance(arg, gast.Name)]


def written_parameters(function: gast.FunctionDef, augmented: bool = False) -> set[str]:
    """Parameters ``function`` writes into in place: item assignment into them, or a
    method that changes a list or dict (``+=`` on a parameter may rebind a number, so it
    is not counted, unless ``augmented``: a function called only for its effects has no
    reason to rebind a number)."""
    params = {a.id for a in function.args.posonlyargs + function.args.args}
    written: set[str] = set()
    for node in S.walk(function):
        if isinstance(node, (gast.Assign, gast.AugAssign)):
            targets = node.targets if isinstance(node, gast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
                    written.add(target.value.id)
                elif augmented and isinstance(node, gast.AugAssign) and isinstance(
                    target, gast.Name
                ):
                    written.add(target.id)
        elif (
            isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
            and isinstance(node.func.value, gast.Name) and node.func.attr in _MUTATORS
        ):
            written.add(node.func.value.id)  # `a.fill(0.0)`
        if (
            isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
            and node.func.attr in _WRITES_FIRST and node.args
            and isinstance(node.args[0], gast.Name)
        ):
            written.add(node.args[0].id)
    return written & params


_MUTATORS = frozenset(
    "append extend insert pop remove clear update setdefault sort fill put itemset resize "
    "partition".split()
)
# NumPy functions that write into their first argument (`np.copyto(a, v)`, `np.add.at(a, i, v)`)
_WRITES_FIRST = frozenset("copyto put place putmask put_along_axis fill_diagonal at".split())


def _viewed(op: Op) -> str | None:
    """The array (or list, or dict) ``op``'s result is a definite view of, if any: a second
    name for the same object (``C = B``) counts."""
    if op.kind == "copy" and isinstance(op.value, gast.Name):
        return op.value.id
    if op.kind == "subscript":
        index = op.value.slice
        parts = index.elts if isinstance(index, gast.Tuple) else [index]
        if any(isinstance(p, gast.Slice) for p in parts) and isinstance(op.value.value, gast.Name):
            return op.value.value.id
    elif op.kind == "rule" and op.key in _VIEWS and op.args:
        first = op.args[0]
        return first.id if isinstance(first, gast.Name) else None
    return None


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


def _write(name: str, op: Op, state: _State, restored: bool) -> None:
    """``name`` is written in place: the array it views and the other views of that array
    change with it (unless a tape restores what they held)."""
    root = state.base.get(name, (name, op))[0]
    related = {root} | {view for view, (r, _) in state.base.items() if r == root}
    for other in related - {name}:
        if restored:
            state.stale.pop(other, None)
        else:
            state.stale[other] = (op, name)


def _read(names: list[str], at: object, state: _State) -> None:
    for name in names:
        if name not in state.stale:
            continue
        write, written = state.stale[name]
        shown, code = state.shown, state.code
        if written == name:  # a call of the user's function wrote into it
            raise DiffError(
                "write through a view",
                f"'{shown(name)}' is read after a call changed it in place ({code(write)}): "
                "the function writes into its argument, the derivative would not see it",
                hint=f"pass a copy ({shown(name)}.copy()), or return a new array from the function",
            ).at(getattr(at, "node", None))
        second = name if name in state.base else written  # the view, or the second name
        root, made = state.base.get(second, (written, write))
        alias = made.kind == "copy"
        if second == name:
            what = "another name for" if alias else "a view of"
            message = (
                f"'{shown(name)}' is {what} '{shown(root)}' ({code(made)}), read after "
                f"'{shown(written)}' was changed in place ({code(write)})"
            )
        else:
            what = "another name for it" if alias else "a view of it"
            message = (
                f"'{shown(name)}' is read after '{shown(written)}', {what} ({code(made)}), "
                f"was changed in place ({code(write)})"
            )
        hint = f"take a copy where the second name is made: {_copied(code(made))}"
        if second == written and getattr(write.node, "in_place", False):
            hint = (f"write {_rebound(code(write))} for a new array, or write into "
                    f"'{shown(root)}' by index to change it")
        raise DiffError(
            "write through a view",
            message + ": both names see the change, the derivative would not",
            hint=hint,
        ).at(getattr(at, "node", None))


def _rebound(line: str) -> str:
    """``r *= 2.0`` → ``r = r * 2.0``."""
    target, _, value = line.partition("= ")
    name, _, operator = target.rstrip().rpartition(" ")
    if not (name and operator):
        return line
    try:
        tree = ast.parse(value.strip(), mode="eval").body
    except SyntaxError:
        return line
    if (isinstance(tree, ast.BinOp) and not isinstance(tree.op, ast.Pow)) or isinstance(
        tree, (ast.BoolOp, ast.Compare, ast.IfExp, ast.Lambda, ast.NamedExpr)
    ):
        value = f"({value.strip()})"  # `r *= a + b` is `r = r * (a + b)`
    return f"{name} = {name} {operator} {value}"


def _copied(line: str) -> str:
    """``col = B[:, 0]`` → ``col = B[:, 0].copy()``."""
    target, sep, value = line.partition(" = ")
    if not (sep and value):
        return f"{line} (with .copy())"
    try:
        tree = ast.parse(value.strip(), mode="eval").body
    except SyntaxError:
        return f"{line} (with .copy())"
    if not isinstance(tree, (ast.Name, ast.Subscript, ast.Attribute, ast.Call)):
        value = f"({value.strip()})"  # `x * 2.copy()` would copy the 2
    return f"{target} = {value}.copy()"
