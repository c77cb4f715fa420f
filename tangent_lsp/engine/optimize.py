"""Clean-ups on the generated function: dead-code elimination and assignment propagation.

Each pass is a plain function ``FunctionDef → FunctionDef`` over the flat
(straight-line) body, safe to run in any order, and the driver repeats them
until nothing changes — detected by counting statements and names, never by
re-printing the code.
"""

from __future__ import annotations

import gast

from . import syntax as S
from .shapes import ShapeClasses

_IMPURE_PREFIXES = ("random", "print", "input", "open")
# Inlining stops before a statement grows past this many AST nodes: past it,
# one long line reads worse than two short ones.
MAX_INLINED_SIZE = 36


def optimize(
    function: gast.FunctionDef,
    inlinable: set[str],
    mergeable: set[str],
    classes: ShapeClasses | None = None,
) -> gast.FunctionDef:
    """Run the passes to a fixed point.

    ``inlinable``: names the engine made up for intermediate values, inlined into
    their single use. ``mergeable``: adjoints of the user's variables, which keep
    their own line but absorb copies and accumulation (``bx = a; bx = bx + b``).
    """
    if classes is not None:
        function = drop_noop_unbroadcast(function, classes)
    function = simplify_backward(function)
    for _ in range(20):
        before = _size(function)
        function = eliminate_dead_code(function)
        function = propagate_assignments(function, inlinable, mergeable)
        if _size(function) == before:
            break
    return drop_empty_comments(function)


def _size(function: gast.FunctionDef) -> tuple[int, int]:
    return len(function.body), sum(1 for _ in gast.walk(function))


# --- dead-code elimination -----------------------------------------------------------


def _inplace_target(stmt: gast.stmt) -> str | None:
    """``bx[i] += g`` and ``np.add.at(bx, i, g)`` update ``bx`` in place: its name."""
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Subscript):
        base = stmt.target.value
        return base.id if isinstance(base, gast.Name) else None
    if (
        isinstance(stmt, gast.Expr)
        and isinstance(stmt.value, gast.Call)
        and (S.dotted_name(stmt.value.func) or "").endswith(".add.at")
        and stmt.value.args
        and isinstance(stmt.value.args[0], gast.Name)
    ):
        return stmt.value.args[0].id
    return None


def _pure(value: gast.expr) -> bool:
    for node in gast.walk(value):
        if isinstance(node, gast.Call):
            path = S.dotted_name(node.func) or ""
            if any(part.startswith(_IMPURE_PREFIXES) for part in path.split(".")):
                return False
    return True


def eliminate_dead_code(function: gast.FunctionDef) -> gast.FunctionDef:
    live: set[str] = set()
    kept: list[gast.stmt] = []
    for stmt in reversed(function.body):
        if S.comment_text(stmt) is not None:
            kept.append(stmt)
            continue
        inplace = _inplace_target(stmt)
        if inplace is not None:
            if inplace in live:
                kept.append(stmt)
                live.update(S.loaded_names(stmt))
            continue
        if isinstance(stmt, gast.Assign) and _pure(stmt.value):
            targets = S.stored_names(stmt.targets[0])
            if not any(t in live for t in targets):
                continue
            if isinstance(stmt.targets[0], gast.Tuple):
                for element in stmt.targets[0].elts:
                    if isinstance(element, gast.Name) and element.id not in live:
                        element.id = "_"
            live.difference_update(targets)
            live.update(S.loaded_names(stmt.value))
            kept.append(stmt)
            continue
        live.update(S.loaded_names(stmt))
        kept.append(stmt)
    function.body = list(reversed(kept))
    return function


# --- assignment propagation ------------------------------------------------------------


def _loads(node: gast.AST, identifier: str) -> int:
    return sum(
        1 for sub in gast.walk(node)
        if isinstance(sub, gast.Name) and sub.id == identifier and isinstance(sub.ctx, gast.Load)
    )


def _nodes(node: gast.AST) -> int:
    return sum(1 for _ in gast.walk(node))


def _defines(stmt: gast.stmt) -> set[str]:
    if isinstance(stmt, gast.Assign):
        return set(S.stored_names(stmt.targets[0]))
    inplace = _inplace_target(stmt)
    return {inplace} if inplace else set()


