"""Algebraic clean-ups of the backward sweep that keep every shape and dtype.

Adjoint templates are written for clarity (``-(-g * p)``, ``g * x ** (p - 1.0)``),
and merging their contributions leaves sums like ``e + e``; these rewrites make
the result read like hand-written code and make fewer NumPy calls.
"""

from __future__ import annotations

import gast

from . import syntax as S
from .shapes import SCALAR, ZERO_D, ShapeClasses


_FOLD = {
    gast.Add: lambda a, b: a + b,
    gast.Sub: lambda a, b: a - b,
    gast.Mult: lambda a, b: a * b,
}


_PRODUCTS = frozenset((gast.Mult, gast.Div))
_SUMS = frozenset((gast.Add, gast.Sub))


_COMPARE = {
    gast.Eq: lambda a, b: a == b,
    gast.NotEq: lambda a, b: a != b,
    gast.Lt: lambda a, b: a < b,
    gast.Gt: lambda a, b: a > b,
}


class _Simplify(S.Transformer):
    """Folds number arithmetic and drops identities. Every rewrite keeps shapes:
    only ``e ** 1 → e``, ``1 * e → e``, ``e * 1 → e``, ``e / 1 → e``, ``e ± 0 → e``,
    ``0 + e → e``, ``-(-e) → e``
    (also ``-(-a * b) → a * b``), ``e + e → 2.0 * e`` (``a + e + e → a + 2.0 * e``),
    ``a + -b → a - b`` (``a + -b * c → a - b * c``), ``e * c / (c * d) → e / d`` for a
    number ``c`` other than 0 (``e / (c * d) * c`` too), and
    ``unbroadcast(-g, x) → -unbroadcast(g, x)`` (``np.sum(-g)`` likewise), never
    ``e * 0 → 0``. Applied to the backward sweep only, where every
    expression is a float adjoint times something, so dtypes cannot change."""

    def __init__(self, np_alias: str = "np", classes: ShapeClasses | None = None) -> None:
        self.np = np_alias
        self.classes = classes

    def visit_BinOp(self, node: gast.BinOp) -> gast.expr:
        # operators are compared by class (`op is Mult`), not with isinstance: this runs
        # for every operation of the backward sweep, twice, and gast has no subclasses
        # of them
        self.generic_visit(node)
        if self.classes is not None and node.op.__class__ in _PRODUCTS:
            node = _numbers_first(node, self.classes)
            if node.__class__ is not gast.BinOp:
                return node
        op = node.op.__class__
        if self.classes is not None and op is gast.Mult:
            spread = _spread_number(node, self.classes)
            if spread is not None:
                return spread
        left, right = S.number_literal(node.left), S.number_literal(node.right)
        if op in _PRODUCTS:
            folded = _fold_numbers(node.left, op, node.right)
            if folded is not None:
                return folded
        if op is gast.Pow and right == -0.5:
            # x ** -0.5, from the rule of x ** 0.5: a general power is several times
            # slower than a square root
            root = S.call(f"{self.np}.sqrt", [node.left])
            return S.binop(S.constant(1.0), gast.Div(), root)
        if op is gast.Div:
            cancelled = _cancelled_number(node.left, node.right)
            if cancelled is not None:
                return cancelled
        elif op is gast.Mult and node.left.__class__ is gast.BinOp and (
            node.left.op.__class__ is gast.Div
        ):  # `g / (2.0 * y) * 2.0` → `g / y`
            cancelled = _cancelled_number(S.binop(node.left.left, gast.Mult(), node.right),
                                          node.left.right)
            if cancelled is not None and S.number_literal(node.right) is not None:
                return cancelled
        if op is gast.Mult and _is_reciprocal(node.right):
            return S.binop(node.left, gast.Div(), node.right.right)  # a * (1.0 / b) → a / b
        if left is not None and right is not None and op in _FOLD:
            return S.constant(_FOLD[op](left, right))
        if op is gast.Pow and right == 1:
            return node.left
        if op is gast.Mult and right == 1:
            return node.left
        if op is gast.Mult and left == 1:
            return node.right
        if op is gast.Div and right == 1:
            return node.left
        if op in _SUMS and right == 0:
            return node.left  # a number keeps the array's shape: `e + 0.0` is `e`
        if op is gast.Add and left == 0:
            return node.right
        if op is gast.Add and (
            S.same(node.left, node.right) or _swapped_product(node.left, node.right)
        ):  # `g * r + g * r` from r * r, and its tangent `dr * r + r * dr`
            return S.binop(S.constant(2.0), gast.Mult(), node.left)
        if (
            op in _SUMS and node.left.__class__ is gast.BinOp
            and node.left.op.__class__ is op and S.same(node.left.right, node.right)
        ):  # `a + g * r + g * r`: r * r's two contributions merged into a running sum
            twice = S.binop(S.constant(2.0), gast.Mult(), node.right)
            return self.visit(S.binop(node.left.left, node.op, twice))
        if op is gast.Add and not _is_negation(node.right):
            positive = _without_sign(node.left)
            if positive is not None:  # `-a * b + c` → `c - a * b`
                return S.binop(node.right, gast.Sub(), positive)
        if op in _SUMS:
            positive = _without_sign(node.right)
            if positive is not None:  # `a + -(b * c)` and `a + -b * c` → `a - b * c`
                flipped = gast.Sub() if op is gast.Add else gast.Add()
                return S.binop(node.left, flipped, positive)
        if op in _SUMS and self.classes is not None:
            merged = _one_unbroadcast(node, self.classes)
            if merged is not None:
                return merged
        return node

    def visit_Call(self, node: gast.Call) -> gast.expr:
        self.generic_visit(node)
        if isinstance(node.func, gast.Name) and node.func.id == "len" and len(node.args) == 1 and (
            isinstance(node.args[0], (gast.List, gast.Tuple))
            and not any(isinstance(e, gast.Starred) for e in node.args[0].elts)
        ):  # `bh[:len([a, b])]`, from the rule of `[a, b] + hs`
            return S.constant(len(node.args[0].elts))
        positive = _without_sign(node.args[0]) if node.args else None
        if positive is not None and (
            (isinstance(node.func, gast.Name) and node.func.id == "unbroadcast"
             and len(node.args) == 2)
            or (len(node.args) == 1 and not node.keywords
                and S.dotted_name(node.func) == f"{self.np}.sum")
        ):  # unbroadcast and sum are linear: negate the (smaller) sum, not the array
            node.args[0] = positive  # (`-g / t / t` too: `-(unbroadcast(-g / t / t, x) * e)`
            return gast.UnaryOp(op=gast.USub(), operand=node)  # cancels)
        return node

    def visit_Compare(self, node: gast.Compare) -> gast.expr:
        self.generic_visit(node)
        left, op = S.number_literal(node.left), type(node.ops[0])
        right = S.number_literal(node.comparators[0]) if len(node.ops) == 1 else None
        if left is not None and right is not None and op in _COMPARE:
            return S.constant(_COMPARE[op](left, right))  # `2 != 0`, from the rule of x ** 2
        return node

    def visit_UnaryOp(self, node: gast.UnaryOp) -> gast.expr:
        self.generic_visit(node)
        if isinstance(node.op, gast.USub):
            positive = _without_sign(node.operand)
            if positive is not None:
                return positive
        return node


