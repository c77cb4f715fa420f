"""Loop-invariant transposes and reads move out of the loop: ``h @ Wh.T`` inside a
``for`` computes ``WhT = Wh.T`` once, before the loop, and ``params["Wx"] @ x`` reads
``Wx = params["Wx"]`` once.

Inside the loop, ``WhT`` would be a loop variable: the tape would keep one per
step, and its adjoint would be transposed back (or added into ``bparams["Wx"]``) on
every step. Before the loop it is a plain value, the loop accumulates ``bWhT``, and
one transpose after the backward loop gives ``bWh``. Transposes, reads by a
constant key or position and int arithmetic on sizes (``2 * H``) move: they cost
nothing, and cannot fail where the operand (and, for a read, its entry) exists. So do
NumPy values computed from operands the loop does not change, which nothing changes in
place (``2 * np.pi``, ``np.eye(2)``, ``dt * burn``, ``np.linalg.inv(S)``): the tape kept
one per step (and the loop computed an inverse per step). A singular ``S`` then raises
before a loop of no steps, where it would have raised on the first step of any other.
"""

from __future__ import annotations

from collections import Counter

import gast

from . import syntax as S
from .analysis import walk_ops
from .ir import Function, If, Loop, Op, Statement
from .shapes import ELEMENTWISE_BINARY, ELEMENTWISE_UNARY
from .aliasing import VIEW_KEYS as _VIEWS

_TRANSPOSES = frozenset({"numpy.ndarray.T", "numpy.ndarray.mT", "numpy.transpose"})


_SHAPES = frozenset({"numpy.ndarray.shape", "numpy.shape"})
# values computed from their operands alone (no state, no randomness)
_PURE = ELEMENTWISE_UNARY | ELEMENTWISE_BINARY | frozenset(
    f"numpy.{name}" for name in "array asarray eye identity zeros ones full".split()
) | frozenset(  # a factorization or an inverse: the tape kept a matrix per step
    f"numpy.linalg.{name}" for name in
    "inv pinv det slogdet cholesky eigh eigvalsh svd qr solve matrix_power norm".split()
) | frozenset(
    f"scipy.linalg.{name}" for name in
    "inv det cholesky solve solve_triangular cho_solve expm".split()
)
_INT_ARITHMETIC = frozenset(
    f"numpy.{name}" for name in ("add", "subtract", "multiply", "floor_divide")
)


def hoist_invariants(fn: Function) -> Function:
    assigned = Counter(op.target for op in walk_ops(fn.body))
    movable = _integers(fn, assigned) | _values(fn, assigned)
    fn.body = _hoist_block(fn.body, assigned, movable, _sharing(fn))
    return fn


def _sharing(fn: Function) -> dict[str, set[str]]:
    """For each name, the names that may hold the same array or a view of it (``T = S``,
    ``row = S[0]``, ``xs = [S]``, ``S.T``, what a function of the user's returns): a write
    into one in a loop changes what the others read there. Over the whole function,
    whatever the order: a value computed from any of them stays in the loop."""
    parent: dict[str, str] = {}

    def find(name: str) -> str:
        while parent.get(name, name) != name:
            name = parent[name]
        return name

    for op in walk_ops(fn.body):
        if op.kind == "copy" and isinstance(op.value, gast.Name):
            others = [op.value.id]
        elif op.kind == "subscript" and isinstance(op.value.value, gast.Name):
            others = [op.value.value.id]
        elif op.kind in ("literal", "append", "setitem") or op.kind == "rule" and (
            op.key in _VIEWS or not (op.key in _PURE or op.key in _SHAPES)
        ):  # a container holding them, a view (`np.asarray(S)`), a call that may return
            # its argument
            others = [n for arg in op.args for n in S.loaded_names(arg)] + (
                S.loaded_names(op.value) if op.kind == "literal" else []
            )
        else:
            continue
        for other in others:
            parent[find(other)] = find(op.target)
    groups: dict[str, set[str]] = {}
    for name in parent:
        groups.setdefault(find(name), set()).add(name)
    return {name: groups[find(name)] for name in parent}


def _values(fn: Function, assigned: Counter) -> set[str]:
    """Names assigned once a NumPy value that nothing changes in place or shares with a
    name that may be changed (``K = np.array([[1., -1.], [-1., 1.]])``, ``c = 2 * np.pi``,
    ``t = dt * burn``): computed before a loop that does not change their operands, they
    are the same value on every step, and the tape need not keep one per step."""
    changed = {op.target for op in walk_ops(fn.body) if op.kind in ("setitem", "append", "pop")}
    shared: set[str] = set()
    for op in walk_ops(fn.body):
        if op.kind in ("copy", "call", "literal", "append", "setitem") or (
            op.target in changed
        ):  # a second name, an element of a container, a view that is written into
            shared.update(S.loaded_names(op.value))
            shared.update(n for arg in op.args for n in S.loaded_names(arg))
    return {
        op.target for op in walk_ops(fn.body)
        if op.kind == "rule" and op.key in _PURE and assigned[op.target] == 1
        and op.target not in changed and op.target not in shared
    }


