"""Plumbing for the rules of NumPy's matrix decompositions: which entries ``eigh``
reads, and the parts of an SVD's result (three arrays, or the singular values alone)."""

from __future__ import annotations

import numpy as np

from ._base import _float, _shape


def triangle_weights(a, uplo="L"):
    """The entries of a symmetric matrix ``np.linalg.eigh`` reads, weighted for its
    adjoint: 1 in the triangle ``uplo`` names, ½ on the diagonal (counted from both
    sides), 0 in the triangle it never reads."""
    half = 1.0 - 0.5 * np.eye(_shape(a)[-1])
    return np.tril(half) if uplo in ("L", "l") else np.triu(half)


def _thin_shapes(a):
    shape = _shape(a)
    batch, (m, n) = shape[:-2], shape[-2:]
    k = min(m, n)
    return batch + (m, k), batch + (k,), batch + (k, n)


def _sized(part, shape):
    """An adjoint or tangent part as an array of ``shape`` (a zero may come as 0.0)."""
    part = _float(part)
    return part if part.shape == shape else np.broadcast_to(part, shape)


def svd_adjoints(g, a, full_matrices=True, compute_uv=True):
    """The adjoint of ``np.linalg.svd(a, full_matrices, compute_uv)``'s result as the
    thin SVD's three parts ``(U's, s's, Vh's)``: zeros for parts the call did not
    return. A full SVD's extra columns of ``U`` (rows of ``Vh``) are left out: they are
    any basis of a complement, so no derivative reaches them."""
    u_shape, s_shape, vh_shape = _thin_shapes(a)
    if not compute_uv:
        return np.zeros(u_shape), _sized(g, s_shape), np.zeros(vh_shape)
    if not isinstance(g, (list, tuple)):  # a number (a zero) for all three
        g = (g, g, g)
    gu, gs, gvh = (_float(part) for part in g)
    k = s_shape[-1]
    gu = gu[..., :k] if gu.ndim else np.broadcast_to(gu, u_shape)
    gvh = gvh[..., :k, :] if gvh.ndim else np.broadcast_to(gvh, vh_shape)
    return gu, _sized(gs, s_shape), gvh


def svd_tangents(du, ds, dvh, a, full_matrices=True, compute_uv=True):
    """The tangent of ``np.linalg.svd(a, full_matrices, compute_uv)``'s result from the
    thin SVD's: ``ds`` alone, or the three parts with a full SVD's extra columns of
    ``U`` (rows of ``Vh``) zero."""
    u_shape, s_shape, vh_shape = _thin_shapes(a)
    ds = _sized(ds, s_shape)
    if not compute_uv:
        return ds
    du, dvh = _sized(du, u_shape), _sized(dvh, vh_shape)
    m, k, n = u_shape[-2], s_shape[-1], vh_shape[-1]
    if full_matrices and m != n:
        du = np.concatenate([du, np.zeros(u_shape[:-1] + (m - k,))], -1)
        dvh = np.concatenate([dvh, np.zeros(vh_shape[:-2] + (n - k, n))], -2)
    return du, ds, dvh
