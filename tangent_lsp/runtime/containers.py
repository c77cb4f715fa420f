"""Adjoints of lists, tuples and dicts of arrays."""

from __future__ import annotations

import numpy as np

from ._base import _NUMBERS


def zeros_like(x):
    """The zero adjoint of a value: float zeros for arrays and numbers, and a list
    (or dict) of those for a list, tuple (or dict) of values; ``0.0`` for a number (a
    float's gradient is a float)."""
    if type(x) in _NUMBERS:
        return 0.0
    if isinstance(x, dict):
        return {key: zeros_like(value) for key, value in x.items()}
    if isinstance(x, (list, tuple)):
        return [zeros_like(value) for value in x]
    return np.zeros(np.shape(x))


def add_grad(a, b):
    """``a + b`` for adjoints: element by element for lists, tuples and dicts (where
    ``+`` would concatenate), a missing dict entry counting as zero (and a literal 0,
    a zero tangent in forward mode, adding nothing)."""
    if isinstance(b, (int, float)) and not isinstance(a, (int, float)) and b == 0:
        return a
    if isinstance(a, (int, float)) and not isinstance(b, (int, float)) and a == 0:
        # a tuple of adjoints (from unstack) becomes a list, as zeros_like makes them: the
        # generated code pops from it or writes into it
        return list(b) if type(b) is tuple else b
    if isinstance(a, dict):
        return {key: add_grad(a[key], b[key]) if key in b else a[key] for key in a} | {
            key: value for key, value in b.items() if key not in a
        }
    if isinstance(a, (list, tuple)):
        return [add_grad(x, y) for x, y in zip(a, b, strict=True)]
    return a + b


def undict(g, mapping):
    """Adjoint of ``dict(mapping)``: ``g`` itself when ``mapping`` is a dict; for a list of
    ``(key, value)`` pairs (``dict(params.items())`` reads as one), one ``(0.0, adjoint)``
    pair each, in their order. A key given twice keeps its last value: only that pair gets
    the key's adjoint."""
    if not isinstance(mapping, (list, tuple)):
        return g
    entries = g if isinstance(g, dict) else {}
    last = {key: i for i, (key, _) in enumerate(mapping)}
    return [(0.0, entries[key] if last[key] == i and key in entries else zeros_like(value))
            for i, (key, value) in enumerate(mapping)]


def dict_of_tangents(t, mapping):
    """Tangent of ``dict(mapping)``: a dict of the tangents, keyed as ``mapping`` is (for a
    list of pairs, ``t`` holds the pairs' tangents and the keys come from ``mapping``)."""
    if not isinstance(mapping, (list, tuple)):
        return dict(t)
    if not isinstance(t, (list, tuple)):  # nothing in the pairs varies
        t = [0.0] * len(mapping)
    return {  # a pair's tangent is 0.0 where nothing in the pair varies
        key: pair[1] if isinstance(pair, (list, tuple)) else zeros_like(value)
        for (key, value), pair in zip(mapping, t, strict=True)
    }