def _one_unbroadcast(node: gast.BinOp, classes: ShapeClasses) -> gast.expr | None:
    """``unbroadcast(a, x) / p - unbroadcast(b, x) * q`` → ``unbroadcast(a / p - b * q, x)``:
    one sum down to ``x``'s shape, not two. Summing down is linear, so two sums of
    values of one shape are the sum of their sum; and a factor of ``x``'s shape (or a
    number) is constant along the axes summed away, so it may be applied before."""
    left, right = _unbroadcast_term(node.left, classes), _unbroadcast_term(node.right, classes)
    if left is None or right is None or left[1] != right[1]:
        return None
    (a, x, a_factors), (b, _, b_factors) = left, right
    shape = classes.of(a)  # (an adjoint spread_implicitly rewrote has its new shape)
    if shape is None or shape != classes.of(b):
        return None
    inner = S.binop(_times(a, a_factors), node.op, _times(b, b_factors))
    return S.call("unbroadcast", [inner, S.name(x)])


def _unbroadcast_term(node: gast.expr, classes: ShapeClasses):
    """``(a, "x", [(op, c), ...])`` for ``unbroadcast(a, x)`` times or divided by factors of
    ``x``'s shape or numbers; None for anything else."""
    factors: list = []
    while node.__class__ is gast.BinOp and node.op.__class__ in _PRODUCTS:
        if node.right.__class__ is not gast.Call or node.op.__class__ is gast.Div:
            factors.append((node.op, node.right))
            node = node.left
        elif node.op.__class__ is gast.Mult:  # `c * unbroadcast(a, x)`
            factors.append((node.op, node.left))
            node = node.right
        else:
            return None
    if not (
        node.__class__ is gast.Call and node.func.__class__ is gast.Name
        and node.func.id == "unbroadcast" and len(node.args) == 2 and not node.keywords
        and node.args[1].__class__ is gast.Name
    ):
        return None
    x = node.args[1].id
    target = classes.of_name(x)
    if target is None or any(
        (shape := classes.of(c)) is None or (shape != SCALAR and shape != target)
        for _, c in factors
    ):
        return None
    return node.args[0], x, factors[::-1]


