"""Which variables may be views of which arrays, and which reads need an array's values.

``B_i = B[:, j]`` makes ``B_i`` a view of ``B``: writing ``B[:, j] = ...`` afterwards
changes what ``B_i`` holds, even when ``B`` itself is never read again. Generated code
relies on this where the tape restores a column in place and a view of it is read later.
Dead-code elimination therefore keeps an in-place write into an array while a view of
that array is still read for its values. A read for the shape alone
(``unbroadcast(g, B_i)``) does not count: writing in place never changes a shape.
"""

from __future__ import annotations

import gast

from . import syntax as S

# NumPy functions (and ndarray methods) that may return a view of their argument
VIEW_FUNCTIONS = frozenset(
    "reshape transpose ravel swapaxes moveaxis squeeze expand_dims diagonal broadcast_to "
    "atleast_1d atleast_2d atleast_3d asarray real imag split array_split matrix_transpose "
    "permute_dims flip fliplr flipud rot90 sliding_window_view ascontiguousarray "
    "asfortranarray asanyarray asarray_chkfinite require hsplit vsplit dsplit rollaxis "
    "unstack".split()
)
# ... and those that do when told not to copy (``h.astype(np.float64, copy=False)``)
NO_COPY_VIEWS = frozenset(("array", "astype"))


def told_not_to_copy(call: gast.Call) -> bool:
    """``copy=False`` (or NumPy 2's ``copy=None``: only if needed) among the keywords."""
    return any(
        k.arg == "copy" and k.value.__class__ is gast.Constant and k.value.value in (False, None)
        for k in call.keywords
    )
# Runtime helpers that may return their first argument itself, or a view of it
# (``unbroadcast(g, x)`` is ``g`` when nothing broadcast)
ARGUMENT_RETURNING = frozenset(
    "unbroadcast unreduce untranspose transpose_by broadcast_like tangents_like reshape_each "
    "split_like unstack".split()
)
# Calls that read only the shapes of these arguments (positions; None: all of them)
_SHAPE_READS = {
    "unbroadcast": (1,), "unreduce": (1,), "undiagonal": (1,), "reduced_count": None,
    "matmul_shape": None,
    "outer_shape": None, "kron_shape": None, "einsum_shape": None, "convolve_shape": None,
    "broadcast_shape": None,
    "shape_of": None, "shape": None, "ndim": None, "zeros_like": None,
}
_SHAPE_ATTRIBUTES = frozenset(("shape", "ndim", "size", "dtype"))


def views_of(body: list[gast.stmt]) -> dict[str, set[str]]:
    """For each array, the variables that may be views of it, directly or through other
    views (``t = B.T; c = t[0]``: both view ``B``), and the lists and tuples that hold it
    or its views (``rs = [Y[0]]``: a write into ``Y`` changes what ``rs[0]`` reads)."""
    direct: dict[str, set[str]] = {}
    for stmt in S.statements(body):
        if stmt.__class__ is gast.Assign and stmt.targets[0].__class__ is gast.Name:
            for base in _held_or_viewed(stmt.value):
                direct.setdefault(base, set()).add(stmt.targets[0].id)
    closed: dict[str, set[str]] = {}
    for base in direct:
        seen: set[str] = set()
        stack = list(direct[base])
        while stack:
            name = stack.pop()
            if name not in seen:
                seen.add(name)
                stack.extend(direct.get(name, ()))
        closed[base] = seen
    return closed


def _held_or_viewed(value: gast.expr) -> list[str]:
    if value.__class__ is gast.List or value.__class__ is gast.Tuple:
        return [base for element in value.elts for base in (
            [element.id] if element.__class__ is gast.Name else _held_or_viewed(element))]
    return viewed_by(value)


def viewed_by(value: gast.expr) -> list[str]:
    """The arrays ``value`` may be a view of."""
    cls = value.__class__
    if cls in (gast.Subscript, gast.Attribute) and value.value.__class__ is gast.Name:
        return [value.value.id]  # x[...], x.T, x.real
    if cls is gast.Call and value.func.__class__ is gast.Name:
        first = value.args[0] if value.args else None
        if value.func.id in ARGUMENT_RETURNING and first.__class__ is gast.Name:
            return [first.id]
        return []
    if cls is gast.Call and value.func.__class__ is gast.Attribute:
        func = value.func
        if func.attr not in VIEW_FUNCTIONS and func.attr != "view" and not (
            func.attr in NO_COPY_VIEWS and told_not_to_copy(value)
        ):
            return []  # x.copy(), xs.pop(), np.sin(x): a new object
        if func.value.__class__ is gast.Name and not _is_module(func):
            return [func.value.id]  # a method: x.reshape(...), x.transpose()
        return [arg.id for arg in value.args if arg.__class__ is gast.Name]
    return []


def _is_module(func: gast.Attribute) -> bool:
    return func.value.id in ("np", "numpy")


def value_reads(node: gast.AST) -> set[str]:
    """Names ``node`` reads for their values: not those it reads only for their shape.

    One walk that does not enter the subtrees read only for their shape (the arguments
    ``_SHAPE_READS`` names, the value of ``x.shape``); asked of every operation by the
    view checks, it was two walks and a set of the nodes inside those subtrees."""
    if node.__class__ is gast.Name:
        return {node.id} if node.ctx.__class__ is gast.Load else set()
    reads: set[str] = set()
    children = S.CHILD_FIELDS
    stack = [node]
    while stack:
        item = stack.pop()
        cls = item.__class__
        if cls is list:
            stack.extend(item)
            continue
        if cls is gast.Name:  # as `names`: a parameter's annotation is not read
            if item.ctx.__class__ is gast.Load:
                reads.add(item.id)
            continue
        if cls is gast.Attribute and item.attr in _SHAPE_ATTRIBUTES:
            continue  # x.shape: x's shape only
        fields = children.get(cls)
        if not fields:
            continue
        values = item.__dict__
        if cls is gast.Call:
            name = (S.dotted_name(item.func) or "").rsplit(".", 1)[-1]
            positions = _SHAPE_READS.get(name, ())
            if positions:  # these arguments for their shapes only, the others for values
                stack.extend(a for i, a in enumerate(item.args) if i not in positions)
            elif positions is not None:
                stack.extend(item.args)
            stack.append(item.func)
            stack.extend(item.keywords)
            continue
        for field in fields:
            value = values.get(field)
            if value is not None:
                stack.append(value)
    return reads


def value_live(name: str) -> str:
    """The marker, in a set of live names, that ``name``'s values (not only its shape) are
    read later."""
    return "@" + name


def backward_value_reads(function: gast.FunctionDef) -> set[str]:
    """The forward sweep's variables the backward sweep reads for their values: read
    there, and not assigned there (a value popped from a tape is assigned)."""
    body = function.body
    start = next((i for i, stmt in enumerate(body) if S.is_boundary(stmt)), len(body))
    backward = body[start:]
    reads: set[str] = set()
    for stmt in S.statements(backward):
        if isinstance(stmt, (gast.If, gast.While)):
            reads |= value_reads(stmt.test)
        elif isinstance(stmt, gast.For):
            reads |= value_reads(stmt.iter)
        elif not isinstance(stmt, (gast.Try, gast.With)):
            reads |= value_reads(stmt)
    return reads - S.bound_names(backward)
