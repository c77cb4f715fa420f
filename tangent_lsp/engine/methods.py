"""Reductions of values known to be arrays, called as methods: ``np.sum(e)`` → ``e.sum()``.

NumPy's function forms dispatch (``__array_function__``, ``_wrapreduction``) before they
reduce: on a vector of 100 floats ``np.sum(e)`` executes about twice the instructions of
``e.sum()``, which at small sizes is a visible share of a gradient. The method form is
only right where the value is an array or a NumPy scalar (a list has no ``.sum``), so
the rewrite is limited to values the generated code itself computed with NumPy: the
result of a NumPy function or ufunc, arithmetic with such a value on the left, its
negation or transpose, and names every assignment of which is one of those.
"""

from __future__ import annotations

import gast
import numpy

from . import syntax as S

# function → method of the same parameters after the array (``np.sum(a, axis, dtype,
# out, keepdims)`` and ``a.sum(axis, dtype, out, keepdims)``)
_METHODS = {
    "sum": "sum", "mean": "mean", "prod": "prod",
    "max": "max", "amax": "max", "min": "min", "amin": "min",
}

# NumPy functions whose result is an array or a NumPy scalar whatever they are given
_ARRAY_FUNCTIONS = frozenset(
    name for name in dir(numpy) if isinstance(getattr(numpy, name), numpy.ufunc)
) | frozenset(_METHODS) | frozenset((
    "dot", "matmul", "outer", "where", "clip", "zeros", "ones", "empty", "full",
    "zeros_like", "ones_like", "empty_like", "full_like", "asarray", "array",
))

_NUMBER_TYPES = (int, float)


def reductions_as_methods(function: gast.FunctionDef, np_alias: str) -> gast.FunctionDef:
    """Rewrite ``np.sum(e, ...)`` (and mean, prod, max, min) as ``e.sum(...)`` where ``e``
    is an array by construction."""
    arrays = _array_names(function, np_alias)
    _Rewrite(np_alias, arrays).visit(function)
    return function


def _array_names(function: gast.FunctionDef, np_alias: str) -> set[str]:
    """Names that hold an array (or a NumPy scalar) wherever they are read: every
    assignment gives one. Grown from nothing, so a name feeding only itself stays out."""
    values: dict[str, list[gast.expr]] = {}
    followed: set[int] = set()  # the Name nodes assigned as above, or by ``a += e``
    for node in S.walk(function):
        if isinstance(node, gast.Assign) and len(node.targets) == 1 and isinstance(
            node.targets[0], gast.Name
        ):
            values.setdefault(node.targets[0].id, []).append(node.value)
            followed.add(id(node.targets[0]))
        elif isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
            followed.add(id(node.target))  # ``a += e`` keeps an array an array
    excluded = {a.id for a in function.args.args} | {  # unpacked, loop variables, deleted
        node.id for node in S.walk(function)
        if isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load)
        and id(node) not in followed
    }
    candidates = {name: exprs for name, exprs in values.items() if name not in excluded}
    arrays: set[str] = set()
    grown = True
    while grown:
        grown = False
        for name, exprs in candidates.items():
            if name not in arrays and all(_is_array(e, arrays, np_alias) for e in exprs):
                arrays.add(name)
                grown = True
    return arrays


def _is_array(node: gast.expr, arrays: set[str], np_alias: str) -> bool:
    if isinstance(node, gast.Name):
        return node.id in arrays
    if isinstance(node, gast.Call):
        func = node.func
        return (
            isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)
            and func.value.id == np_alias and func.attr in _ARRAY_FUNCTIONS
        )
    if isinstance(node, gast.BinOp):
        # the left operand decides (``ndarray.__mul__``); a number on the left defers to
        # the array on the right. A list or a string on the left would not.
        if _is_array(node.left, arrays, np_alias):
            return True
        return _is_number(node.left) and _is_array(node.right, arrays, np_alias)
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        return _is_array(node.operand, arrays, np_alias)
    if isinstance(node, gast.Attribute) and node.attr == "T":
        return _is_array(node.value, arrays, np_alias)
    return False


def _is_number(node: gast.expr) -> bool:
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        node = node.operand
    return isinstance(node, gast.Constant) and type(node.value) in _NUMBER_TYPES


class _Rewrite(S.Transformer):
    def __init__(self, np_alias: str, arrays: set[str]) -> None:
        self.np, self.arrays = np_alias, arrays

    def visit_Call(self, node: gast.Call) -> gast.expr:
        self.generic_visit(node)
        func = node.func
        if not (
            isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)
            and func.value.id == self.np and func.attr in _METHODS and node.args
            and not any(isinstance(a, gast.Starred) for a in node.args)
            and _is_array(node.args[0], self.arrays, self.np)
        ):
            return node
        method = S.attribute(node.args[0], _METHODS[func.attr])
        return gast.Call(func=method, args=node.args[1:], keywords=node.keywords)
