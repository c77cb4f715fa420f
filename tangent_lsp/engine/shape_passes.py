"""Optimizer passes that use what ``shapes.py`` proves about shapes.

``unbroadcast(g, x)`` is left out where ``g`` already has ``x``'s shape; a helper
argument read only for its shape reads a variable that is alive anyway; and the
tape keeps only the shape of values the backward sweep reads only for their shape.
"""

from __future__ import annotations

import gast

from . import syntax as S
from .shapes import SCALAR, ZERO_D, ShapeClasses
from .tape import is_pop, is_push


def drop_noop_unbroadcast(
    function: gast.FunctionDef, classes: ShapeClasses, callers: set[gast.stmt] | None = None
) -> gast.FunctionDef:
    """``unbroadcast(g, x)`` → ``g`` where ``g`` provably has ``x``'s shape already.
    ``callers``: see ``shape_only_callers``."""

    class Drop(S.Transformer):
        def visit_Call(self, node: gast.Call) -> gast.expr:
            self.generic_visit(node)
            return without_noop_unbroadcast(node, classes)

    _visit_backward(function, Drop(), calls=_UNBROADCAST, callers=callers)
    return function


def without_noop_unbroadcast(node: gast.Call, classes: ShapeClasses) -> gast.expr:
    """``g`` for ``unbroadcast(g, x)`` (or forward mode's ``broadcast_like(g, x)``) when
    the shapes ``classes`` give them are equal; for ``broadcast_like(g, x)`` also when
    ``x`` has shape (): a tangent spread to a number is that number's tangent already."""
    if (
        isinstance(node.func, gast.Name) and node.func.id in _UNBROADCAST
        and len(node.args) == 2
    ):
        target = classes.of(node.args[1])
        if node.func.id == "broadcast_like" and target in (ZERO_D, SCALAR):
            return node.args[0]
        shape = classes.of(node.args[0])
        if shape is not None and shape == target:
            return node.args[0]
    return node


def _visit_backward(
    function: gast.FunctionDef, transformer: S.Transformer, otherwise_all: bool = True,
    calls: frozenset[str] = frozenset(), callers: set[gast.stmt] | None = None,
) -> None:
    """Run ``transformer`` over the backward sweep only (the helpers it rewrites appear
    only there); over everything when there is none (forward mode), if ``otherwise_all``.
    ``calls``: the helpers it rewrites; statements that call none of them are skipped.
    ``callers``: the statements that may call them, if known (no scan then)."""
    body = function.body
    start = _backward_start(body, otherwise_all)
    for index in range(start, len(body)):
        stmt = body[index]
        if callers is not None:
            if stmt not in callers:
                continue
        elif calls and not S.calls_any(stmt, calls):
            continue
        body[index] = transformer.visit(stmt)


def _backward_start(body: list[gast.stmt], otherwise_all: bool) -> int:
    """Where the backward sweep begins: after the boundary marker; without one (forward
    mode), at the start if ``otherwise_all``, else at the end (nothing to visit)."""
    return next((i for i, s in enumerate(body) if S.is_boundary(s)), 0 if otherwise_all else len(body))


def shape_only_callers(function: gast.FunctionDef) -> set[gast.stmt]:
    """The statements of the backward sweep (of everything in forward mode), at any depth,
    that call a helper of ``SHAPE_ONLY_CALLS``: the shape passes rewrite only those. The
    passes that run one after another on the same statements (``drop_noop_unbroadcast``,
    ``refine_shapes``, ``read_shapes_from_stable_names``, ``spread_implicitly``) share
    this one scan instead of each scanning every statement: none adds such a call to a
    statement, and none replaces a statement by another object (they rewrite calls
    inside it). Propagation does both: scan again after it."""
    body = function.body
    backward = body[_backward_start(body, otherwise_all=True):]
    return {stmt for stmt in S.statements(backward) if S.calls_any(stmt, SHAPE_ONLY_CALLS)}


# Helpers that read only the shape of one of their arguments (argument position).
SHAPE_ONLY = {"unreduce": 1, "unbroadcast": 1, "reduced_count": 0, "undiagonal": 1}
_UNBROADCAST = frozenset(("unbroadcast", "broadcast_like"))
SHAPE_ONLY_CALLS = frozenset(SHAPE_ONLY) | _UNBROADCAST
_UNREDUCE = frozenset(("unreduce",))


