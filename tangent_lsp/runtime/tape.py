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
    """``x`` reduced to its shape, for the tape (see ``ShapeOnly``)."""
    return ShapeOnly(np.shape(x))


def matmul_shape(a, b):
    """The shape of ``a @ b``, without computing the product: for an adjoint that
    needs only that shape (``unbroadcast(g, matmul_shape(wT, w))``)."""
    sa, sb = np.shape(a), np.shape(b)
    if len(sb) == 1:
        return ShapeOnly(sa[:-1])  # (..., n, k) @ (k,) and (k,) @ (k,)
    if len(sa) == 1:
        return ShapeOnly(sb[:-2] + sb[-1:])
    batch = np.broadcast_shapes(sa[:-2], sb[:-2]) if len(sa) > 2 or len(sb) > 2 else ()
    return ShapeOnly(batch + (sa[-2], sb[-1]))
