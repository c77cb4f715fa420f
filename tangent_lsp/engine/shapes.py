"""Which values provably share a shape, so ``unbroadcast`` can be left out.

``unbroadcast(g, x)`` sums ``g`` down to ``x``'s shape; it is a no-op exactly
when ``g`` already has that shape. Without types we can still prove it often:
elementwise functions keep their argument's shape, a binary elementwise
operation has the broadcast of its operands' shapes (written as the union of
their sets of atoms), a number or a full reduction changes nothing, and an
adjoint has its primal's shape. Everything else is unknown, and unknown keeps
the ``unbroadcast``.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, Union

import gast

from . import syntax as S
from .analysis import walk_ops
from .ir import Function, Op, Return

SCALAR = "<scalar>"  # a Python number: broadcasts against anything
ZERO_D: frozenset[str] = frozenset()  # shape (), such as a reduction over all axes

# NumPy functions that map each element to one element (unary ufuncs and friends).
ELEMENTWISE_UNARY = frozenset(
    f"numpy.{name}"
    for name in (
        "negative positive abs absolute fabs exp exp2 expm1 log log2 log10 log1p sqrt cbrt "
        "square reciprocal sin cos tan arcsin arccos arctan sinh cosh tanh arcsinh arccosh "
        "arctanh sign floor ceil rint trunc deg2rad rad2deg degrees radians sinc"
    ).split()
)
ELEMENTWISE_BINARY = frozenset(
    f"numpy.{name}"
    for name in (
        "add subtract multiply divide true_divide power maximum minimum fmax fmin hypot "
        "arctan2 logaddexp logaddexp2 mod floor_divide"
    ).split()
)
# Functions that return an array of their first argument's shape, whatever options they
# are given: of a (stack of) square matrices (``lower=``, ``assume_a=``, ``n``), and the
# reorderings (``np.roll(x, 2)``'s adjoint read ``np.roll(x, 2)`` again for its shape).
SQUARE_SAME_SHAPE = frozenset((
    "numpy.linalg.inv", "numpy.linalg.cholesky", "numpy.linalg.matrix_power",
    "scipy.linalg.inv", "scipy.linalg.cholesky", "scipy.linalg.expm",
    "numpy.roll", "numpy.flip", "numpy.fliplr", "numpy.flipud",
))
_SQUARE_NAMES = frozenset(key.rpartition(".")[2] for key in SQUARE_SAME_SHAPE)
# Reductions that return shape () when called without an axis.
FULL_REDUCTIONS = frozenset(
    [f"numpy.{n}" for n in "sum mean prod max min amax amin var std nansum nanmean".split()]
    + [f"numpy.ndarray.{n}" for n in "sum mean prod max min var std".split()]
    + ["numpy.linalg.norm"]
)
_METHOD_REDUCTIONS = frozenset(n.rsplit(".", 1)[1] for n in FULL_REDUCTIONS if ".ndarray." in n)
# Runtime helpers whose result has the shape of one of their arguments.
SHAPE_OF_ARGUMENT = {"unreduce": 1, "unbroadcast": 1, "extremum_mask": 0}
_BINARY_OPS = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow)

Shape = Union[frozenset, str]  # atoms whose broadcast is the shape, or SCALAR


class ShapeClasses:
    """What is known of each variable's shape, as the set of *atoms* (variables whose
    shape nothing relates to another's: arguments, results of matrix products) whose
    broadcast it is. ``y * np.log(p)`` has the shape ``{y, p}`` whatever ``y`` and
    ``p`` are, because broadcasting is associative, commutative and idempotent; two
    values with the same set provably have the same shape, and a value whose set
    contains another's is at least as large (the other broadcasts into it)."""

    def __init__(self) -> None:
        self.known: dict[str, frozenset] = {}
        # atoms that broadcast into a set of others: `m = np.max(x, axis=1, keepdims=True)`
        # has fewer elements than x along axis 1 but x's rank, so x - m has x's shape
        self.dominated: dict[str, frozenset] = {}
        self.scalars: set[str] = set()  # names of Python numbers
        self.adjoint_of: dict[str, str] = {}
        self.unknown: set[str] = set()  # assigned several times with different shapes
        self.shape_tuples: set[str] = set()  # names bound to some ``x.shape``
        self.np_alias = "np"  # how generated code spells numpy (``np.cos(x)`` has x's shape)
        self.elementwise: set[str] = set()  # bare names of them (``from numpy import cos``)
        self.square: set[str] = set()  # how the code spells SQUARE_SAME_SHAPE's functions
        # calls of the user's functions whose result's shape is known, by their text (the
        # optimizer inlines `h = sigmoid(z)` into the expressions that read h)
        self.calls: dict[str, Shape] = {}
        self.containers: set[str] = set()  # names of lists, tuples, dicts (reverse mode)
        # adjoints `spread_implicitly` rewrote (`bd = unreduce(g, d)` → `bd = g`): of g's
        # shape from then on, not their primals'
        self.spread: dict[str, Shape | None] = {}

    def combine(self, a: Shape | None, b: Shape | None) -> Shape | None:
        """The shape of an elementwise operation on shapes ``a`` and ``b``."""
        return broadcast(a, b, self.dominated)

    def union(self, name: str, other: str) -> None:
        """Record that ``name`` has ``other``'s shape."""
        shape = self.of_name(other)
        if shape == SCALAR:
            self.scalars.add(name)
        elif shape is not None:
            self.known[name] = shape

    def of_name(self, name: str) -> Shape | None:
        if name in self.spread:
            return self.spread[name]
        name = self.adjoint_of.get(name, name)
        if name in self.unknown:
            return None
        if name in self.scalars:
            return SCALAR
        shape = self.known.get(name)
        return frozenset((name,)) if shape is None else shape

    def of(self, expr: gast.expr) -> Shape | None:
        """The shape of an expression, ``SCALAR`` for numbers, None if unknown."""
        cls = expr.__class__
        if cls is gast.Name:
            return self.of_name(expr.id)
        if cls is gast.Constant and isinstance(expr.value, (int, float)):
            return SCALAR
        if cls is gast.Compare and len(expr.ops) == 1:  # `x2 != 0`: elementwise, like a BinOp
            return self.combine(self.of(expr.left), self.of(expr.comparators[0]))
        if cls is gast.UnaryOp and isinstance(expr.op, (gast.USub, gast.UAdd)):
            return self.of(expr.operand)
        if cls is gast.BinOp and isinstance(expr.op, _BINARY_OPS):
            return self.combine(self.of(expr.left), self.of(expr.right))
        if cls is not gast.Call:
            return None
        func = expr.func
        if (
            func.__class__ is gast.Attribute and func.attr in _METHOD_REDUCTIONS
            and not expr.args and not expr.keywords
            and not (func.value.__class__ is gast.Name and func.value.id == self.np_alias)
        ):  # `np.log(d).sum()`: an array method reducing every axis
            return ZERO_D
        if func.__class__ is gast.Name:
            if func.id == "reduced_count":
                return SCALAR  # a count: an int
            position = SHAPE_OF_ARGUMENT.get(func.id)
            if position is not None and len(expr.args) > position:
                return self.of(expr.args[position])
            if func.id in self.elementwise and len(expr.args) == 1 and not expr.keywords:
                return self.of(expr.args[0])
            if func.id in self.square and expr.args:
                return self.of(expr.args[0])
            if self.calls:
                return self.calls.get(gast.dump(expr))
        elif func.__class__ is gast.Attribute and self.square and expr.args and (
            S.dotted_name(func) in self.square
        ):  # `scipy.linalg.expm(a)` has a's shape
            return self.of(expr.args[0])
        elif (
            func.__class__ is gast.Attribute
            and func.value.__class__ is gast.Name and func.value.id == self.np_alias
            and not expr.keywords
        ):
            name, args = f"numpy.{func.attr}", expr.args
            if len(args) == 1 and name in ELEMENTWISE_UNARY:
                return self.of(args[0])
            if len(args) == 1 and name in FULL_REDUCTIONS:
                return ZERO_D
            if (len(args) == 2 and name in ELEMENTWISE_BINARY) or (
                len(args) == 3 and name == "numpy.where"
            ):  # the broadcast of the arguments (`np.where(c, x, y)`: of all three)
                shape = self.of(args[0])
                for arg in args[1:]:
                    shape = self.combine(shape, self.of(arg))
                return shape
        return None


