"""Tape pushes of shapes that a loop's steps never change.

``keep_shapes_only`` leaves ``tape.append(shape_of(t))`` where the backward sweep reads a
loop's temporary ``t`` only for its shape (``unbroadcast(g, t)``). When every step gives
``t`` the same shape, the value the last step left has the shape every step's value had,
so the backward sweep can read that one: the push and its pop go (a heat-equation stepper
pushed seven shapes per step). A temporary's shape is *steady* when each of its
assignments in the loop computes it, by operations whose result's shape follows from
their operands' shapes alone, from values the loop does not change and from other steady
temporaries; an index, slice bound or axis must be a value the loop does not change
(``x[:i]`` with ``i`` the step has a shape of its own each step, and ``xs[i]`` may too,
``xs`` a list of arrays of different shapes).
"""

from __future__ import annotations

from dataclasses import dataclass

import gast

from . import syntax as S
from .shapes import ELEMENTWISE_BINARY, ELEMENTWISE_UNARY, FULL_REDUCTIONS
from .tape import is_pop, pair_of

_LOOPS = (gast.For, gast.While)
# functions of whole arrays whose result's shape their operands' shapes give
_SHAPE_FOLLOWS = ELEMENTWISE_UNARY | ELEMENTWISE_BINARY | FULL_REDUCTIONS | frozenset(
    f"numpy.{name}" for name in "matmul dot outer copy where clip transpose".split()
)
_CONSTRUCTORS = frozenset(
    f"numpy.{name}" for name in "eye identity zeros ones full empty arange linspace".split()
)
_METHODS = frozenset("copy sum mean prod max min transpose".split())
_SETTINGS = frozenset(("axis", "keepdims"))  # keywords: must not change from step to step
_GROWING = frozenset(("append", "pop", "extend", "insert"))


def drop_steady_shape_pushes(function: gast.FunctionDef, np_alias: str) -> gast.FunctionDef:
    """Delete the ``tape.append(shape_of(t))`` pushes (and their pops) of loop temporaries
    whose shape is steady. ``t`` is read only for its shape in the backward sweep (that is
    why its push is a shape), and nothing outside the loop assigns it but ``t = None``."""
    start = next((i for i, s in enumerate(function.body) if S.is_boundary(s)), None)
    if start is None:
        return function
    forward = function.body[:start]
    outside = _assigned_outside_loops(forward)
    stored = {n.id for n in S.names(function.body) if n.ctx.__class__ is not gast.Load}
    arrays = S.read_as_arrays(function.body) - stored  # arguments, one value throughout
    dropped: set[int] = set()
    names: set[str] = set()
    for loop in _outermost_loops(forward):
        rows = frozenset(
            (array, counter) for array in arrays for counter in _range_counters(loop, forward)
        )
        reading = _Reading(np_alias, rows, _refilled_containers(function.body, np_alias))
        steady = _steady_names(loop, reading) - outside
        for node in S.walk(loop.body):
            if _is_shape_push(node) and node.value.args[0].args[0].id in steady:
                dropped.add(pair_of(node))
                names.add(node.value.args[0].args[0].id)
    if dropped:
        function.body = _without_pairs(function.body, dropped)
        # `t = None` gave the first step's push a value; read in loops only, t needs no
        # value before the loop's first step any more
        pushed = {n.id for stmt in S.walk(function.body) if pair_of(stmt) is not None
                  for n in S.names(stmt) if n.ctx.__class__ is gast.Load}
        unneeded = names - pushed - _read_outside_loops(function.body)
        function.body = [
            stmt for stmt in function.body
            if not (_is_none_assignment(stmt) and stmt.targets[0].id in unneeded)
        ]
    return function


def _is_none_assignment(stmt: gast.stmt) -> bool:
    return (
        isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
        and isinstance(stmt.value, gast.Constant) and stmt.value.value is None
    )


def _read_outside_loops(body: list[gast.stmt]) -> set[str]:
    read: set[str] = set()
    for stmt in body:
        if isinstance(stmt, _LOOPS):
            continue
        if isinstance(stmt, gast.If):
            read |= set(S.loaded_names(stmt.test))
            read |= _read_outside_loops(stmt.body) | _read_outside_loops(stmt.orelse)
        else:
            read |= set(S.loaded_names(stmt))
    return read


def _is_shape_push(stmt: gast.AST) -> bool:
    """``tape.append(shape_of(t))``."""
    if not (isinstance(stmt, gast.Expr) and pair_of(stmt) is not None):
        return False
    value = stmt.value.args[0] if isinstance(stmt.value, gast.Call) and stmt.value.args else None
    return (
        isinstance(value, gast.Call) and isinstance(value.func, gast.Name)
        and value.func.id == "shape_of" and len(value.args) == 1
        and isinstance(value.args[0], gast.Name)
    )