def _times(value: gast.expr, factors: list) -> gast.expr:
    for op, factor in factors:
        value = S.binop(value, op, factor)
    return value


def _numbers_first(node: gast.BinOp, classes: ShapeClasses) -> gast.expr:
    """``g / a * 3 * c`` → ``g * 3 / a * c``: in a chain of products and quotients, the
    factors that are numbers (or 0-d) combine with each other first, so the arrays
    are multiplied once each instead of once per number. Only the chain's left
    spine is read (``a / (b * c)`` keeps ``b * c`` as one factor)."""
    factors: list[tuple[type, gast.expr]] = []
    spine = node
    while isinstance(spine, gast.BinOp) and isinstance(spine.op, (gast.Mult, gast.Div)):
        factors.append((type(spine.op), spine.right))
        spine = spine.left
    factors.append((gast.Mult, spine))
    if len(factors) < 3:  # `a * b`: both numbers, or not both: nothing to put first
        return node
    if any(op is gast.Div and S.number_literal(f) == 0 for op, f in factors):
        return node  # `2.0 / 0.0` would raise where `a * 2.0 / 0.0` gives inf
    factors.reverse()
    small = [_is_small(f, classes) for _, f in factors]
    if sum(small) < 2 or not any(
        small[i] and not all(small[:i]) for i in range(len(factors))
    ) or all(small):
        return node  # no number comes after an array: nothing to gain
    order = [i for i in range(len(factors)) if small[i]] + [
        i for i in range(len(factors)) if not small[i]
    ]
    if factors[order[0]][0] is not gast.Mult:
        return node  # the chain would start with a division
    result = factors[order[0]][1]
    for i in order[1:]:
        op, factor = factors[i]
        result = _fold_numbers(result, op, factor) or S.binop(result, op(), factor)
    return result


def _fold_numbers(left: gast.expr, op: type, right: gast.expr) -> gast.expr | None:
    """``e * 0.5`` times ``2.0`` is ``e * 1.0``: two numbers in a row are one."""
    number = S.number_literal(right)
    if number in (None, 0):
        return None
    if S.number_literal(left) is not None:
        value = S.number_literal(left)
        return S.constant(value * number if op is gast.Mult else value / number)
    if not (
        isinstance(left, gast.BinOp) and isinstance(left.op, gast.Mult)
        and S.number_literal(left.right) is not None
    ):
        return None
    inner = S.number_literal(left.right)
    folded = inner * number if op is gast.Mult else inner / number
    return left.left if folded == 1 else S.binop(left.left, gast.Mult(), S.constant(folded))


