"""Helpers of the statistics rules (``rules/numpy_statistics*.py``) and of ``np.interp``:
where the order statistics and interpolation segments are, and the layouts ``np.average``
and ``np.cov`` put their arguments in. The positions are only known at run time; the
derivatives themselves are written in the rules with ``take``, ``untake`` and arithmetic,
which have rules of their own, so they can be differentiated again."""

from __future__ import annotations

import math

import numpy as np

from ._base import _axes, _fit, _float, _shape, _shaped


def order_statistics(a, q, axis=None, keepdims=False, scale=1.0):
    """Where ``np.quantile(a, q / scale, axis, keepdims=keepdims)`` (method 'linear')
    reads ``a``: ``(lower, upper, q_shape, slope, base)``.

    ``lower`` and ``upper`` are flat positions in ``a`` (shaped like the result) of the
    two order statistics each quantile lies between; the result is
    ``take(a, lower) * (1 - f) + take(a, upper) * f`` with
    ``f = reshape(q, q_shape) * slope - base``, so ``slope`` is ``(n - 1) / scale`` and
    ``base`` the lower rank. Ties go where NumPy's stable sort puts them (as ``np.sort``'s
    rule). At the last rank the pair is the last two (``f == 1``), so the derivative in
    ``q`` there is the one from below; at other exact ranks it is the one from above.
    """
    a = np.asarray(a)
    shape = a.shape
    axes = _axes(axis, len(shape))
    kept = [k for k in range(len(shape)) if k not in axes]
    positions = np.arange(a.size).reshape(shape).transpose(kept + list(axes))
    positions = positions.reshape([shape[k] for k in kept] + [-1])
    n = positions.shape[-1]
    ranked = np.take_along_axis(
        positions, np.argsort(a.reshape(-1)[positions], axis=-1, kind="stable"), axis=-1
    )
    p = np.asarray(q, dtype=np.float64) / scale * (n - 1)
    base = np.clip(np.floor(p), 0, max(n - 2, 0))  # the last rank pairs with the one below
    lower = base.astype(np.intp)
    upper = np.minimum(lower + 1, n - 1)
    out = [1 if k in axes else shape[k] for k in range(len(shape))] if keepdims else \
        [shape[k] for k in kept]
    q_shape = p.shape + (1,) * len(out)

    def at(rank):  # the flat positions of that rank, q's axes first
        picked = np.moveaxis(ranked[..., rank.reshape(-1)], -1, 0)
        return picked.reshape(p.shape + tuple(out))

    return at(lower), at(upper), q_shape, (n - 1) / scale, base.reshape(q_shape)


def average_weights(weights, a, axis=None):
    """``np.average``'s weights as they multiply ``a``: 1.0 without weights, the weights
    themselves when shaped like ``a``, and weights of ``a``'s reduced axes laid along
    them (NumPy's own transposition and reshape)."""
    if weights is None:
        return 1.0
    weights = _float(weights)
    shape = _shape(a)
    if weights.shape == shape:
        return weights
    axes = _given_axes(axis, len(shape))
    laid = weights.transpose(np.argsort(axes))
    return laid.reshape(tuple(n if k in axes else 1 for k, n in enumerate(shape)))


def unaverage_weights(g, weights, a, axis=None):
    """Adjoint of ``average_weights`` with respect to ``weights``: ``g`` summed over the
    axes the weights broadcast along, laid back in the weights' own shape."""
    shape = _shape(a)
    w_shape = _shape(weights)
    if w_shape == shape:
        return _shaped(g, weights)
    axes = _given_axes(axis, len(shape))
    order = np.argsort(axes)
    summed = _fit(g, tuple(n if k in axes else 1 for k, n in enumerate(shape)))
    laid = np.reshape(summed, tuple(w_shape[i] for i in order))
    return _shaped(laid.transpose(np.argsort(order)), weights)


def _given_axes(axis, ndim):
    """``axis`` normalized but in the order given (``np.average`` lays weights along it)."""
    axis = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    return tuple(int(k) % ndim for k in axis)


def interp_layout(x, xp, left=None, right=None):
    """Where ``np.interp(x, xp, fp, left, right)`` reads its arguments:
    ``(segment, inside, below, above, reads_fp)``.

    ``segment`` is the index ``j`` of the knots ``xp[j] <= x < xp[j + 1]`` around each
    ``x`` (the last segment for ``x == xp[-1]``, the first or last for the points
    outside); ``inside`` marks the points between the first and the last knot,
    ``below``/``above`` the others, which read ``left``/``right``; ``reads_fp`` the
    points whose value comes from ``fp`` (outside too where ``left`` or ``right`` is None:
    ``fp[0]`` and ``fp[-1]``, the ends of their segment).
    """
    x = np.asarray(x)
    xp = np.asarray(xp)
    segment = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, max(xp.size - 2, 0))
    below = x < xp[0]
    above = x > xp[-1]
    inside = ~(below | above)
    reads_fp = inside | (below & (left is None)) | (above & (right is None))
    return segment, inside, below, above, reads_fp


def cov_rows(m, rowvar=True):
    """The variables-by-observations matrix ``np.cov(m, rowvar=rowvar)`` reads: ``m`` as
    at least 2-D, transposed when its variables are columns (not for a vector)."""
    x = _float(m)
    if x.ndim < 2:
        return x.reshape(1, -1)
    return x if rowvar else x.T


def uncov_rows(g, m, rowvar=True):
    """Adjoint of ``cov_rows(m, rowvar)``: ``g`` transposed back and shaped like ``m``."""
    shape = _shape(m)
    if len(shape) < 2:
        return _shaped(np.reshape(_fit(g, (1, math.prod(shape))), shape), m)
    return _shaped(g if rowvar else np.transpose(g), m)


def cov_count(x, bias=False, ddof=None):
    """What ``np.cov`` divides by for the rows ``x``: observations less ``ddof`` (1, or 0
    with ``bias``)."""
    if ddof is None:
        ddof = 0 if bias else 1
    return float(np.shape(x)[1] - ddof)


def residual_weights(g, residuals, b):
    """The gradient of ``np.linalg.lstsq``'s residuals as one weight per column of ``b``
    (a number for a vector ``b``); zeros where NumPy returns no residuals (``a`` not tall,
    or not of full rank)."""
    columns = _shape(b)[1:]
    if np.size(residuals) == 0:
        return np.zeros(columns)
    return np.reshape(np.broadcast_to(_float(g), _shape(residuals)), columns)


def unresidual_weights(c, residuals, b):
    """Adjoint of ``residual_weights`` with respect to ``g``: ``c``, one number per column
    of ``b``, laid out as the residuals (none where there are none)."""
    if np.size(residuals) == 0:
        return np.zeros(_shape(residuals))
    return np.reshape(_fit(c, _shape(b)[1:]), _shape(residuals))