@dataclass(frozen=True)
class _Reading:
    """How a step's expressions are read: numpy's name, and the (array, counter) pairs
    whose ``array[counter]`` is a row of an array the function reads as one (``xs.shape``)
    by an integer that counts the steps: the same shape every step."""

    np_alias: str
    rows: frozenset = frozenset()
    # written by slot (``v[0] = 0.0``) and maybe a list or dict: a slot may then hold a
    # value of another shape (an array's slots keep theirs)
    refilled: frozenset = frozenset()


def _refilled_containers(body: list[gast.stmt], np_alias: str) -> frozenset:
    """Names written by slot that may not be arrays: not read as one (``v.shape``,
    ``v[i, j]``), nor made by NumPy (``np.zeros(...)``)."""
    written = {
        node.value.id for node in S.nodes_of(body, gast.Subscript)
        if node.ctx.__class__ is not gast.Load and isinstance(node.value, gast.Name)
    }
    if not written:
        return frozenset()
    made = {
        stmt.targets[0].id for stmt in S.nodes_of(body, gast.Assign)
        if isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Call)
        and (S.dotted_name(stmt.value.func) or "").partition(".")[0] == np_alias
    }
    return frozenset(written - made - S.read_as_arrays(body))


def _range_counters(loop: gast.stmt, forward: list[gast.stmt]) -> set[str]:
    """The loop's counter, if it runs over a ``range`` (``for t in steps`` with
    ``steps = range(...)``): an integer, whatever the step."""
    if not (isinstance(loop, gast.For) and isinstance(loop.target, gast.Name)):
        return set()
    iterable = loop.iter
    if isinstance(iterable, gast.Name):
        bound = [s.value for s in forward if isinstance(s, gast.Assign)
                 and iterable.id in S.stored_names(s.targets[0])]
        iterable = bound[0] if len(bound) == 1 else None
    is_range = (
        isinstance(iterable, gast.Call) and isinstance(iterable.func, gast.Name)
        and iterable.func.id == "range"
    )
    return {loop.target.id} if is_range else set()


def _outermost_loops(body: list[gast.stmt]) -> list[gast.stmt]:
    loops = []
    for stmt in body:
        if isinstance(stmt, _LOOPS):
            loops.append(stmt)
        elif isinstance(stmt, gast.If):
            loops += _outermost_loops(stmt.body) + _outermost_loops(stmt.orelse)
    return loops


def _assigned_outside_loops(body: list[gast.stmt]) -> set[str]:
    """Names assigned outside every loop, other than ``t = None`` (the value a loop's
    temporary has before its first step)."""
    names: set[str] = set()
    for stmt in body:
        if isinstance(stmt, _LOOPS):
            continue
        if isinstance(stmt, gast.If):
            names |= _assigned_outside_loops(stmt.body) | _assigned_outside_loops(stmt.orelse)
        elif not _is_none_assignment(stmt):
            names.update(S.stored_names(stmt))
    return names


def _steady_names(loop: gast.stmt, reading: "_Reading") -> set[str]:
    """The names the loop's body assigns (not inside its inner blocks) whose shape every
    step leaves the same. One step is followed with shapes as sets of *atoms* whose
    broadcast they are (as in ``shapes.py``): a value the loop does not change is its own
    atom, a variable as the step starts is ``(name, "in")``, and an operation whose result's
    shape its operands' shapes decide (``x @ w``, ``u[1:-1]``) is an atom made of theirs. A
    variable the step reads before assigning it (carried from the step before) is steady
    only if the step ends with the shape it began with; what is computed from one that
    is not, is not."""
    varying = _assigned_in(loop)
    unsteady: set[str] = set()
    while True:
        env: dict[str, frozenset | None] = {
            n: None if n in unsteady else frozenset(((n, "in"),)) for n in varying
        }
        seen: dict[str, set] = {}
        read_at_entry: set[str] = set()
        for stmt in loop.body:
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
                shape = _shape(stmt.value, env, varying, reading)
                read_at_entry |= {n for n in S.loaded_names(stmt.value)
                                  if n in varying and n not in seen}
                name = stmt.targets[0].id
                env[name] = shape
                seen.setdefault(name, set()).add(shape)
            elif not isinstance(stmt, gast.Expr) or pair_of(stmt) is None:
                # a nested block, `x[i] = v`, a call: what it may bind is unknown
                for name in _assigned_in(stmt):
                    env[name] = None
                    seen.setdefault(name, set()).add(None)
                read_at_entry |= {n for n in S.loaded_names(stmt) if n in varying and n not in seen}
        broken = {
            n for n in read_at_entry - unsteady if env.get(n) != frozenset(((n, "in"),))
        }
        if not broken:
            return {n for n, shapes in seen.items() if len(shapes) == 1 and None not in shapes}
        unsteady |= broken


