"""An identity of matrix products the backward sweep can use: the two adjoints of
``x`` in ``x.T @ x`` (one through ``x.T``, one direct) add up to ``gram_adjoint(g, x)``,
one product instead of two and a transpose. ``r.T @ r`` is how least squares is
usually written."""

from __future__ import annotations

import gast

from . import syntax as S


def fuse_gram_adjoints(function: gast.FunctionDef, stable: set[str], np_alias: str) -> bool:
    """``matmul_adjoint_b(g, xT, x) + np.transpose(matmul_adjoint_a(g, xT, x))`` (either
    order) → ``gram_adjoint(g, x)``, where ``xT = x.T`` holds for the whole function.
    Returns whether anything changed."""
    transposes: dict[str, str] = {}  # xT → x, for ``xT = x.T``
    scaled: dict[str, gast.expr] = {}  # xT → c, for ``xT = c * x.T`` (``0.5 * r.T @ r``)
    for stmt in function.body:
        if not (
            isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id in stable
        ):
            continue
        value, factor = stmt.value, None
        if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Mult):
            if S.number_literal(value.left) is not None:
                value, factor = value.right, value.left
            elif S.number_literal(value.right) is not None:
                value, factor = value.left, value.right
        if (
            isinstance(value, gast.Attribute) and value.attr == "T"
            and isinstance(value.value, gast.Name) and value.value.id in stable
        ):
            transposes[stmt.targets[0].id] = value.value.id
            if factor is not None:
                scaled[stmt.targets[0].id] = factor
    if not transposes:
        return False
    changed = False

    def product_of(node: gast.expr, helper: str) -> tuple | None:
        """(g, x, xT) for ``helper(g, xT, x)`` with ``xT = x.T`` (or ``c * x.T``)."""
        if not (
            isinstance(node, gast.Call) and isinstance(node.func, gast.Name)
            and node.func.id == helper and len(node.args) == 3 and not node.keywords
        ):
            return None
        g, xt, x = node.args
        if isinstance(xt, gast.Name) and isinstance(x, gast.Name) and transposes.get(xt.id) == x.id:
            return g, x, xt.id
        return None

    def through_scaled(node: gast.expr, xt: str) -> gast.expr | None:
        """``a`` for ``a * c``, where ``xT = c * x.T``: the adjoint of ``x`` through ``xT``."""
        factor = scaled.get(xt)
        if factor is None:
            return node
        if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult):
            if S.same(node.right, factor):
                return node.left
            if S.same(node.left, factor):
                return node.right
        return None

    def transposed(node: gast.expr) -> gast.expr | None:
        if (
            isinstance(node, gast.Call) and S.dotted_name(node.func) == f"{np_alias}.transpose"
            and len(node.args) == 1 and not node.keywords
        ):
            return node.args[0]
        return None

    class Fuse(S.Transformer):
        def visit_BinOp(self, node: gast.BinOp) -> gast.expr:
            nonlocal changed
            self.generic_visit(node)
            if not isinstance(node.op, gast.Add):
                return node
            for direct, through in ((node.left, node.right), (node.right, node.left)):
                b = product_of(direct, "matmul_adjoint_b")
                inner = transposed(through)
                if b is None or inner is None:
                    continue
                inner = through_scaled(inner, b[2])  # (c x.T) @ x is c times x.T @ x
                a = product_of(inner, "matmul_adjoint_a") if inner is not None else None
                if a and S.same(a[0], b[0]) and a[1].id == b[1].id and a[2] == b[2]:
                    changed = True
                    factor = scaled.get(b[2])
                    g = b[0] if factor is None else S.binop(b[0], gast.Mult(), factor)
                    return S.call("gram_adjoint", [g, b[1]])
            return node

    start = next((i for i, s in enumerate(function.body) if S.is_boundary(s)), len(function.body))
    for index in range(start, len(function.body)):
        function.body[index] = Fuse().visit(function.body[index])
    if changed:
        _sum_down_inside(function.body[start:], transposes)
    return changed


def _sum_down_inside(backward: list[gast.stmt], transposes: dict[str, str]) -> None:
    """``q = unbroadcast(g, matmul_shape(xT, x)) * 0.5; gram_adjoint(q, x)`` →
    ``q = g * 0.5``: ``gram_adjoint`` sums its ``g`` down to the product's shape itself,
    so the product's shape is not computed (nor ``xT``, when nothing else reads it).
    A number factor commutes with the sum."""
    definitions: dict[str, list[gast.Assign]] = {}
    reads: dict[str, int] = {}
    for stmt in S.statements(backward):
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(
            stmt.targets[0], gast.Name
        ):
            definitions.setdefault(stmt.targets[0].id, []).append(stmt)
    for node in S.names(backward):
        if node.ctx.__class__ is gast.Load:
            reads[node.id] = reads.get(node.id, 0) + 1
    for call in S.nodes_of(backward, gast.Call):
        if not (
            isinstance(call.func, gast.Name) and call.func.id == "gram_adjoint"
            and len(call.args) == 2 and isinstance(call.args[1], gast.Name)
        ):
            continue
        g, x = call.args
        if isinstance(g, gast.Name):
            assigns = definitions.get(g.id, [])
            if len(assigns) == 1 and reads.get(g.id) == 1:
                summed = _summed_to_gram(assigns[0].value, x.id, transposes)
                if summed is not None:
                    assigns[0].value = summed
        else:
            summed = _summed_to_gram(g, x.id, transposes)
            if summed is not None:
                call.args[0] = summed


def _summed_to_gram(node: gast.expr, x: str, transposes: dict[str, str]) -> gast.expr | None:
    """``g`` (times the number) for ``unbroadcast(g, matmul_shape(xT, x))`` (times a number)."""
    if isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Mult, gast.Div)):
        if S.number_literal(node.right) is not None:
            inner = _summed_to_gram(node.left, x, transposes)
            return S.binop(inner, node.op, node.right) if inner is not None else None
        if isinstance(node.op, gast.Mult) and S.number_literal(node.left) is not None:
            inner = _summed_to_gram(node.right, x, transposes)
            return S.binop(node.left, node.op, inner) if inner is not None else None
        return None
    if not (
        isinstance(node, gast.Call) and isinstance(node.func, gast.Name)
        and node.func.id == "unbroadcast" and len(node.args) == 2 and not node.keywords
    ):
        return None
    shape = node.args[1]
    if (
        isinstance(shape, gast.Call) and isinstance(shape.func, gast.Name)
        and shape.func.id == "matmul_shape" and len(shape.args) == 2
        and all(isinstance(a, gast.Name) for a in shape.args)
        and transposes.get(shape.args[0].id) == x and shape.args[1].id == x
    ):
        return node.args[0]
    return None