def read_shapes_from_stable_names(
    function: gast.FunctionDef, classes: ShapeClasses, stable: set[str],
    temporaries: set[str] = frozenset(), callers: set[gast.stmt] | None = None,
) -> gast.FunctionDef:
    """``unreduce(g, rr)`` → ``unreduce(g, r)`` when ``rr = r * r`` has ``r``'s shape:
    the backward sweep then no longer keeps ``rr`` alive just for its shape.

    Only stable names are used as replacements (an argument, or a variable assigned
    once at the top level), so the replacement holds the same shape at every use.
    ``callers``: see ``shape_only_callers``.
    """
    # stable names are assigned at the top level: those still assigned there (a
    # temporary may have been inlined away) are the ones to read
    params = _params(function)
    defined = params | assigned_at_top_level(function)
    available = sorted(
        (n for n in stable if n in defined),
        key=lambda n: (n not in params, n in temporaries, n),
    )
    by_class: dict = {}
    for name in available:
        shape = classes.of_name(name)
        if shape is not None:
            by_class.setdefault(shape, name)
    rank = {name: i for i, name in enumerate(available)}

    class Replace(S.Transformer):
        def visit_Call(self, node: gast.Call) -> gast.expr:
            self.generic_visit(node)
            position = SHAPE_ONLY.get(node.func.id) if isinstance(node.func, gast.Name) else None
            if position is not None and position < len(node.args):
                node.args[position] = arg = shape_giver(node.args[position], classes)
                shape = product_shape(arg, classes.np_alias)
                if shape is not None:  # a product computed only for its shape: the shape
                    node.args[position] = shape
                    return node
                if node.func.id == "unbroadcast" and position == 1:
                    done = without_noop_unbroadcast(node, classes)  # `t4 ** 2` read as `t4`
                    if done is not node:
                        return done
                    if classes.of(arg) in (ZERO_D, SCALAR):  # a number's adjoint: a sum
                        if classes.of(node.args[0]) in (ZERO_D, SCALAR):
                            return node.args[0]
                        return S.call(f"{classes.np_alias}.sum", [_uncopied(node.args[0])])
                shape = classes.of(arg) if isinstance(arg, gast.Name) else None
                if shape is None or (arg.id in stable and arg.id not in temporaries):
                    return node
                better = by_class.get(shape)
                if (
                    (not better or better in temporaries) and node.func.id == "reduced_count"
                    and len(node.args) == 1 and shape != SCALAR and len(shape) > 1
                    and all(atom in rank for atom in shape)
                ):  # the broadcast of several names: count it without computing it
                    node.args = [S.name(a) for a in sorted(shape, key=rank.__getitem__)]
                elif better and better != arg.id:
                    node.args[position] = S.name(better)
            return node

    # names must be defined before
    _visit_backward(function, Replace(), otherwise_all=False, calls=SHAPE_ONLY_CALLS, callers=callers)
    return function


# NumPy products whose shape a runtime helper computes from their operands' shapes
_PRODUCT_SHAPES = {"outer": "outer_shape", "kron": "kron_shape", "einsum": "einsum_shape",
                   "convolve": "convolve_shape", "correlate": "convolve_shape"}
PRODUCT_SHAPE_HELPERS = frozenset(_PRODUCT_SHAPES.values()) | {"matmul_shape"}


def product_shape(expr: gast.expr, np_alias: str) -> gast.Call | None:
    """``matmul_shape(a, b)`` for ``a @ b``, ``outer_shape(a, b)`` for ``np.outer(a, b)``
    (and ``kron``, ``einsum``, ``convolve``, ``correlate``), or None for anything else."""
    if isinstance(expr, gast.BinOp) and isinstance(expr.op, gast.MatMult):
        return S.call("matmul_shape", [expr.left, expr.right])
    if not (
        isinstance(expr, gast.Call) and isinstance(expr.func, gast.Attribute)
        and isinstance(expr.func.value, gast.Name) and expr.func.value.id == np_alias
        and expr.func.attr in _PRODUCT_SHAPES
        and not any(isinstance(a, gast.Starred) for a in expr.args)
    ):
        return None
    name, args = expr.func.attr, list(expr.args)
    keywords = {k.arg: k.value for k in expr.keywords}
    if name in ("outer", "kron"):
        if len(args) != 2 or keywords:
            return None
    elif name in ("convolve", "correlate"):
        mode = args[2] if len(args) > 2 else keywords.get(
            "mode", S.constant("full" if name == "convolve" else "valid"))
        if len(args) < 2 or set(keywords) - {"mode"}:
            return None
        args = args[:2] + [mode]
    elif set(keywords) - {"optimize"}:  # einsum: the contraction's order changes no shape
        return None
    return S.call(_PRODUCT_SHAPES[name], args)


