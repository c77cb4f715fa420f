"""What the tape keeps of values read only for their shape."""

from __future__ import annotations

import numpy as np


class ShapeOnly:
    """What the tape keeps of a value the backward sweep reads only for its shape
    (``unbroadcast(g, Wh)``): the shape, not the array, so memory stays small."""

    __slots__ = ("shape",)

    def __init__(self, shape):
        self.shape = tuple(shape)

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"ShapeOnly({self.shape})"


def shape_of(x):
    """``x`` reduced to its shape, for the tape (see ``ShapeOnly``); a list, tuple or dict
    stays itself (it holds references, and its elements may differ in shape)."""
    kind = type(x)
    if kind is np.ndarray:
        return ShapeOnly(x.shape)
    if kind in _NUMBERS:  # as small as its shape, and read faster than one
        return x
    if x is None:  # a name not bound yet
        return _NO_SHAPE
    if kind in (list, tuple, dict) or isinstance(x, (list, tuple, dict)):
        return x
    return ShapeOnly(np.shape(x))


_NUMBERS = (float, int, np.float64)
_NO_SHAPE = ShapeOnly(())  # shared: nothing changes a ShapeOnly