def _assigned_in(node: gast.AST) -> set[str]:
    """Every name a statement (a loop, with its target) binds or grows (``hs.append(h)``)."""
    names: set[str] = set()
    for item in S.walk(node):
        if isinstance(item, gast.Name) and item.ctx.__class__ is gast.Store:
            names.add(item.id)
        elif (
            isinstance(item, gast.Call) and isinstance(item.func, gast.Attribute)
            and item.func.attr in _GROWING and isinstance(item.func.value, gast.Name)
        ):
            names.add(item.func.value.id)
    return names


def _shape(node: gast.expr, env: dict, varying: set[str], reading: "_Reading") -> frozenset | None:
    """``node``'s shape as a set of atoms, or None where it is not known to be steady."""
    if isinstance(node, gast.Constant):
        number = isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
        return frozenset() if number else None
    if isinstance(node, gast.Name):
        return env.get(node.id) if node.id in varying else frozenset((node.id,))
    if isinstance(node, gast.BinOp):
        left, right = (_shape(n, env, varying, reading) for n in (node.left, node.right))
        if left is None or right is None:
            return None
        if isinstance(node.op, gast.MatMult):
            return frozenset((("@", left, right),))
        return left | right
    if isinstance(node, gast.UnaryOp):
        return _shape(node.operand, env, varying, reading)
    if isinstance(node, gast.Compare):  # elementwise, as arithmetic
        shapes = [_shape(n, env, varying, reading) for n in (node.left, *node.comparators)]
        return None if any(s is None for s in shapes) else frozenset().union(*shapes)
    if isinstance(node, gast.Attribute) and node.attr == "T":
        inner = _shape(node.value, env, varying, reading)
        return None if inner is None else frozenset((("T", inner),))
    if isinstance(node, gast.Subscript) and (
        isinstance(node.value, gast.Name) and node.value.id in reading.refilled
    ):
        return None
    if isinstance(node, gast.Subscript) and _unchanging(node.slice, varying):
        inner = _shape(node.value, env, varying, reading)
        return None if inner is None else frozenset((("[]", inner, gast.dump(node.slice)),))
    if (
        isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name)
        and isinstance(node.slice, gast.Name) and node.value.id not in varying
        and (node.value.id, node.slice.id) in reading.rows
    ):  # `xs[t]`: a row of an array, by the step's counter: one shape every step
        return frozenset((("row", node.value.id),))
    if isinstance(node, gast.Call):
        return _call_shape(node, env, varying, reading)
    return None


def _call_shape(
    node: gast.Call, env: dict, varying: set[str], reading: "_Reading"
) -> frozenset | None:
    np_alias = reading.np_alias
    if any(k.arg not in _SETTINGS or not _unchanging(k.value, varying) for k in node.keywords):
        return None
    func = node.func
    dotted = S.dotted_name(func) or ""
    head, _, rest = dotted.partition(".")
    if head == np_alias and f"numpy.{rest}" in _CONSTRUCTORS:  # `np.eye(2)`: its arguments
        if not all(_unchanging(arg, varying) for arg in node.args):  # say what shape it has
            return None
        return frozenset(((f"numpy.{rest}", gast.dump(node)),))
    if head == np_alias and f"numpy.{rest}" in _SHAPE_FOLLOWS:
        if rest == "where" and len(node.args) != 3:  # np.where(mask): where it holds
            return None
        key, operands = f"numpy.{rest}", list(node.args)
    elif isinstance(func, gast.Attribute) and func.attr in _METHODS and not (
        func.attr != "copy" and node.args  # `t.sum(0)`: an axis, read as a value
    ):
        key, operands = f"numpy.ndarray.{func.attr}", [func.value, *node.args]
    else:
        return None
    shapes = [_shape(arg, env, varying, reading) for arg in operands]
    if any(shape is None for shape in shapes):
        return None
    if key in ELEMENTWISE_UNARY | ELEMENTWISE_BINARY or key.endswith("copy"):
        return frozenset().union(*shapes)
    settings = tuple(sorted((k.arg, gast.dump(k.value)) for k in node.keywords))
    return frozenset(((key, tuple(shapes), settings),))


def _unchanging(node: gast.AST, varying: set[str]) -> bool:
    """An index, slice or setting built from constants and names the loop does not assign."""
    return not any(
        isinstance(n, gast.Name) and n.id in varying for n in S.walk([node])
    ) and not any(isinstance(n, gast.Call) for n in S.walk([node]))


def _without_pairs(body: list[gast.stmt], pairs: set[int]) -> list[gast.stmt]:
    kept = []
    for stmt in body:
        if pair_of(stmt) in pairs and (is_pop(stmt) or isinstance(stmt, gast.Expr)):
            continue
        for field in ("body", "orelse"):
            block = getattr(stmt, field, None)
            if isinstance(block, list) and block:
                setattr(stmt, field, _without_pairs(block, pairs) or [gast.Pass()])
        kept.append(stmt)
    return kept