def _uncopied(expr: gast.expr) -> gast.expr:
    """``v`` for ``v.copy()``: a sum is a new value anyway."""
    if (
        isinstance(expr, gast.Call) and isinstance(expr.func, gast.Attribute)
        and expr.func.attr == "copy" and not expr.args and not expr.keywords
    ):
        return expr.func.value
    return expr


def shape_giver(expr: gast.expr, classes: ShapeClasses) -> gast.expr:
    """The operand that gives ``expr`` its shape, where only the shape is read:
    ``0.05 * (wT @ w)`` → ``wT @ w``, as a number does not
    change an array's shape (nor a number's: both are shape ()); nor does an elementwise
    function (``np.log(L)`` → ``L``, ``t ** 2`` → ``t``), nor an operand that broadcasts
    into the other (``g / s`` → ``g`` where ``s`` has fewer axes)."""
    while True:
        if isinstance(expr, gast.UnaryOp) and isinstance(expr.op, (gast.USub, gast.UAdd)):
            expr = expr.operand
        elif isinstance(expr, gast.BinOp) and isinstance(expr.op, _ELEMENTWISE_OPS):
            if _shapeless(expr.left, classes) and not isinstance(expr.op, (gast.Div, gast.Pow)):
                expr = expr.right
            elif _shapeless(expr.right, classes):
                expr = expr.left
            elif (shape := classes.of(expr)) is not None and shape == classes.of(expr.left):
                expr = expr.left
            elif shape is not None and shape == classes.of(expr.right):
                expr = expr.right
            else:
                return expr
        elif (
            isinstance(expr, gast.Call) and len(expr.args) == 1 and not expr.keywords
            and (shape := classes.of(expr)) is not None and shape == classes.of(expr.args[0])
        ):  # an elementwise function of one array
            expr = expr.args[0]
        else:
            return expr


def _params(function: gast.FunctionDef) -> set[str]:
    return {a.id for a in function.args.args}


def assigned_at_top_level(function: gast.FunctionDef) -> set[str]:
    """Names a top-level ``name = ...`` binds: of the stable names, those still there to
    read (a temporary may have been inlined away)."""
    return {
        stmt.targets[0].id for stmt in function.body
        if stmt.__class__ is gast.Assign and stmt.targets[0].__class__ is gast.Name
    }


def shape_read_ids(body: list[gast.stmt], np_alias: str | None = None) -> set[int]:
    """The ids of the names ``body`` reads only for their shapes: ``unbroadcast(g, v)``'s
    ``v`` (``SHAPE_ONLY``), and ``np.shape(v)``'s with the module's NumPy alias given."""
    found: set[int] = set()
    for node in S.nodes_of(body, gast.Call):
        func = S.dotted_name(node.func) or ""
        position = 0 if np_alias and func == f"{np_alias}.shape" else SHAPE_ONLY.get(func)
        if position is not None and position < len(node.args) and isinstance(
            node.args[position], gast.Name
        ):
            found.add(id(node.args[position]))
    return found


