"""Algebraic clean-ups of the backward sweep that keep every shape and dtype.

Adjoint templates are written for clarity (``-(-g * p)``, ``g * x ** (p - 1.0)``),
and merging their contributions leaves sums like ``e + e``; these rewrites make
the result read like hand-written code and make fewer NumPy calls.
"""

from __future__ import annotations

import gast

from . import syntax as S


_FOLD = {
    gast.Add: lambda a, b: a + b,
    gast.Sub: lambda a, b: a - b,
    gast.Mult: lambda a, b: a * b,
}


def _number(node: gast.AST) -> float | int | None:
    if isinstance(node, gast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        inner = _number(node.operand)
        return -inner if inner is not None else None
    return None


class _Simplify(S.Transformer):
    """Folds number arithmetic and drops identities. Every rewrite keeps shapes:
    only ``e ** 1 → e``, ``1 * e → e``, ``e * 1 → e``, ``e / 1 → e``, ``-(-e) → e``
    (also ``-(-a * b) → a * b``), ``e + e → 2.0 * e``, ``a + -b → a - b`` and
    ``unbroadcast(-g, x) → -unbroadcast(g, x)``, never
    ``e * 0 → 0``. Applied to the backward sweep only, where every
    expression is a float adjoint times something, so dtypes cannot change."""

    def __init__(self, np_alias: str = "np") -> None:
        self.np = np_alias

    def visit_BinOp(self, node: gast.BinOp) -> gast.expr:
        self.generic_visit(node)
        left, right = _number(node.left), _number(node.right)
        if isinstance(node.op, gast.Pow) and right == -0.5:
            # x ** -0.5, from the rule of x ** 0.5: a general power is several times
            # slower than a square root
            root = S.call(f"{self.np}.sqrt", [node.left])
            return S.binop(S.constant(1.0), gast.Div(), root)
        if isinstance(node.op, gast.Mult) and _is_reciprocal(node.right):
            return S.binop(node.left, gast.Div(), node.right.right)  # a * (1.0 / b) → a / b
        if left is not None and right is not None and type(node.op) in _FOLD:
            return S.constant(_FOLD[type(node.op)](left, right))
        if isinstance(node.op, gast.Pow) and right == 1:
            return node.left
        if isinstance(node.op, gast.Mult) and right == 1:
            return node.left
        if isinstance(node.op, gast.Mult) and left == 1:
            return node.right
        if isinstance(node.op, gast.Div) and right == 1:
            return node.left
        if isinstance(node.op, gast.Add) and S.same(node.left, node.right):
            return S.binop(S.constant(2.0), gast.Mult(), node.left)  # `g * r + g * r`, from r * r
        if isinstance(node.op, gast.Add) and not _is_negation(node.right):
            positive = _without_sign(node.left)
            if positive is not None:  # `-a * b + c` → `c - a * b`
                return S.binop(node.right, gast.Sub(), positive)
        if isinstance(node.op, (gast.Add, gast.Sub)) and _is_negation(node.right):
            # `a + -(b * c)` → `a - b * c`
            flipped = gast.Sub() if isinstance(node.op, gast.Add) else gast.Add()
            return S.binop(node.left, flipped, node.right.operand)
        return node

    def visit_Call(self, node: gast.Call) -> gast.expr:
        self.generic_visit(node)
        if (
            isinstance(node.func, gast.Name) and node.func.id == "unbroadcast"
            and len(node.args) == 2 and _is_negation(node.args[0])
        ):  # unbroadcast is linear: negate the (smaller) sum, not the array
            node.args[0] = node.args[0].operand
            return gast.UnaryOp(op=gast.USub(), operand=node)
        return node

    def visit_UnaryOp(self, node: gast.UnaryOp) -> gast.expr:
        self.generic_visit(node)
        if isinstance(node.op, gast.USub):
            positive = _without_sign(node.operand)
            if positive is not None:
                return positive
        return node


def _is_reciprocal(node: gast.AST) -> bool:
    return isinstance(node, gast.BinOp) and isinstance(node.op, gast.Div) and _number(node.left) == 1


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


def simplify_backward(function: gast.FunctionDef, np_alias: str = "np") -> gast.FunctionDef:
    body = function.body
    start = next((i for i, stmt in enumerate(body) if S.is_boundary(stmt)), len(body))
    for index in range(start, len(body)):
        body[index] = _Simplify(np_alias).visit(body[index])
    return function
