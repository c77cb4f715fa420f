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

# NumPy functions that may return a view of their argument
_VIEW_FUNCTIONS = frozenset(
    "reshape transpose ravel swapaxes moveaxis squeeze expand_dims diagonal broadcast_to "
    "atleast_1d atleast_2d atleast_3d asarray real imag split array_split matrix_transpose "
    "permute_dims flip fliplr flipud rot90".split()
)
# Calls that read only the shapes of these arguments (positions; None: all of them)
_SHAPE_READS = {
    "unbroadcast": (1,), "unreduce": (1,), "reduced_count": None, "matmul_shape": None,
    "shape_of": None, "shape": None, "ndim": None, "zeros_like": None,
}
_SHAPE_ATTRIBUTES = frozenset(("shape", "ndim", "size", "dtype"))


def views_of(body: list[gast.stmt]) -> dict[str, set[str]]:
    """For each array, the variables that may be views of it, directly or through other
    views (``t = B.T; c = t[0]``: both view ``B``)."""
    direct: dict[str, set[str]] = {}
    for stmt in S.statements(body):
        if stmt.__class__ is gast.Assign and stmt.targets[0].__class__ is gast.Name:
            for base in _viewed_by(stmt.value):
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


def _viewed_by(value: gast.expr) -> list[str]:
    """The arrays ``value`` may be a view of."""
    cls = value.__class__
    if cls in (gast.Subscript, gast.Attribute) and value.value.__class__ is gast.Name:
        return [value.value.id]  # x[...], x.T, x.real
    if cls is gast.Call and value.func.__class__ is gast.Attribute:
        func = value.func
        if func.value.__class__ is gast.Name and func.attr != "copy" and not _is_module(func):
            return [func.value.id]  # a method: x.reshape(...), x.transpose()
        if func.attr in _VIEW_FUNCTIONS:
            return [arg.id for arg in value.args if arg.__class__ is gast.Name]
    return []


def _is_module(func: gast.Attribute) -> bool:
    return func.value.id in ("np", "numpy")


def value_reads(node: gast.AST) -> set[str]:
    """Names ``node`` reads for their values: not those it reads only for their shape."""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        cls = item.__class__
        if cls is list:
            stack.extend(item)
        elif cls is gast.Name:
            if item.ctx.__class__ is gast.Load:
                found.add(item.id)
        elif cls is gast.Attribute and item.attr in _SHAPE_ATTRIBUTES:
            continue
        elif cls is gast.Call:
            name = (S.dotted_name(item.func) or "").rsplit(".", 1)[-1]
            positions = _SHAPE_READS.get(name, ())
            if positions is None:
                continue
            stack.append(item.func)
            stack.extend(a for i, a in enumerate(item.args) if i not in positions)
            stack.extend(k.value for k in item.keywords)
        elif cls not in (gast.Constant,) and isinstance(item, gast.AST):
            stack.extend(child for child in gast.iter_child_nodes(item))
    return found


def value_live(name: str) -> str:
    """The marker, in a set of live names, that ``name``'s values (not only its shape) are
    read later."""
    return "@" + name
