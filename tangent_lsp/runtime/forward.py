"""Helpers of forward-mode derivatives (tangents)."""

from __future__ import annotations

import numpy as np

from ._base import _float
from .containers import zeros_like

_FLOATS = (float, np.float64)

#
# Helpers that forward-mode rules (``rules/numpy_tangents.py``, ``rules/python_tangents.py``)
# call. ``t`` is a tangent: it has its value's shape and a floating dtype. Where a rule
# has a tangent for only some arguments the engine passes a literal ``0.0`` for the others
# (also inside tuples: ``(dx, 0.0)``); these helpers accept that.


def _absent(t):
    """Whether ``t`` is a 0-d zero, such as the literal ``0.0`` the engine passes for "no tangent"."""
    return not isinstance(t, (list, tuple)) and np.ndim(t) == 0 and not np.any(t)


def _each_tangent(ts, count):
    """The tangents of ``count`` items: ``ts`` itself, or ``count`` zeros when the engine
    passed one literal ``0.0`` for a whole tuple whose items carry no tangent."""
    return [0.0] * count if _absent(ts) else ts


def joined_tangents(ta, tb, a, b):
    """The tangent of ``a + b`` for lists or tuples: each side's tangents (zeros for a side
    that has none), joined into a list or tuple as the values are."""
    return _tangents_of_items(ta, a) + _tangents_of_items(tb, b)


def _tangents_of_items(t, items):
    if _absent(t):  # a zero of each item's kind: an array's shape, a dict's keys
        t = [zeros_like(item) for item in items]
    return list(t) if isinstance(items, list) else tuple(t)


def broadcast_like(t, y):
    """The tangent ``t`` spread out to ``np.shape(y)``: the tangent of implicit broadcasting.

    ``y = x + c`` with ``x`` of shape (4,) and a constant ``c`` of shape (3, 4) has
    the tangent ``dx`` repeated over 3 rows; whether ``c`` broadcast is only known
    at run time. When ``t`` already has ``y``'s shape it is returned as it is (made
    float), not copied; a spread-out tangent is a fresh, writable array. A 0-d
    result is a NumPy scalar.
    """
    if type(y) in _FLOATS and type(t) in _FLOATS:  # a number's, in a loop over numbers
        return t
    t = _float(t)
    shape = np.shape(y)
    if t.shape != shape:
        t = np.broadcast_to(t, shape).copy()
    return t[()] if t.ndim == 0 else t


def tangents_like(t, x):
    """The tangents ``t`` of the values ``x`` (a list/tuple, maybe nested, or one value),
    each with its value's shape, as nested tuples for lists and tuples.

    ``np.concatenate((a, W))`` with a constant ``W`` gets the tangents ``(da, 0.0)``:
    the zero becomes ``zeros`` shaped like ``W``. A single ``0.0`` for a whole list is
    spread over its elements. When ``t`` is a tuple literal without a literal zero
    this is only a conversion to float, which the engine may leave out.
    """
    if isinstance(x, (list, tuple)):
        if not isinstance(t, (list, tuple, np.ndarray)):
            t = [t] * len(x)
        return tuple(tangents_like(ti, xi) for ti, xi in zip(t, x, strict=True))
    return broadcast_like(t, x)


def copied(t):
    """The tangent of ``y = v.copy()``, where ``v`` may be an array, a list or a dict:
    ``t.copy()``, or ``t`` itself for a number (``np.copy`` would turn a dict into an
    object array). Also a copy of an adjoint before it is written into, which may be a
    list or tuple (a list then, of copies: `bx[0] += g` must not write into elements
    another adjoint shares) or a dict."""
    if type(t) in (list, tuple):
        return [copied(e) for e in t]
    if type(t) is dict:
        return {key: copied(value) for key, value in t.items()}
    return t.copy() if hasattr(t, "copy") else t


def sum_tangents(ts):
    """Tangent of the builtin ``sum(iterable)`` (``start`` aside): the sum of the
    elements' tangents, added with ``+`` (broadcasting), an array summed over axis 0."""
    if isinstance(ts, np.ndarray):
        return ts.sum(axis=0)
    if _absent(ts):
        return 0.0
    total = 0.0
    for t in ts:
        total = total + t
    return total


