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
    transposes = {
        stmt.targets[0].id: stmt.value.value.id
        for stmt in function.body
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id in stable
        and isinstance(stmt.value, gast.Attribute) and stmt.value.attr == "T"
        and isinstance(stmt.value.value, gast.Name) and stmt.value.value.id in stable
    }
    if not transposes:
        return False
    changed = False

    def product_of(node: gast.expr, helper: str) -> tuple | None:
        """(g, x) for ``helper(g, xT, x)`` with ``xT = x.T``."""
        if not (
            isinstance(node, gast.Call) and isinstance(node.func, gast.Name)
            and node.func.id == helper and len(node.args) == 3 and not node.keywords
        ):
            return None
        g, xt, x = node.args
        if isinstance(xt, gast.Name) and isinstance(x, gast.Name) and transposes.get(xt.id) == x.id:
            return g, x
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
                a = product_of(inner, "matmul_adjoint_a") if inner is not None else None
                if a and b and S.same(a[0], b[0]) and a[1].id == b[1].id:
                    changed = True
                    return S.call("gram_adjoint", [b[0], b[1]])
            return node

    start = next((i for i, s in enumerate(function.body) if S.is_boundary(s)), len(function.body))
    for index in range(start, len(function.body)):
        function.body[index] = Fuse().visit(function.body[index])
    return changed