def keep_shapes_only(function: gast.FunctionDef, np_alias: str) -> bool:
    """Push ``shape_of(v)`` instead of ``v`` when the backward sweep reads the restored
    ``v`` only for its shape (``unbroadcast(g, v)``): an RNN's tape then holds its
    states, not also every intermediate whose shape an adjoint needed.
    Returns whether any push changed (the caller imports ``shape_of``)."""
    body = function.body
    start = _backward_start(body, otherwise_all=False)
    pushes = [  # a push is an expression statement: found by `nodes_of`, not `walk`
        stmt for stmt in S.nodes_of(body[:start], gast.Expr)
        if is_push(stmt) and isinstance(stmt.value.args[0], gast.Name)
    ]
    candidates = {stmt.value.args[0].id for stmt in pushes}
    if not candidates:
        return False
    backward = body[start:]
    shape_reads = shape_read_ids(backward, np_alias)
    # a value read before the backward sweep first restores the name (`bx = g * 2 * x`
    # ahead of the loop that pops x) is the forward sweep's last value, not one the tape
    # keeps: only reads from the first restoring statement on count
    restored_from: dict[str, int] = {}
    for position, stmt in enumerate(backward):
        for popped in _restored(stmt) & candidates:
            restored_from.setdefault(popped, position)
    only_shapes = set(candidates)
    for position, stmt in enumerate(backward):
        for name in S.names(stmt):
            if (
                name.id in only_shapes and name.ctx.__class__ is gast.Load
                and id(name) not in shape_reads
                and position >= restored_from.get(name.id, 0)
            ):
                only_shapes.discard(name.id)
    changed = False
    for stmt in pushes:
        if stmt.value.args[0].id in only_shapes:
            stmt.value.args[0] = S.call("shape_of", [stmt.value.args[0]])
            changed = True
    return changed


def _restored(stmt: gast.stmt) -> set[str]:
    """The names ``stmt`` (at any depth) binds to a value popped from the tape."""
    return {
        node.targets[0].id for node in S.statements([stmt])
        if is_pop(node) and isinstance(node.targets[0], gast.Name)
    }


_ELEMENTWISE_OPS = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow)


def _spread(node: gast.AST, classes: ShapeClasses) -> bool:
    """``unreduce(g, x)`` over all axes, or with ``keepdims=True``: ``g`` is 0-d or has
    ``x``'s rank, so NumPy's broadcasting spreads it just as well. Over some axes, when
    ``g`` is a number: it is that number everywhere."""
    if not (
        isinstance(node, gast.Call) and isinstance(node.func, gast.Name)
        and node.func.id == "unreduce" and len(node.args) == 2
    ):
        return False
    keywords = {k.arg: k.value for k in node.keywords}
    axis, keepdims = keywords.get("axis"), keywords.get("keepdims")
    if axis is None or (isinstance(axis, gast.Constant) and axis.value is None):
        return True
    if isinstance(keepdims, gast.Constant) and keepdims.value is True:
        return True
    return _one_value(node.args[0], classes)


def _one_value(node: gast.expr, classes: ShapeClasses) -> bool:
    """A number or a 0-d array, or arithmetic of those: broadcasting spreads it anywhere."""
    if isinstance(node, gast.BinOp) and isinstance(node.op, _ELEMENTWISE_OPS):
        return _one_value(node.left, classes) and _one_value(node.right, classes)
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        return _one_value(node.operand, classes)
    return _number_like(node, classes) or classes.of(node) == ZERO_D


def _number_like(node: gast.expr, classes: ShapeClasses) -> bool:
    """A Python number: a literal, ``X.shape[0]``, or ``reduced_count(...)``."""
    if isinstance(node, gast.Call) and isinstance(node.func, gast.Name):
        return node.func.id == "reduced_count"
    return classes.of(node) == SCALAR


def _shapeless(node: gast.expr, classes: ShapeClasses) -> bool:
    """A number, or a value of shape () (``np.log(d).sum()``): either broadcasts into the
    other operand without changing its shape."""
    return _number_like(node, classes) or classes.of(node) == ZERO_D