def pick_tangent(y, first, rest, t_first, t_rest):
    """Tangent of ``y = max(first, *rest)`` or ``min(...)`` (builtins): the tangent of the
    first item equal to ``y`` (the one Python returns), shaped like ``y``.

    With no ``rest``, ``first`` is the iterable (a list, a tuple or a 1-D array) and
    ``t_first`` the tangents of its items. A literal ``0.0`` stands for zero tangents.
    """
    if isinstance(first, np.ndarray) and not rest:
        return broadcast_like(broadcast_like(t_first, first)[np.argmax(first == y)], y)
    if rest:
        items = (first,) + tuple(rest)
        if not isinstance(t_rest, (list, tuple)):
            t_rest = [t_rest] * len(rest)
        tangents = (t_first,) + tuple(t_rest)
    else:
        items = tuple(first)
        many = isinstance(t_first, (list, tuple, np.ndarray))
        tangents = t_first if many else [t_first] * len(items)
    hit = next(i for i, item in enumerate(items) if np.all(item == y))
    return broadcast_like(tangents[hit], y)


def reshape_tangents(ts, arys, y):
    """Tangent of ``y = np.atleast_Nd(*arys)`` for the tangents ``ts`` of ``arys`` (a literal
    ``0.0`` for a constant): each reshaped like its result, one array for one input and a
    list for several, as NumPy returns ``y``."""
    outputs = [y] if len(arys) == 1 else list(y)
    shaped = [
        np.reshape(np.zeros(np.shape(a)) if _absent(t) else _float(t), np.shape(out))
        for t, a, out in zip(_each_tangent(ts, len(arys)), arys, outputs, strict=True)
    ]
    return shaped[0] if len(arys) == 1 else shaped


def einsum_tangent(y, subscripts, operands, tangents, optimize=False):
    """Tangent of ``y = np.einsum(subscripts, *operands)``: einsum is linear in each
    operand, so the tangent is the sum over operands of the same einsum with that
    operand replaced by its tangent. Zero tangents (a literal ``0.0``) are skipped.
    ``optimize``: the call's (a contraction order; without one, three operands or more
    contract in the order written)."""
    if not isinstance(subscripts, str):  # (operand, [axes], ...): operands and labels mixed
        raise NotImplementedError("einsum's interleaved (operand, sublist) form has no tangent")
    total = None
    for i, t in enumerate(_each_tangent(tangents, len(operands))):
        if _absent(t):
            continue
        term = np.einsum(subscripts, *operands[:i], broadcast_like(t, operands[i]),
                         *operands[i + 1:], optimize=optimize)
        total = term if total is None else total + term
    return broadcast_like(0.0 if total is None else total, y)


def solve_tangent(a, b, x, da, db):
    """Tangent of ``x = np.linalg.solve(a, b)``: ``solve(a, db - da @ x)``.

    ``x`` is read as NumPy reads ``b``: a vector when ``b`` is 1-D (NumPy 2 rule,
    batch-broadcast against ``a``), else a stack of matrices. Either tangent may
    be a literal ``0.0``.
    """
    vector = np.ndim(b) == 1
    xm = np.asarray(x)[..., None] if vector else np.asarray(x)
    rhs = 0.0 if _absent(db) else (_float(db)[..., None] if vector else _float(db))
    if not _absent(da):
        rhs = rhs - _float(da) @ xm
    rhs = np.broadcast_to(rhs, np.broadcast_shapes(np.shape(rhs), np.shape(xm)))
    dx = np.linalg.solve(a, rhs)
    return dx[..., 0] if vector else dx


def at_samples(tangent, y, axis=0):
    """A tangent of ``np.linspace``'s start or stop, with the axes of its result ``y``: its
    own axes aligned on the right of the others (as they broadcast), then the axis of
    the samples inserted at ``axis``."""
    missing = np.ndim(y) - 1 - np.ndim(tangent)
    if missing > 0:
        tangent = np.reshape(tangent, (1,) * missing + np.shape(tangent))
    return np.expand_dims(tangent, axis)