def called_shape_keepers(
    function: gast.FunctionDef, resolver, every_name: list[gast.Name] | None = None,
    calls: list[gast.Call] | None = None,
) -> tuple[set[str], set[str]]:
    """How ``function`` spells, resolved statically, NumPy's elementwise functions called
    by a bare name (``log`` after ``from numpy import log``), and the functions of
    ``SQUARE_SAME_SHAPE`` (``la.inv``, ``expm``); a name the function assigns is its own.
    ``every_name``, ``calls``: ``S.names(function)`` and ``S.nodes_of(function.body,
    gast.Call)``, if the caller has them already."""
    if every_name is None:
        every_name = S.names(function)
    if calls is None:
        calls = S.nodes_of(function.body, gast.Call)
    stored = {n.id for n in every_name if n.ctx.__class__ is gast.Store}
    local = {a.id for a in function.args.args} | stored
    elementwise, square = set(), set()
    for node in calls:
        func = node.func
        if func.__class__ is gast.Name:
            if func.id not in local:
                key = resolver.qualname(func)
                if key in ELEMENTWISE_UNARY:
                    elementwise.add(func.id)
                elif key in SQUARE_SAME_SHAPE:
                    square.add(func.id)
        elif func.__class__ is gast.Attribute and func.attr in _SQUARE_NAMES:  # (not every
            name = S.dotted_name(func)  # `np.sin` resolved: only calls that may be one)
            if name is not None and name.split(".", 1)[0] not in local and (
                resolver.qualname(func) in SQUARE_SAME_SHAPE
            ):
                square.add(name)
    return elementwise, square


