"""Reductions of values known to be arrays, called as methods: ``np.sum(e)`` → ``e.sum()``.

NumPy's function forms dispatch (``__array_function__``, ``_wrapreduction``) before they
reduce: on a vector of 100 floats ``np.sum(e)`` executes about twice the instructions of
``e.sum()``, which at small sizes is a visible share of a gradient. The method form is
only right where the value is an array or a NumPy scalar (a list has no ``.sum``), so
the rewrite is limited to values the generated code itself computed with NumPy: the
result of a NumPy function or ufunc, a reduction method of such a value (``e.sum()``),
arithmetic with such a value on the left (or on the right of a number or of the seed,
which are numbers or arrays: ``bf / e.sum() * e``), its negation or transpose, and names
every assignment of which is one of those.
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

_REDUCTION_METHODS = frozenset(_METHODS.values())

# NumPy functions whose result is an array or a NumPy scalar whatever they are given
# (not ``divmod``/``frexp``/``modf``, ufuncs with two results, nor ``where(c)``: tuples)
# (`vars`, not `dir`: `getattr` of every name `dir` lists imports numpy.testing, f2py and
# ma, a fifth of importing tangent_lsp; ufuncs are all bound when numpy is imported)
_ARRAY_FUNCTIONS = frozenset(
    name for name, value in vars(numpy).items()
    if isinstance(value, numpy.ufunc) and value.nout == 1
) | frozenset(_METHODS) | frozenset((
    "dot", "matmul", "outer", "clip", "zeros", "ones", "empty", "full",
    "zeros_like", "ones_like", "empty_like", "full_like", "asarray", "array",
))

def reductions_as_methods(
    function: gast.FunctionDef, np_alias: str, seed: str = ""
) -> gast.FunctionDef:
    """Rewrite ``np.sum(e, ...)`` (and mean, prod, max, min) as ``e.sum(...)`` where ``e``
    is an array by construction. ``seed``: the parameter that holds the gradient of the
    result (a number or an array)."""
    reductions = [
        node for node in S.nodes_of(function, gast.Call)
        if isinstance(node.func, gast.Attribute) and isinstance(node.func.value, gast.Name)
        and node.func.value.id == np_alias and node.func.attr in _METHODS and node.args
        and not any(isinstance(a, gast.Starred) for a in node.args)
    ]
    if not reductions:
        return function
    numbers = frozenset((seed,)) if seed else frozenset()
    arrays = _array_names(function, np_alias, numbers)
    # decided first, rewritten after: a rewritten inner reduction is no longer np.<name>
    chosen = [node for node in reductions if _array(node.args[0], arrays, np_alias, numbers)]
    for node in chosen:
        method = _METHODS[node.func.attr]
        node.func = S.attribute(node.args[0], method)
        node.args = node.args[1:]
    return function


def _array_names(function: gast.FunctionDef, np_alias: str, numbers: frozenset[str]) -> set[str]:
    """Names that hold an array (or a NumPy scalar) wherever they are read: every
    assignment gives one. Grown from nothing, so a name feeding only itself stays out."""
    needs: dict[str, set[str]] = {}  # name → the names its values are arrays if arrays are
    never: set[str] = {a.id for a in function.args.args}
    followed: set[int] = set()  # the Name nodes assigned as above, or by ``a += e``
    for node in S.walk(function):
        if isinstance(node, gast.Assign) and len(node.targets) == 1 and isinstance(
            node.targets[0], gast.Name
        ):
            name = node.targets[0].id
            followed.add(id(node.targets[0]))
            value = _needs(node.value, np_alias, numbers)
            if value is None:
                never.add(name)
            else:
                needs.setdefault(name, set()).update(value)
        elif isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
            followed.add(id(node.target))  # ``a += e`` keeps an array an array
    never.update(  # unpacked, loop variables, deleted: not followed
        node.id for node in S.walk(function)
        if isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load)
        and id(node) not in followed
    )
    pending = {name: deps for name, deps in needs.items() if name not in never}
    arrays: set[str] = set()
    while pending:
        ready = [name for name, deps in pending.items() if deps <= arrays]
        if not ready:
            break
        for name in ready:
            arrays.add(name)
            del pending[name]
    return arrays


def _array(node: gast.expr, arrays: set[str], np_alias: str, numbers: frozenset[str]) -> bool:
    needs = _needs(node, np_alias, numbers)
    return needs is not None and needs <= arrays


def _needs(node: gast.expr, np_alias: str, numbers: frozenset[str]) -> frozenset[str] | None:
    """The names that must hold arrays for ``node`` to be one; None if it may not be one
    whatever they hold. ``numbers``: names that hold a number or an array."""
    if isinstance(node, gast.Name):
        return frozenset((node.id,))
    if isinstance(node, gast.Call):
        func = node.func
        if not isinstance(func, gast.Attribute):
            return None
        if isinstance(func.value, gast.Name) and func.value.id == np_alias:
            return frozenset() if func.attr in _ARRAY_FUNCTIONS else None
        if func.attr in _REDUCTION_METHODS:  # an array's (or NumPy scalar's) reduction
            return _needs(func.value, np_alias, numbers)
        return None
    if isinstance(node, gast.BinOp):
        # the left operand decides (``ndarray.__mul__``); a number on the left defers to
        # the array on the right. A list or a string on the left would not.
        left = node.left
        number = S.number_literal(left) is not None or (
            left.__class__ is gast.Name and left.id in numbers
        )
        return _needs(node.right if number else left, np_alias, numbers)
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        return _needs(node.operand, np_alias, numbers)
    if isinstance(node, gast.Attribute) and node.attr == "T":
        return _needs(node.value, np_alias, numbers)
    return None
