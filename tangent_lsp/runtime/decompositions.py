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


def _part_shapes(a, full):
    """The shapes of the SVD's five parts: thin U, s and Vh, and a full SVD's extra
    columns of U and rows of Vh (none for a thin one)."""
    shape = _shape(a)
    batch, (m, n) = shape[:-2], shape[-2:]
    k = min(m, n)
    extra_m, extra_n = (m - k, n - k) if full else (0, 0)
    return batch + (m, k), batch + (k,), batch + (k, n), batch + (m, extra_m), batch + (extra_n, n)


def _sized(part, shape):
    """An adjoint or tangent part as an array of ``shape`` (a zero may come as 0.0)."""
    part = _float(part)
    return part if part.shape == shape else np.broadcast_to(part, shape)


def svd_adjoints(g, a, full_matrices=True, compute_uv=True):
    """The adjoint of ``np.linalg.svd(a, full_matrices, compute_uv)``'s result in five
    parts: the thin SVD's ``(U's, s's, Vh's)``, then a full SVD's extra columns of ``U``
    and rows of ``Vh`` (empty for a thin one); zeros for parts the call did not return."""
    shapes = _part_shapes(a, full_matrices and compute_uv)
    if not compute_uv:
        return tuple(_sized(g, shape) if i == 1 else np.zeros(shape) for i, shape in enumerate(shapes))
    if not isinstance(g, (list, tuple)):  # a number (a zero) for all three
        g = (g, g, g)
    gu, gs, gvh = (_float(part) for part in g)
    k = shapes[1][-1]
    parts = (
        gu[..., :k] if gu.ndim else gu, gs, gvh[..., :k, :] if gvh.ndim else gvh,
        gu[..., k:] if gu.ndim else gu, gvh[..., k:, :] if gvh.ndim else gvh,
    )
    return tuple(_sized(part, shape) for part, shape in zip(parts, shapes))


def svd_tangents(du, ds, dvh, dq, dp, a, full_matrices=True, compute_uv=True):
    """The tangent of ``np.linalg.svd(a, full_matrices, compute_uv)``'s result from its
    five parts (see ``svd_adjoints``): ``ds`` alone, or ``(U's, s's, Vh's)``."""
    shapes = _part_shapes(a, full_matrices and compute_uv)
    du, ds, dvh, dq, dp = (_sized(part, shape) for part, shape in zip((du, ds, dvh, dq, dp), shapes))
    if not compute_uv:
        return ds
    if full_matrices:
        du, dvh = np.concatenate([du, dq], -1), np.concatenate([dvh, dp], -2)
    return du, ds, dvh
