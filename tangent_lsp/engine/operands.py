"""NumPy reads a list where it wants an array: ``np.multiply([x, y], 2.0)`` multiplies
the array ``np.array([x, y])``, where Python's ``*`` would repeat a list. The engine
gives lists (and their tangents) list semantics, so this pass says what NumPy does:
each list literal or comprehension in an array operand of a NumPy function becomes
``np.array(...)``, before comprehensions are expanded into loops."""

from __future__ import annotations

import gast
import numpy

from . import syntax as S
from .resolve import Resolver

# NumPy functions that read a list argument as a sequence of arrays (or of indices and
# shapes), not as one array: their list arguments stay lists
TAKE_SEQUENCES = frozenset(f"numpy.{name}" for name in (
    "array", "asarray", "asanyarray", "concatenate", "concat", "stack", "vstack", "hstack",
    "dstack", "column_stack", "row_stack", "block", "einsum", "split", "array_split",
    "meshgrid", "broadcast_arrays", "atleast_1d", "atleast_2d", "atleast_3d",
    "linalg.multi_dot", "unstack",
    # a shape first: `np.ones((T, T))` stays as written
    "zeros", "ones", "empty", "full", "indices", "tri",
))


def lists_as_arrays(body: list[gast.stmt], resolver: Resolver, local_names: set[str]) -> None:
    """Wrap, in place, the lists NumPy calls in ``body`` read as arrays."""
    alias = resolver.numpy_alias()
    if not alias:
        return
    for call in S.nodes_of(body, gast.Call):
        path = S.dotted_name(call.func)
        if path is None or path.split(".")[0] in local_names:
            continue
        qualname = resolver.qualname(call.func)
        if not qualname or not qualname.startswith("numpy.") or qualname in TAKE_SEQUENCES:
            continue
        for index in range(min(_array_operands(qualname), len(call.args))):
            call.args[index] = _as_array(call.args[index], alias)


def _array_operands(qualname: str) -> int:
    """How many leading positional arguments of a NumPy function are arrays: all the
    inputs of a ufunc, else the first (later ones are often axes or shapes, which a list
    must stay)."""
    target = numpy
    for part in qualname.split(".")[1:]:
        target = getattr(target, part, None)
    return target.nin if isinstance(target, numpy.ufunc) else 1


def _as_array(arg: gast.expr, alias: str) -> gast.expr:
    """``[x, y]`` → ``np.array([x, y])``, also ``[2.0, 3.0]`` and ``[v * 2 for v in x]``."""
    if isinstance(arg, (gast.List, gast.Tuple)):
        if any(isinstance(e, gast.Starred) for e in arg.elts):
            return arg
    elif not isinstance(arg, gast.ListComp):
        return arg
    call = S.call(S.attribute(S.name(alias), "array"), [arg])
    return gast.copy_location(call, arg)