def _cancelled_number(left: gast.expr, right: gast.expr) -> gast.expr | None:
    """``g * 2.0 / (2.0 * y)`` → ``g / y``: a number that multiplies both sides of a
    quotient (the rule of ``np.sqrt`` meets the square's ``2.0 * v``); ``2.0 / (2.0 * y)``
    → ``1.0 / y``. None when there is none."""
    if right.__class__ is not gast.BinOp or right.op.__class__ is not gast.Mult:
        return None
    for number, rest in ((right.left, right.right), (right.right, right.left)):
        value = S.number_literal(number)
        if value in (None, 0):
            continue
        if S.number_literal(left) == value:
            return S.binop(S.constant(1.0), gast.Div(), rest)
        if left.__class__ is gast.BinOp and left.op.__class__ is gast.Mult:
            for own, kept in ((left.right, left.left), (left.left, left.right)):
                if S.number_literal(own) == value:
                    return S.binop(kept, gast.Div(), rest)
    return None


def _is_small(node: gast.expr, classes: ShapeClasses) -> bool:
    """A number or a 0-d value: an operation on it costs nothing next to an array's."""
    if isinstance(node, gast.Call) and isinstance(node.func, gast.Name):
        return node.func.id == "reduced_count"
    shape = classes.of(node)
    return shape == SCALAR or shape == ZERO_D


def _spread_number(node: gast.BinOp, classes: ShapeClasses) -> gast.expr | None:
    """``unreduce(g, x) * e`` → ``g * e`` when ``g`` is a number (a full reduction's
    adjoint) and ``e`` is at least as large as ``x``: the product broadcasts ``g`` itself,
    without an array of copies of it (``np.sum(h * h)``: ``2.0 * g * h``)."""
    for spread, other in ((node.left, node.right), (node.right, node.left)):
        if not (
            isinstance(spread, gast.Call) and isinstance(spread.func, gast.Name)
            and spread.func.id == "unreduce" and len(spread.args) == 2 and not spread.keywords
        ):
            continue
        g, x = spread.args
        big = classes.of(other)
        if classes.of(g) in (SCALAR, ZERO_D) and (S.same(x, other) or (
            big is not None and big != SCALAR and classes.combine(classes.of(x), big) == big
        )):
            return S.binop(g, gast.Mult(), other) if spread is node.left else S.binop(
                other, gast.Mult(), g
            )
    return None


def _swapped_product(a: gast.AST, b: gast.AST) -> bool:
    """``p * q`` and ``q * p``: the same value (multiplication commutes, also elementwise)."""
    return (
        isinstance(a, gast.BinOp) and isinstance(b, gast.BinOp)
        and isinstance(a.op, gast.Mult) and isinstance(b.op, gast.Mult)
        and S.same(a.left, b.right) and S.same(a.right, b.left)
    )


def _is_reciprocal(node: gast.AST) -> bool:
    return isinstance(node, gast.BinOp) and isinstance(node.op, gast.Div) and S.number_literal(node.left) == 1


def _is_negation(node: gast.AST) -> bool:
    return isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub)


def _without_sign(node: gast.expr) -> gast.expr | None:
    """``-e`` → ``e``; ``-a * b / c`` → ``a * b / c`` (the sign of a product sits on its first
    factor); None when ``node`` carries no leading minus."""
    if _is_negation(node):
        return node.operand
    if isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Mult, gast.Div)):
        left = _without_sign(node.left)
        if left is not None:
            return S.binop(left, node.op, node.right)
    return None


def simplify_backward(
    function: gast.FunctionDef, np_alias: str = "np", classes: ShapeClasses | None = None
) -> gast.FunctionDef:
    """Simplify the backward sweep; with ``classes``, also put numbers first in products."""
    body = function.body
    start = next((i for i, stmt in enumerate(body) if S.is_boundary(stmt)), None)
    simplify = _Simplify(np_alias, classes)
    if start is None:  # forward mode: the tangents' statements, which are float like adjoints
        if classes is not None:
            _simplify_tangents(body, simplify, set(classes.adjoint_of))
        return function
    for index in range(start, len(body)):
        body[index] = simplify.visit(body[index])
    return function


def _simplify_tangents(body: list[gast.stmt], simplify: _Simplify, tangents: set[str]) -> None:
    for index, stmt in enumerate(body):
        if isinstance(stmt, gast.Assign) and all(
            isinstance(t, gast.Name) and t.id in tangents for t in stmt.targets
        ):
            body[index] = simplify.visit(stmt)
        for block in ("body", "orelse"):
            if isinstance(stmt, S.COMPOUND):
                _simplify_tangents(getattr(stmt, block, []), simplify, tangents)