def broadcast(a: Shape | None, b: Shape | None, dominated: dict | None = None) -> Shape | None:
    """The shape of an elementwise operation's result: the broadcast of its operands'.
    A number, or a 0-d value (``x - m`` with ``m = np.max(x)``), leaves the other
    operand's shape as it is."""
    if a is None or b is None:
        return None
    if a == SCALAR:
        return b
    if b == SCALAR:
        return a
    union = a | b
    if dominated:
        for atom in sorted(union):
            into = dominated.get(atom)
            if into is not None and into <= union - {atom}:
                union = union - {atom}
    return union


def shape_classes(
    fn: Function, call_shape: Callable[[Op, "ShapeClasses"], Shape | None] | None = None
) -> ShapeClasses:
    """The shapes of the function's variables. ``call_shape(op, classes)``: the shape of
    the result of a call of the user's function, from what its source proves
    (``result_shape`` of the callee) and the classes of the arguments, if known.

    A variable assigned in several places (inside branches and loops) may change
    shape over time, so its shape is known only if every one of its assignments
    agrees. It takes the shape of its first assignment (an induction hypothesis),
    the others are checked against that, and the analysis restarts with the
    disagreeing names marked unknown.
    """
    # `v = None` placeholders before loops are never read as values: not definitions here
    ops = [
        op for op in walk_ops(fn.body)
        if not (isinstance(op.value, gast.Constant) and op.value.value is None)
    ]
    count = Counter(op.target for op in ops)
    # a parameter the body reassigns: its first value, the argument, is its own atom
    reassigned = {name for name in fn.params if count[name]}
    several = {name for name, n in count.items() if n > 1} | reassigned
    unknown: set[str] = set()
    # a number and then 0-d arrays (`total = 0.0`, then `total = total + np.sum(...)`
    # in a loop): shape () throughout, whichever it holds
    zero_d: set[str] = set()
    while True:
        classes = ShapeClasses()
        classes.unknown = unknown
        seen: dict[str, list[Shape | None]] = {name: [] for name in reassigned}
        for op in ops:
            shape = _value_class(op, classes)
            if op.kind == "call" and call_shape is not None:
                shape = call_shape(op, classes)
                if shape is not None:
                    classes.calls[gast.dump(op.value)] = shape
            if op.target in zero_d and shape in (SCALAR, ZERO_D):
                shape = ZERO_D
            if op.target in several:
                later = op.target in seen
                seen.setdefault(op.target, []).append(shape)
                if later:
                    continue  # only the first assignment counts; the others are checked
            if shape is None and op.target not in several:
                into = _reduced_keeping_dims(op, classes)
                if into is not None:
                    classes.dominated[op.target] = into
            if op.target in unknown or shape is None:
                continue
            if shape == SCALAR:
                classes.scalars.add(op.target)
            else:
                classes.known[op.target] = shape
        disagree = {
            name for name, shapes in seen.items() if name not in unknown and any(
                shape is None or shape != classes.of_name(name) for shape in shapes
            )
        }
        if not disagree:
            return classes
        of_one_value = {
            name for name in disagree - zero_d
            if all(shape in (SCALAR, ZERO_D) for shape in seen[name])
            and classes.of_name(name) in (SCALAR, ZERO_D)
        }
        zero_d |= of_one_value
        unknown = unknown | (disagree - of_one_value)


