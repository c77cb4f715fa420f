"""Which values provably share a shape, so ``unbroadcast`` can be left out.

``unbroadcast(g, x)`` sums ``g`` down to ``x``'s shape; it is a no-op exactly
when ``g`` already has that shape. Without types we can still prove it often:
elementwise functions keep their argument's shape, a binary elementwise
operation on two values of the same shape (or on a value and a number) keeps
it too, and an adjoint has its primal's shape. Everything else is unknown,
and unknown keeps the ``unbroadcast``.
"""

from __future__ import annotations

from collections import Counter

import gast

from .analysis import walk_ops
from .ir import Function, Op

SCALAR = "<scalar>"  # a Python number: broadcasts against anything
ZERO_D = "()"  # a value of shape (), such as a reduction over all axes

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
# Reductions that return shape () when called without an axis.
FULL_REDUCTIONS = frozenset(
    [f"numpy.{n}" for n in "sum mean prod max min amax amin var std nansum nanmean".split()]
    + [f"numpy.ndarray.{n}" for n in "sum mean prod max min var std".split()]
    + ["numpy.linalg.norm"]
)
# Runtime helpers whose result has the shape of one of their arguments.
SHAPE_OF_ARGUMENT = {"unreduce": 1, "unbroadcast": 1, "extremum_mask": 0}
_BINARY_OPS = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow)


class ShapeClasses:
    """Union-find over variable names: same class ⇒ provably the same shape."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.adjoint_of: dict[str, str] = {}
        self.unknown: set[str] = set()  # assigned several times with different shapes
        self.shape_tuples: set[str] = set()  # names bound to some ``x.shape``
        self.np_alias = "np"  # how generated code spells numpy (``np.cos(x)`` has x's shape)

    def find(self, name: str) -> str:
        if name in (ZERO_D, SCALAR):
            return name
        while self.parent.get(name, name) != name:
            name = self.parent[name]
        return name

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == ZERO_D:
            ra, rb = rb, ra
        if ra != rb:
            self.parent[ra] = rb

    def of(self, expr: gast.expr) -> str | None:
        """The shape class of an expression, ``SCALAR`` for numbers, None if unknown."""
        if isinstance(expr, gast.Name):
            name = self.adjoint_of.get(expr.id, expr.id)
            return None if name in self.unknown else self.find(name)
        if isinstance(expr, gast.Constant) and isinstance(expr.value, (int, float)):
            return SCALAR
        if isinstance(expr, gast.UnaryOp) and isinstance(expr.op, (gast.USub, gast.UAdd)):
            return self.of(expr.operand)
        if isinstance(expr, gast.BinOp) and isinstance(expr.op, _BINARY_OPS):
            return _combine(self.of(expr.left), self.of(expr.right))
        if (
            isinstance(expr, gast.Call)
            and isinstance(expr.func, gast.Name)
            and expr.func.id in SHAPE_OF_ARGUMENT
            and len(expr.args) > SHAPE_OF_ARGUMENT[expr.func.id]
        ):
            return self.of(expr.args[SHAPE_OF_ARGUMENT[expr.func.id]])
        if (
            isinstance(expr, gast.Call) and isinstance(expr.func, gast.Attribute)
            and isinstance(expr.func.value, gast.Name) and expr.func.value.id == self.np_alias
            and f"numpy.{expr.func.attr}" in ELEMENTWISE_UNARY
            and len(expr.args) == 1 and not expr.keywords
        ):
            return self.of(expr.args[0])
        return None


def _combine(a: str | None, b: str | None) -> str | None:
    """The class of an elementwise operation's result: a number or a 0-d value (``x - m``
    with ``m = np.max(x)``) broadcasts without changing the other operand's shape."""
    if a is None or b is None:
        return None
    if a == SCALAR:
        return b
    if b == SCALAR or a == b:
        return a
    if a == ZERO_D:
        return b
    if b == ZERO_D:
        return a
    return None


def shape_classes(fn: Function) -> ShapeClasses:
    """Shape classes of the function's variables.

    A variable assigned in several places (inside branches and loops) may change
    shape over time, so it joins a class only if every one of its assignments
    agrees; otherwise it is unknown. It joins the class of its first assignment
    (an induction hypothesis), the others are checked against that, and the
    analysis restarts with the disagreeing names marked unknown.
    """
    # `v = None` placeholders before loops are never read as values: not definitions here
    ops = [
        op for op in walk_ops(fn.body)
        if not (isinstance(op.value, gast.Constant) and op.value.value is None)
    ]
    count = Counter(op.target for op in ops)
    several = {name for name, n in count.items() if n > 1}
    unknown: set[str] = set()
    while True:
        classes = ShapeClasses()
        classes.unknown = unknown
        seen: dict[str, list[str | None]] = {}
        for op in ops:
            shape = _value_class(op, classes)
            if op.target in several:
                later = op.target in seen
                seen.setdefault(op.target, []).append(shape)
                if later:
                    continue  # only the first assignment joins; the others are checked
            if op.target in unknown or shape is None:
                continue
            if shape == SCALAR:
                classes.parent.setdefault(op.target, SCALAR)  # a Python number
                continue
            if shape == ZERO_D:
                classes.union(op.target, ZERO_D)
            else:
                classes.union(op.target, shape)
        disagree = {
            name for name, shapes in seen.items() if name not in unknown and any(
                shape is None or classes.find(shape) != classes.find(name) for shape in shapes
            )
        }
        if not disagree:
            return classes
        unknown = unknown | disagree


def _value_class(op: Op, classes: ShapeClasses) -> str | None:
    if _python_int(op, classes):
        return SCALAR
    if op.kind == "copy" and isinstance(op.value, gast.Name):
        return classes.of(op.value)
    if op.kind != "rule" or (op.keywords and op.key not in FULL_REDUCTIONS):
        return None
    if op.key in FULL_REDUCTIONS:
        return ZERO_D if _no_axis(op) else None
    if op.key in ELEMENTWISE_UNARY and len(op.args) == 1:
        return classes.of(op.args[0])
    if op.key in ELEMENTWISE_BINARY and len(op.args) == 2:
        return _combine(classes.of(op.args[0]), classes.of(op.args[1]))
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


def _no_axis(op: Op) -> bool:
    axis = op.keywords.get("axis")
    if axis is not None and not (isinstance(axis, gast.Constant) and axis.value is None):
        return False
    return len(op.args) == 1 and set(op.keywords) <= {"axis"}
