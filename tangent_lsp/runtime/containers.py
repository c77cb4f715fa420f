"""Adjoints of lists, tuples and dicts of arrays."""

from __future__ import annotations

import numpy as np


def zeros_like(x):
    """The zero adjoint of a value: float zeros for arrays and numbers, and a list
    (or dict) of those for a list, tuple (or dict) of values."""
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