def propagate_assignments(
    function: gast.FunctionDef, inlinable: set[str], mergeable: set[str] = frozenset()
) -> gast.FunctionDef:
    """Inline ``t = expr`` into its single use (or copies ``t = x`` into every use).

    Only names the engine made up are inlined; the user's own variables stay,
    because the generated code should read like the code it came from.
    """
    body = function.body
    updated_in_place = {name for stmt in body if (name := _inplace_target(stmt))}
    index = 0
    while index < len(body):
        stmt = body[index]
        if not (
            isinstance(stmt, gast.Assign)
            and isinstance(stmt.targets[0], gast.Name)
            and stmt.targets[0].id in inlinable | mergeable
            and stmt.targets[0].id not in updated_in_place
        ):
            index += 1
            continue
        name = stmt.targets[0].id
        reads = set(S.loaded_names(stmt.value))
        is_atom = isinstance(stmt.value, (gast.Name, gast.Constant))
        uses: list[int] = []
        blocked = False
        for later in range(index + 1, len(body)):
            other = body[later]
            count = _loads(other, name)
            if count:
                if blocked or (count > 1 and not is_atom):
                    uses = []
                    break
                uses.append(later)
            defined = _defines(other)
            if name in defined:
                break
            if defined & reads:
                blocked = True  # an operand changes: inlining past here would read the new value
        merge_only = name in mergeable and name not in inlinable and not is_atom
        if merge_only and not (len(uses) == 1 and name in _defines(body[uses[0]])):
            index += 1
            continue
        if not uses or (len(uses) > 1 and not is_atom) or any(
            isinstance(body[u], gast.Return) for u in uses
        ) or (not is_atom and _nodes(body[uses[0]]) + _nodes(stmt.value) > MAX_INLINED_SIZE):
            index += 1
            continue
        for u in uses:
            body[u] = S.substitute(body[u], {name: stmt.value})
        del body[index]
    function.body = body
    return function


def drop_empty_comments(function: gast.FunctionDef) -> gast.FunctionDef:
    """Remove ``# Grad of:`` markers whose block was optimized away."""
    body = function.body
    kept: list[gast.stmt] = []
    for position, stmt in enumerate(body):
        if S.comment_text(stmt) is not None and not S.is_boundary(stmt):
            following = body[position + 1] if position + 1 < len(body) else None
            if following is None or S.comment_text(following) is not None or isinstance(
                following, gast.Return
            ):
                continue
        kept.append(stmt)
    function.body = kept
    return function




def drop_noop_unbroadcast(function: gast.FunctionDef, classes: ShapeClasses) -> gast.FunctionDef:
    """``unbroadcast(g, x)`` → ``g`` where ``g`` provably has ``x``'s shape already."""

    class Drop(gast.NodeTransformer):
        def visit_Call(self, node: gast.Call) -> gast.expr:
            self.generic_visit(node)
            if (
                isinstance(node.func, gast.Name)
                and node.func.id == "unbroadcast"
                and len(node.args) == 2
            ):
                shape = classes.of(node.args[0])
                if shape is not None and shape == classes.of(node.args[1]):
                    return node.args[0]
            return node

    return Drop().visit(function)


_FOLD = {
    gast.Add: lambda a, b: a + b,
    gast.Sub: lambda a, b: a - b,
    gast.Mult: lambda a, b: a * b,
}


def _number(node: gast.AST) -> float | int | None:
    if isinstance(node, gast.Constant) and type(node.value) in (int, float):
        return node.value
    return None


class _Simplify(gast.NodeTransformer):
    """Folds number arithmetic and drops identities. Every rewrite keeps shapes:
    only ``e ** 1 → e``, ``1 * e → e``, ``e * 1 → e``, ``e / 1 → e`` and ``-(-e) → e``,
    never ``e * 0 → 0``. Applied to the backward sweep only, where every
    expression is a float adjoint times something, so dtypes cannot change."""

    def visit_BinOp(self, node: gast.BinOp) -> gast.expr:
        self.generic_visit(node)
        left, right = _number(node.left), _number(node.right)
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
        return node

    def visit_UnaryOp(self, node: gast.UnaryOp) -> gast.expr:
        self.generic_visit(node)
        inner = node.operand
        if isinstance(node.op, gast.USub) and isinstance(inner, gast.UnaryOp) and isinstance(
            inner.op, gast.USub
        ):
            return inner.operand
        return node


def simplify_backward(function: gast.FunctionDef) -> gast.FunctionDef:
    body = function.body
    start = next((i for i, stmt in enumerate(body) if S.is_boundary(stmt)), 0)
    for index in range(start, len(body)):
        body[index] = _Simplify().visit(body[index])
    return function
