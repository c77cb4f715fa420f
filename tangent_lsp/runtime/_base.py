"""Shared by the helpers: floats, shapes and axes."""

from __future__ import annotations

import numpy as np

from .tape import ShapeOnly

# Comparing a dtype by identity costs a twentieth of ``.dtype.kind == "f"``: the fast
# paths test ``dtype is _F64`` first and fall back to the kind for other float dtypes.
_F64 = np.dtype(np.float64)


def _float(g):
    """``g`` as an array with an inexact dtype (integer and boolean become float64)."""
    if type(g) is np.ndarray and g.dtype is _F64:
        return g
    if type(g) is not np.ndarray:
        g = np.asarray(g)
    return g if g.dtype.kind in "fc" else g.astype(np.float64)


def _fit(g, shape):
    """``g`` summed over broadcast axes, then broadcast up, to exactly ``shape``; float; scalar if 0-d."""
    g = _float(g)
    if not shape:  # a number's gradient: everything sums into it
        return g.sum()[()] if g.ndim else g[()]
    if g.shape[1:] == shape:  # one leading batch axis: the common bias gradient
        return g.sum(axis=0)
    if g.shape != shape:
        extra = g.ndim - len(shape)
        if extra > 0:
            g = g.sum(axis=tuple(range(extra)))
        elif extra < 0:  # broadcasting aligns trailing axes: pad g on the left
            g = g.reshape((1,) * -extra + g.shape)
        ones = tuple(i for i, n in enumerate(shape) if n == 1 and i < g.ndim and g.shape[i] != 1)
        if ones:
            if len(ones) > 1 and ones[0] == 0:  # the outermost axis alone first: NumPy sums
                g = g.sum(axis=0, keepdims=True)  # strided axes together up to 6x slower
                ones = ones[1:]
            g = g.sum(axis=ones, keepdims=True)
        if g.shape != shape:  # spread up: filled in place (broadcast_to(...).copy() is 5x slower)
            spread = np.empty(shape)
            spread[...] = g
            g = spread
    return g[()] if g.ndim == 0 else g


def _shaped(g, x):
    """Finish a gradient for ``x``: exactly ``np.shape(x)``, float, a NumPy scalar if 0-d."""
    return _fit(g, _shape(x))


_NUMBERS = (float, int, np.float64)


def _shape(x):
    """``np.shape(x)`` without its dispatch cost for arrays, numbers and shapes kept by
    the tape (``ShapeOnly``)."""
    kind = type(x)
    if kind is np.ndarray or kind is ShapeOnly:
        return x.shape
    return () if kind in _NUMBERS else np.shape(x)


def _ndim(x):
    """``np.ndim(x)`` without its dispatch cost for the common case, an array."""
    kind = type(x)
    if kind is np.ndarray:
        return x.ndim
    return 0 if kind is float or kind is int or kind is np.float64 else np.ndim(x)


def _axes(axis, ndim):
    """``axis`` (None, an int or a tuple, maybe negative) as a sorted tuple of axes."""
    if axis is None:
        return tuple(range(ndim))
    if type(axis) is int and ndim:
        return (axis % ndim,)
    axis = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    return tuple(sorted(int(a) % ndim for a in axis)) if ndim else ()