def result_shape(fn: Function, classes: ShapeClasses) -> Shape | None:
    """What ``fn``'s own source proves of the shape of what it returns: ZERO_D (a full
    reduction), SCALAR (a Python number), the broadcast of some of its parameters (a
    set of their names: ``sigmoid(z)`` has ``z``'s shape), else None."""
    returns = [s for s in fn.body if isinstance(s, Return)]
    if len(returns) != 1 or not isinstance(returns[0].value, (gast.Name, gast.Constant)):
        return None
    shape = classes.of(returns[0].value)
    if shape in (ZERO_D, SCALAR) or (shape is not None and shape <= set(fn.params)):
        return shape
    return None


def _value_class(op: Op, classes: ShapeClasses) -> Shape | None:
    if _python_int(op, classes):
        return SCALAR
    if op.kind == "copy" and isinstance(op.value, (gast.Name, gast.Constant)):
        return classes.of(op.value)  # a Name's class, SCALAR for a number, else None
    if op.kind != "rule" or (op.keywords and op.key not in FULL_REDUCTIONS):
        return None
    if op.key in FULL_REDUCTIONS:
        return ZERO_D if _no_axis(op) else None
    if op.key in ELEMENTWISE_UNARY and len(op.args) == 1:
        return classes.of(op.args[0])
    if op.key in ELEMENTWISE_BINARY and len(op.args) == 2:
        return classes.combine(classes.of(op.args[0]), classes.of(op.args[1]))
    if op.key == "numpy.multiply" and len(op.args) == 1:  # x * x, bound as a square
        return classes.of(op.args[0])
    return None


def _python_int(op: Op, classes: ShapeClasses) -> bool:
    """``X.shape[0]``, ``x.ndim``, ``len(xs)``: plain numbers, which broadcast."""
    value = op.value
    if isinstance(value, gast.Attribute) and value.attr in ("ndim", "size", "shape"):
        if value.attr == "shape":
            classes.shape_tuples.add(op.target)
            return False
        return True
    if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name):
        return value.value.id in classes.shape_tuples
    return op.key == "builtins.len"


def _reduced_keeping_dims(op: Op, classes: ShapeClasses) -> frozenset | None:
    """The shape of the array a ``keepdims=True`` reduction reduces: its result has that
    rank and broadcasts into it."""
    keepdims = op.keywords.get("keepdims") if op.keywords else None
    if not (
        op.kind == "rule" and op.key in FULL_REDUCTIONS and op.args
        and isinstance(keepdims, gast.Constant) and keepdims.value is True
    ):
        return None
    shape = classes.of(op.args[0])
    return shape if shape is not None and shape != SCALAR else None


def _no_axis(op: Op) -> bool:
    axis = op.keywords.get("axis")
    if axis is not None and not (isinstance(axis, gast.Constant) and axis.value is None):
        return False
    return len(op.args) == 1 and set(op.keywords) <= {"axis"}
