"""Helpers of ``np.linalg``'s rules: the adjoints of ``solve`` and ``norm``, which entries
``eigh`` reads, and the parts of an SVD's result (three arrays, or the singular values
alone)."""

from __future__ import annotations

import numpy as np

from ._base import _axes, _float, _shape, _shaped
from .reverse import unbroadcast, unreduce


def triangle_weights(a, uplo="L"):
    """The entries of a symmetric matrix ``np.linalg.eigh`` reads, weighted for its
    adjoint: 1 in the triangle ``uplo`` names, ½ on the diagonal (counted from both
    sides), 0 in the triangle it never reads."""
    half = 1.0 - 0.5 * np.eye(_shape(a)[-1])
    return np.tril(half) if uplo in ("L", "l") else np.triu(half)


def mirrored(a, lower=False):
    """The symmetric matrix a one-triangle solver reads from ``a`` (``scipy.linalg.solve``
    with ``assume_a='pos'``): the triangle ``lower`` names, mirrored across the diagonal."""
    part = np.tril(a, -1) if lower else np.triu(a, 1)
    return part + np.swapaxes(part, -1, -2) + np.eye(_shape(a)[-1]) * a


def unmirrored(g, lower=False):
    """The adjoint of ``mirrored``: each entry of the triangle read collects its own and
    its mirror image's gradient, the diagonal its own alone (so it is ``mirrored``'s
    transpose, and the adjoint of ``unmirrored`` is ``mirrored``)."""
    g = _float(g)
    part = np.tril(g, -1) if lower else np.triu(g, 1)
    return part + np.swapaxes(np.triu(g, 1) if lower else np.tril(g, -1), -1, -2) + (
        np.eye(_shape(g)[-1]) * g
    )


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


def solve_adjoint(g, a, b, x):
    """Adjoints ``(of a, of b)`` for ``x = np.linalg.solve(a, b)``.

    ``gb = solve(a.T, g)`` and ``ga = -gb x.T``; a 1-D ``b`` is a vector (NumPy 2
    rule), otherwise a stack of matrices; batch broadcasting is undone.
    """
    g = _float(g)
    vector = np.ndim(b) == 1
    gm, xm = (g[..., None], np.asarray(x)[..., None]) if vector else (g, np.asarray(x))
    gb = np.linalg.solve(np.swapaxes(a, -1, -2), gm)
    ga = -gb @ np.swapaxes(xm, -1, -2)
    return unbroadcast(ga, a), unbroadcast(gb[..., 0] if vector else gb, b)


def norm_adjoint(g, x, y, ord=None, axis=None, keepdims=False):
    """Adjoint of ``x`` in ``y = np.linalg.norm(x, ord, axis, keepdims)``.

    Vector norms: ord None/2 (``x / y``, 0 at the origin), 1, inf/-inf (ties
    share), 0, any p (0 at the origin for p > 1). Matrix norms (2-D ``x`` with ord given, or a 2-tuple
    ``axis``): 'fro', 'nuc', 2/-2 (top/bottom singular vectors), 1/-1 and
    inf/-inf (extreme absolute column/row sum, ties share).
    """
    x = _float(x)
    matrix = (axis is None and ord is not None and x.ndim == 2) or np.ndim(axis) == 1 and len(axis) == 2
    axes = _axes(axis, x.ndim)
    g = unreduce(g, x, axes, keepdims)
    y = unreduce(y, x, axes, keepdims)
    if ord is None or ord == "fro" or (ord == 2 and not matrix):
        return _shaped(g * np.divide(x, y, out=np.zeros_like(x), where=y != 0), x)
    if not matrix:
        if ord == 0:
            return _shaped(np.zeros_like(x), x)
        if np.isinf(ord):
            hit = np.abs(x) == y
            return _shaped(g * np.sign(x) * hit / np.sum(hit, axis=axes, keepdims=True), x)
        ratio = np.divide(np.abs(x), y, out=np.zeros_like(x), where=y != 0)  # 0 at the origin
        return _shaped(g * np.sign(x) * ratio ** (ord - 1), x)
    row, col = (0, 1) if axis is None else (int(axis[0]) % x.ndim, int(axis[1]) % x.ndim)
    if ord in ("nuc", 2, -2):
        u, _, vh = np.linalg.svd(np.moveaxis(x, (row, col), (-2, -1)), full_matrices=False)
        k = 0 if ord == 2 else -1
        dy = u @ vh if ord == "nuc" else u[..., :, k, None] * vh[..., None, k, :]
        return _shaped(g * np.moveaxis(dy, (-2, -1), (row, col)), x)
    along = row if abs(ord) == 1 else col  # ord 1: column sums (over rows); ord inf: row sums
    hit = np.sum(np.abs(x), axis=along, keepdims=True) == y
    ties = np.sum(hit, axis=axes, keepdims=True) / x.shape[along]
    return _shaped(g * np.sign(x) * hit / ties, x)


def cond_adjoint(g, x, y, p=None):
    """Adjoint of ``x`` in ``y = np.linalg.cond(x, p)`` (a matrix or a stack of them).

    p None/2/-2: ``y`` is a ratio of extreme singular values, and ``ds_i = u_i v_i^T``.
    Any other ``p``: ``y = norm(x, p) * norm(inv(x), p)``, differentiated through both
    norms and the inverse.
    """
    x = _float(x)
    g, y = np.asarray(g)[..., None, None], np.asarray(y)[..., None, None]
    if p is None or p in (2, -2):
        u, s, vh = np.linalg.svd(x, full_matrices=False)
        top = u[..., :, :1] * vh[..., :1, :]  # ds_max
        bottom = u[..., :, -1:] * vh[..., -1:, :]  # ds_min
        small, large = s[..., -1, None, None], s[..., :1, None]
        if p == -2:  # s_min / s_max
            return _shaped(g * (bottom - y * top) / large, x)
        return _shaped(g * (top - y * bottom) / small, x)
    inverse = np.linalg.inv(x)
    axes = (-2, -1)
    size, size_inverse = (np.linalg.norm(m, p, axes)[..., None, None] for m in (x, inverse))
    through_x = norm_adjoint(g * size_inverse, x, size, p, axes, keepdims=True)
    through_inverse = norm_adjoint(g * size, inverse, size_inverse, p, axes, keepdims=True)
    inverse_t = np.swapaxes(inverse, -1, -2)
    return _shaped(through_x - inverse_t @ through_inverse @ inverse_t, x)