def spread_implicitly(
    function: gast.FunctionDef, classes: ShapeClasses, callers: set[gast.stmt] | None = None
) -> bool:
    """Let NumPy broadcast a reduction's adjoint instead of materializing it.

    ``unreduce(g, d) * cos_x`` → ``g * cos_x`` when ``cos_x`` provably has ``d``'s
    shape (the product is as large as before, without an array of copies of ``g``);
    ``unreduce(g, t) / n`` → ``unreduce(g / n, t)`` for a number ``n`` (divide one
    number, not every element); and ``bd = unreduce(g, d)`` → ``bd = g`` when every
    read of ``bd`` is such a product. Runs last: ``bd`` no longer has the shape the
    shape classes record for it. Returns whether anything changed. ``callers``: see
    ``shape_only_callers``.
    """
    changed = False

    class Spread(S.Transformer):
        def visit_Call(self, node: gast.Call) -> gast.expr:
            nonlocal changed
            self.generic_visit(node)
            product = _spread_product(node, classes)
            if product is not None:
                changed = True
                node.args[0] = product
            return node

        def visit_BinOp(self, node: gast.BinOp) -> gast.expr:
            nonlocal changed
            self.generic_visit(node)
            if not isinstance(node.op, _ELEMENTWISE_OPS):
                return node
            if isinstance(node.op, (gast.Mult, gast.Div)) and _spread(node.left, classes) and _number_like(
                node.right, classes
            ):
                changed = True
                inner = node.left
                inner.args[0] = S.binop(inner.args[0], node.op, node.right)
                return inner
            if isinstance(node.op, gast.Mult) and _spread(node.right, classes) and _number_like(
                node.left, classes
            ):
                changed = True
                inner = node.right
                inner.args[0] = S.binop(node.left, node.op, inner.args[0])
                return inner
            for side, other in (("left", node.right), ("right", node.left)):
                operand = getattr(node, side)
                negated = operand.__class__ is gast.UnaryOp and operand.op.__class__ is gast.USub
                spread = operand.operand if negated else operand  # `-unreduce(g, x) * e` too
                if _spread(spread, classes) and _same_array_shape(spread.args[1], other, classes):
                    g = spread.args[0]
                    setattr(node, side, gast.UnaryOp(op=gast.USub(), operand=g) if negated else g)
                    changed = True
                    break
            return node

    # every rewrite above is of an `unreduce(...)` or of a product holding one
    _visit_backward(function, Spread(), calls=_UNREDUCE, callers=callers)
    return _spread_variables(function, classes) or changed


def _spread_product(node: gast.Call, classes: ShapeClasses) -> gast.expr | None:
    """``unbroadcast(unreduce(g, a * b) * a, b)`` → ``g * a`` as the first argument, the
    adjoint of ``b`` in ``sum(a * b)``: ``unbroadcast`` sums or spreads ``g * a`` to
    ``b``'s shape just as it would the product spread to ``a * b``'s shape (that
    shape is the broadcast of the two), so ``a * b`` is never computed for its shape.
    The same holds for any ``w`` in place of ``a * b`` whose shape is that broadcast."""
    if not (
        isinstance(node.func, gast.Name) and node.func.id == "unbroadcast"
        and len(node.args) == 2 and isinstance(node.args[0], gast.BinOp)
        and isinstance(node.args[0].op, gast.Mult)
    ):
        return None
    product, b = node.args
    for spread, a in ((product.left, product.right), (product.right, product.left)):
        if not (_spread(spread, classes) and spread.func.id == "unreduce"):
            continue
        whole = spread.args[1]
        if isinstance(whole, gast.BinOp) and isinstance(whole.op, _ELEMENTWISE_OPS) and (
            (S.same(whole.left, a) and S.same(whole.right, b))
            or (S.same(whole.left, b) and S.same(whole.right, a))
        ):
            return S.binop(spread.args[0], gast.Mult(), a)
        if _is_broadcast_of(whole, a, b, classes):
            return S.binop(spread.args[0], gast.Mult(), a)
    return None


def _is_broadcast_of(whole: gast.expr, a: gast.expr, b: gast.expr, classes: ShapeClasses) -> bool:
    """Whether ``whole`` provably has the shape ``a`` and ``b`` broadcast to."""
    shape = classes.of(whole)
    return shape is not None and shape == classes.combine(classes.of(a), classes.of(b))


def _same_array_shape(a: gast.expr, b: gast.expr, classes: ShapeClasses) -> bool:
    shape = classes.of(a)
    return shape is not None and shape != SCALAR and classes.of(b) == shape