def _integers(fn: Function, assigned: Counter) -> set[str]:
    """Names that hold Python ints: sizes (``len(xs)``, ``x.shape[0]``) and arithmetic on
    them and on int constants (``2 * H``), each assigned once; and ranges of them (an inner
    loop's ``range(X.shape[1])``, which the tape kept one of per outer step)."""
    shapes: set[str] = set()
    found: set[str] = set()
    for op in walk_ops(fn.body):
        if assigned[op.target] != 1:
            continue
        if op.kind in ("rule", "constant") and op.key in _SHAPES:
            shapes.add(op.target)
        elif op.kind == "constant" and _is_range(op.value) and all(
            _is_int(arg, found) for arg in op.value.args
        ):
            found.add(op.target)
        elif op.kind == "rule" and op.key == "builtins.len":
            found.add(op.target)
        elif op.kind == "subscript" and isinstance(op.value.value, gast.Name) and (
            op.value.value.id in shapes and isinstance(op.value.slice, gast.Constant)
        ):
            found.add(op.target)
        elif op.kind == "rule" and op.key in _INT_ARITHMETIC and not op.keywords and all(
            _is_int(arg, found) for arg in op.args
        ):
            found.add(op.target)
    return found | shapes  # a shape tuple: the same while the array is not rebound


def _is_range(node) -> bool:
    return (
        isinstance(node, gast.Call) and isinstance(node.func, gast.Name)
        and node.func.id == "range" and not node.keywords
    )


def _is_int(node, integers: set[str]) -> bool:
    if isinstance(node, gast.Constant):
        return type(node.value) is int
    return isinstance(node, gast.Name) and node.id in integers


def _hoist_block(
    stmts: list[Statement], assigned: Counter, movable: set[str], sharing: dict[str, set[str]],
) -> list[Statement]:
    out: list[Statement] = []
    for stmt in stmts:
        if isinstance(stmt, Loop):
            stmt.body = _hoist_block(stmt.body, assigned, movable, sharing)
            written = {op.target for op in walk_ops(stmt.body)} | _loop_targets([stmt]) | {
                op.args[0].id for op in walk_ops(stmt.body)  # `xs.pop()` changes xs
                if op.kind == "pop" and isinstance(op.args[0], gast.Name)
            }
            for op in walk_ops(stmt.body):  # `T[0, 0] = v`, `T += v` after `T = S` change S
                if op.kind in ("setitem", "append") or getattr(op.node, "in_place", False):
                    written |= sharing.get(op.target, set())
            moved = []
            for s in stmt.body:  # in order: what moved is invariant for what follows
                if _invariant(s, written, assigned, movable):
                    moved.append(s)
                    written.discard(s.target)
            if moved:
                stmt.body = [s for s in stmt.body if not any(s is m for m in moved)]
                out.extend(moved)
        elif isinstance(stmt, If):
            stmt.body = _hoist_block(stmt.body, assigned, movable, sharing)
            stmt.orelse = _hoist_block(stmt.orelse, assigned, movable, sharing)
        out.append(stmt)
    return out


def _loop_targets(stmts: list[Statement]) -> set[str]:
    """The targets of these loops and of the loops inside them (`x ** j` after `for j`)."""
    found: set[str] = set()
    for stmt in stmts:
        if isinstance(stmt, Loop):
            found |= {stmt.target} | _loop_targets(stmt.body)
        elif isinstance(stmt, If):
            found |= _loop_targets(stmt.body) | _loop_targets(stmt.orelse)
    return found


def _invariant(stmt: Statement, written: set[str], assigned: Counter, movable: set[str]) -> bool:
    if not isinstance(stmt, Op) or assigned[stmt.target] != 1:
        return False
    if stmt.kind == "rule" and stmt.key in _TRANSPOSES:
        if stmt.keywords or len(stmt.args) != 1:
            return False
    elif stmt.target in movable:  # `2 * H`, `2 * np.pi`: the same on every step
        pass
    elif not (stmt.kind == "subscript" and isinstance(stmt.value.slice, gast.Constant)):
        return False
    return not any(name in written for name in S.loaded_names(stmt.value))