def _spread_variables(function: gast.FunctionDef, classes: ShapeClasses) -> bool:
    definitions: dict[str, list[gast.Assign]] = {}
    for stmt in S.statements(function.body):
        if (
            isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Name) and _spread(stmt.value, classes)
        ):
            definitions.setdefault(stmt.targets[0].id, []).append(stmt)
    if not definitions:
        return False
    # One walk of every statement (of a compound one, its header: its blocks come as
    # statements of their own) counts the stores of those names and finds their reads.
    stores: dict[str, int] = {}
    pieces: list[tuple[gast.AST, list[gast.Name]]] = []  # the header or statement, its reads
    for stmt in S.statements(function.body):
        if isinstance(stmt, (gast.If, gast.While)):
            stmt = stmt.test
        elif isinstance(stmt, gast.For):
            for node in S.names(stmt.target):
                if node.ctx.__class__ is not gast.Load and node.id in definitions:
                    stores[node.id] = stores.get(node.id, 0) + 1
            stmt = stmt.iter
        found = []
        for node in S.names(stmt):
            if node.id in definitions:
                if node.ctx.__class__ is not gast.Load:
                    stores[node.id] = stores.get(node.id, 0) + 1
                else:
                    found.append(node)
        if found:
            pieces.append((stmt, found))
    candidates = {
        name: assigns[0] for name, assigns in definitions.items()
        if len(assigns) == 1 and stores.get(name) == 1
    }
    if not candidates:
        return False
    # Every read must meet, through signs and products with numbers, an elementwise
    # operation whose other side has the shape.
    for stmt, found in pieces:
        reads = [n for n in found if n.id in candidates]
        if not reads:
            continue
        parents: dict[int, gast.AST] = {}
        for node in S.walk(stmt):
            for value in node.__dict__.values():
                if isinstance(value, gast.AST):
                    parents[id(value)] = node
                elif value.__class__ is list:
                    for item in value:
                        parents[id(item)] = node
        for node in reads:
            if node.id not in candidates:
                continue
            g, x = candidates[node.id].value.args
            if _respread(node, g, parents, classes):
                continue
            if not _meets_shape(node, x, parents, classes, candidates):
                del candidates[node.id]
    for name, assign in candidates.items():
        assign.value = assign.value.args[0]
        classes.spread[name] = classes.of(assign.value)
    return bool(candidates)




def _respread(node: gast.AST, g: gast.expr, parents: dict, classes: ShapeClasses) -> bool:
    """Whether the read ``node`` of a number ``g`` spread out is spread again over a larger
    shape (``unreduce(bm, t, axis=0)``): spreading the number itself gives the same."""
    parent = parents.get(id(node))
    return (
        isinstance(parent, gast.Call) and isinstance(parent.func, gast.Name)
        and parent.func.id == "unreduce" and parent.args and parent.args[0] is node
        and _one_value(g, classes)
    )


def _meets_shape(
    node: gast.AST, x: gast.expr, parents: dict, classes: ShapeClasses, candidates: dict
) -> bool:
    """Whether the read ``node`` is combined elementwise with arrays that together have
    at least ``x``'s shape (then a number in its place broadcasts to the same result),
    or summed down by an ``unbroadcast`` to a shape that covers the rest.
    ``candidates`` may all become numbers, so they do not count as arrays."""
    target = classes.of(x)
    if target is None or target == SCALAR:
        return False
    met: frozenset = frozenset()
    while True:
        parent = parents.get(id(node))
        if isinstance(parent, gast.UnaryOp) and isinstance(parent.op, (gast.USub, gast.UAdd)):
            node = parent
            continue
        if not (isinstance(parent, gast.BinOp) and isinstance(parent.op, _ELEMENTWISE_OPS)):
            return False
        other = parent.right if parent.left is node else parent.left
        if any(name.id in candidates for name in S.names(other)):
            return False
        shape = classes.of(other)
        if shape is None:
            return False
        if shape != SCALAR:
            met = met | shape
        if target <= met:
            return True
        summed = parents.get(id(parent))
        if (
            isinstance(summed, gast.Call) and isinstance(summed.func, gast.Name)
            and summed.func.id == "unbroadcast" and len(summed.args) == 2
            and summed.args[0] is parent
        ):
            to = classes.of(summed.args[1])
            # as in `_spread_product`: every axis only x had, the sum keeps or spreads
            return to is not None and to != SCALAR and target <= met | to
        node = parent
