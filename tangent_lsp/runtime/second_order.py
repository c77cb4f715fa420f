"""Adjoints of the helpers above, for derivatives of derivatives."""

from __future__ import annotations

import numpy as np

from ._base import _axes, _fit, _float
from .containers import zeros_like
from .forward import _absent, _each_tangent, copied, einsum_tangent
from .linalg import norm_adjoint
from .products import _as_matrices, _seeded, einsum_adjoint, matmul_shape
from .reverse import add_at, unbroadcast, unreduce

def unreduce_adjoint(c, g, x, axis=None, keepdims=False):
    """Adjoint of ``unreduce(g, x, axis, keepdims)`` with respect to ``g``: ``c`` summed
    back over the axes ``unreduce`` spread ``g`` along."""
    shape = list(np.shape(g))
    if not keepdims and axis is not None and np.ndim(x) > 0:
        for a in _axes(axis, np.ndim(x)):
            shape.insert(a, 1)
    return np.reshape(_fit(c, tuple(shape)), np.shape(g))


def _product_shape(left, right):
    return np.broadcast_shapes(left.shape[:-2], right.shape[:-2]) + (left.shape[-2], right.shape[-1])


def matmul_adjoint_a_vjp(c, g, a, b):
    """Adjoints of ``matmul_adjoint_a(g, a, b)`` (= ``g @ b.T`` summed to ``a``'s shape)
    with respect to ``g`` and ``b``, as a pair."""
    spread = _seeded(g, a, b)  # a number seeding a 1x1 product: its adjoint sums back
    g2, a2, b2 = _as_matrices(spread, a, b)
    bt = np.swapaxes(b2, -1, -2)
    cp = np.broadcast_to(np.reshape(_float(c), a2.shape), _product_shape(g2, bt))
    dg = np.reshape(_fit(cp @ b2, g2.shape), np.shape(spread))
    db = np.reshape(_fit(np.swapaxes(np.swapaxes(g2, -1, -2) @ cp, -1, -2), b2.shape), np.shape(b))
    return (np.sum(dg) if spread is not g else dg), db


def matmul_adjoint_b_vjp(c, g, a, b):
    """Adjoints of ``matmul_adjoint_b(g, a, b)`` (= ``a.T @ g`` summed to ``b``'s shape)
    with respect to ``g`` and ``a``, as a pair."""
    spread = _seeded(g, a, b)
    g2, a2, b2 = _as_matrices(spread, a, b)
    at = np.swapaxes(a2, -1, -2)
    cp = np.broadcast_to(np.reshape(_float(c), b2.shape), _product_shape(at, g2))
    dg = np.reshape(_fit(a2 @ cp, g2.shape), np.shape(spread))
    da = np.reshape(_fit(np.swapaxes(cp @ np.swapaxes(g2, -1, -2), -1, -2), a2.shape), np.shape(a))
    return (np.sum(dg) if spread is not g else dg), da


def tangents_like_adjoint(c, t, x):
    """Adjoint of ``tangents_like(t, x)`` with respect to ``t``: each element's adjoint
    summed back to that tangent's shape (a tangent spread over a list collects them all)."""
    if isinstance(x, (list, tuple)):
        if not isinstance(t, (list, tuple, np.ndarray)):
            total = 0.0
            for ci, xi in zip(c, x, strict=True):
                total = total + tangents_like_adjoint(ci, t, xi)
            return total
        return tuple(tangents_like_adjoint(ci, ti, xi) for ci, ti, xi in zip(c, t, x, strict=True))
    return unbroadcast(c, t)


def gram_adjoint_vjp(c, g, x):
    """Adjoints of ``gram_adjoint(g, x)`` with respect to ``g`` and ``x``, as a pair: it is
    ``matmul_adjoint_b(g, x.T, x) + transpose(matmul_adjoint_a(g, x.T, x))`` of ``g``
    summed down to the product's shape (so ``g``'s adjoint is spread back up)."""
    xt = np.transpose(x)
    product = unbroadcast(g, matmul_shape(xt, x))
    dg_b, dxt = matmul_adjoint_b_vjp(c, product, xt, x)
    dg_a, dx = matmul_adjoint_a_vjp(np.transpose(c), product, xt, x)
    return _fit(dg_b + dg_a, np.shape(g)), np.transpose(dxt) + dx


def _norm_kind(x, ord, axis) -> str:
    """How ``norm_adjoint`` depends on ``x`` and ``y`` for this norm: "two" (``g * x / y``:
    the vector 2-norm and Frobenius), "p" (``g * sign(x) * (|x| / y) ** (p - 1)``, any other
    finite vector p), "flat" (piecewise constant: vector 0, 1 and ±inf, matrix ±1 and ±inf;
    its curvature is zero wherever it is defined), or "spectral" (matrix 2, -2 and 'nuc':
    singular vectors, which do not depend on ``y``)."""
    matrix = (axis is None and ord is not None and np.ndim(x) == 2) or (
        np.ndim(axis) == 1 and len(axis) == 2
    )
    if ord is None or ord == "fro" or (ord == 2 and not matrix):
        return "two"
    if matrix:
        return "spectral" if ord in ("nuc", 2, -2) else "flat"
    return "flat" if ord in (0, 1) or np.isinf(ord) else "p"


def _spectral_tangent(x, dx, ord, axis):
    """The change of ``norm_adjoint(1, x, ...)`` along ``dx`` for the matrix 2-norms (the
    outer product ``u v^T`` of the top or bottom singular vectors) and the nuclear norm
    (``U V^T``), from the derivative of the SVD; singular values must be distinct (and
    nonzero for 'nuc'). The map is the norm's Hessian, symmetric: it is its own adjoint."""
    x, dx = _float(x), np.broadcast_to(_float(dx), np.shape(x))
    row, col = (0, 1) if axis is None else (int(axis[0]) % x.ndim, int(axis[1]) % x.ndim)
    u, s, vh = np.linalg.svd(np.moveaxis(x, (row, col), (-2, -1)))
    v = np.swapaxes(vh, -1, -2)
    a = np.swapaxes(u, -1, -2) @ np.moveaxis(dx, (row, col), (-2, -1)) @ v  # dx in the SVD's bases
    m, n, r = u.shape[-1], v.shape[-1], s.shape[-1]
    if ord == "nuc":  # d(U V^T): the skew part of a over s_i + s_j, and the thin sides
        core = a[..., :r, :r]
        out = u[..., :r] @ ((core - np.swapaxes(core, -1, -2)) / (s[..., :, None] + s[..., None, :]))
        out = out @ np.swapaxes(v[..., :r], -1, -2)
        if m > r:
            out = out + u[..., r:] @ (a[..., r:, :r] / s[..., None, :]) @ np.swapaxes(v[..., :r], -1, -2)
        if n > r:
            out = out + u[..., :r] @ (a[..., :r, r:] / s[..., :, None]) @ np.swapaxes(v[..., r:], -1, -2)
    else:  # d(u_k v_k^T) from the derivatives of the k-th pair of singular vectors
        k = 0 if ord == 2 else r - 1
        sk = s[..., k:k + 1]
        gap = np.where(np.arange(r) == k, 1.0, sk * sk - s * s)
        ajk, akj = a[..., :r, k], a[..., k, :r]
        other = np.arange(r) != k
        du = u[..., :r] @ (np.where(other, (sk * ajk + s * akj) / gap, 0.0))[..., None]
        dv = v[..., :r] @ (np.where(other, (s * ajk + sk * akj) / gap, 0.0))[..., None]
        if m > r:
            du = du + u[..., r:] @ (a[..., r:, k] / sk)[..., None]
        if n > r:
            dv = dv + v[..., r:] @ (a[..., k, r:] / sk)[..., None]
        out = du @ np.swapaxes(v[..., k:k + 1], -1, -2) + u[..., k:k + 1] @ np.swapaxes(dv, -1, -2)
    return np.moveaxis(out, (-2, -1), (row, col))


def _spread(g, y, x, axis, keepdims):
    """``g`` and ``y`` spread over the axes the norm reduced, and where ``y`` is 0."""
    axes = _axes(axis, np.ndim(x))
    spread_g = unreduce(g, x, axes, keepdims)
    spread_y = unreduce(y, x, axes, keepdims)
    return axes, spread_g, spread_y, spread_y == 0


def _curvature(kind, ord, x, y):
    """Per entry, the derivatives of the adjoint with respect to ``x`` and to ``y``, per unit
    of ``g``: of ``x / y`` for the 2-norm, of ``sign(x) * (|x| / y) ** (p - 1)`` for p."""
    if kind == "two":
        return 1.0 / y, x / (y * y)
    ratio = np.abs(x) / y
    return (ord - 1) * ratio ** (ord - 2) / y, (ord - 1) * np.sign(x) * ratio ** (ord - 1) / y


def norm_adjoint_tangent(g, x, y, dx, dy, ord=None, axis=None, keepdims=False):
    """Tangent of ``norm_adjoint(g, x, y, ...)`` for tangents ``dx`` and ``dy`` of ``x`` and
    ``y`` (either may be the literal ``0.0``), ``g`` held fixed: the norm's curvature.
    The adjoint is linear in ``g``; its tangent along ``g`` is ``norm_adjoint(dg, ...)``."""
    kind = _norm_kind(x, ord, axis)
    x = _float(x)
    if kind == "flat" or (kind == "spectral" and _absent(dx)):
        return np.zeros_like(x)
    axes, big_g, big_y, zero = _spread(g, y, x, axis, keepdims)
    if kind == "spectral":
        return big_g * _spectral_tangent(x, dx, ord, axis)
    safe = np.where(zero, 1.0, big_y)
    by_x, by_y = _curvature(kind, ord, x, safe)
    change = np.zeros_like(x)
    if not _absent(dx):
        change = change + by_x * _float(dx)
    if not _absent(dy):
        change = change - by_y * unreduce(dy, x, axes, keepdims)
    return _fit(np.where(zero, 0.0, big_g * change), np.shape(x))


def norm_adjoint_vjp(c, g, x, y, ord=None, axis=None, keepdims=False):
    """Adjoints of ``norm_adjoint(g, x, y, ...)`` with respect to ``g``, ``x`` and ``y``, as
    a triple."""
    kind = _norm_kind(x, ord, axis)
    x, c = _float(x), _float(c)
    axes = _axes(axis, np.ndim(x))
    unit = norm_adjoint(np.ones(np.shape(y)), x, y, ord, axis, keepdims)  # linear in g
    dg = unreduce_adjoint(unit * c, g, x, axes, keepdims)
    if kind == "flat":
        return dg, np.zeros_like(x), np.zeros(np.shape(y))
    axes, big_g, big_y, zero = _spread(g, y, x, axis, keepdims)
    if kind == "spectral":
        return dg, _spectral_tangent(x, big_g * c, ord, axis), np.zeros(np.shape(y))
    safe = np.where(zero, 1.0, big_y)
    c = np.where(zero, 0.0, c) * big_g
    by_x, by_y = _curvature(kind, ord, x, safe)
    dx = _fit(c * by_x, np.shape(x))
    dy = unreduce_adjoint(-c * by_y, y, x, axes, keepdims)
    return dg, dx, dy


def prod_others_tangent(x, dx, axis=None):
    """Tangent of ``prod_others(x, axis)`` along ``dx``: for each entry i, the sum over the
    other entries j of ``dx[j]`` times the product of the entries other than i and j.

    That is the Hessian of ``prod`` times ``dx``, and the Hessian is symmetric, so this is
    also the adjoint of ``prod_others``. Exact with zeros: with none, it is
    ``P / x_i * (sum_j dx_j / x_j - dx_i / x_i)``; with one zero, only products that skip
    it survive; with two, only the zeros' own entries; with three or more, nothing."""
    x = _float(x)
    dx = np.broadcast_to(_float(dx), x.shape)
    axes = _axes(axis, x.ndim)
    zero = x == 0
    safe = np.where(zero, 1.0, x)
    zeros = np.sum(zero, axis=axes, keepdims=True)
    rest = np.prod(safe, axis=axes, keepdims=True)  # the product of the nonzero entries
    ratio = np.where(zero, 0.0, dx / safe)
    spread = np.sum(ratio, axis=axes, keepdims=True)
    at_zeros = np.sum(np.where(zero, dx, 0.0), axis=axes, keepdims=True)
    none = rest / safe * (spread - ratio)
    one = np.where(zero, rest * spread, rest / safe * at_zeros)
    two = np.where(zero, rest * (at_zeros - dx), 0.0)
    return np.where(zeros == 0, none, np.where(zeros == 1, one, np.where(zeros == 2, two, 0.0)))


def einsum_adjoint_tangent(g, subscripts, operands, dg, doperands, optimize=False):
    """Tangent of ``einsum_adjoint(g, subscripts, operands)``, a tuple: the adjoint of
    operand i is linear in ``g`` and in every other operand, so each tangent adds the
    adjoints computed with it in that place (never to its own operand's adjoint)."""
    operands = list(operands)
    if _absent(dg):
        result = [np.zeros(np.shape(op)) for op in operands]
    else:
        result = list(einsum_adjoint(dg, subscripts, operands, optimize))
    for k, tangent in enumerate(_each_tangent(doperands, len(operands))):
        if _absent(tangent):
            continue
        parts = einsum_adjoint(g, subscripts, operands[:k] + [tangent] + operands[k + 1:], optimize)
        for i, part in enumerate(parts):
            if i != k:
                result[i] = result[i] + part
    return tuple(result)


def einsum_adjoint_vjp(c, g, subscripts, operands, optimize=False):
    """Adjoints of ``einsum_adjoint(g, subscripts, operands)`` for the cotangents ``c`` of
    its results: ``(of g, tuple of the operands')``. Operand i's adjoint is the transpose
    of the einsum in operand i, so ``c[i]`` goes back through the einsum itself with
    ``c[i]`` in operand i's place, and to the other operands through their adjoints."""
    operands = list(operands)
    of_g = np.zeros(np.shape(g))
    of_operands = [np.zeros(np.shape(op)) for op in operands]
    for i, ci in enumerate(c):
        if _absent(ci):
            continue
        swapped = operands[:i] + [_float(ci)] + operands[i + 1:]
        of_g = of_g + np.einsum(subscripts, *swapped, optimize=optimize)
        for k, part in enumerate(einsum_adjoint(g, subscripts, swapped, optimize)):
            if k != i:
                of_operands[k] = of_operands[k] + part
    return _fit(of_g, np.shape(g)), tuple(of_operands)


def _as_columns(v, vector):
    return _float(v)[..., None] if vector else _float(v)


def solve_adjoint_tangent(g, a, b, x, dg, da, dx):
    """Tangent of ``solve_adjoint(g, a, b, x)`` = ``(-gb x^T, gb)`` with ``a^T gb = g``, for
    tangents ``dg``, ``da``, ``dx`` (each may be the literal ``0.0``; ``b`` only gives shapes)."""
    vector = np.ndim(b) == 1
    at = np.swapaxes(_float(a), -1, -2)
    gb = np.linalg.solve(at, _as_columns(g, vector))
    xm = _as_columns(x, vector)
    rhs = np.zeros(gb.shape) if _absent(dg) else _as_columns(dg, vector)
    if not _absent(da):
        rhs = rhs - np.swapaxes(_float(da), -1, -2) @ gb
    dgb = np.linalg.solve(at, np.broadcast_to(rhs, np.broadcast_shapes(np.shape(rhs), gb.shape)))
    dga = -dgb @ np.swapaxes(xm, -1, -2)
    if not _absent(dx):
        dga = dga - gb @ np.swapaxes(_as_columns(dx, vector), -1, -2)
    return unbroadcast(dga, a), unbroadcast(dgb[..., 0] if vector else dgb, b)


def solve_adjoint_vjp(c, g, a, b, x):
    """Adjoints ``(of g, of a, of x)`` of ``solve_adjoint(g, a, b, x)`` for the cotangents
    ``c = (of its a result, of its b result)``."""
    vector = np.ndim(b) == 1
    a = _float(a)
    gb = np.linalg.solve(np.swapaxes(a, -1, -2), _as_columns(g, vector))
    xm = _as_columns(x, vector)
    ca = np.zeros(np.shape(a)) if _absent(c[0]) else _float(c[0])
    cb = np.zeros(np.shape(b)) if _absent(c[1]) else c[1]
    total = _as_columns(cb, vector) - ca @ xm  # on gb: its own cotangent and ga = -gb x^T's
    cg = np.linalg.solve(a, total)
    of_a = -gb @ np.swapaxes(cg, -1, -2)
    of_x = -np.swapaxes(ca, -1, -2) @ gb
    squeeze = (lambda m: m[..., 0]) if vector else (lambda m: m)
    return (
        unbroadcast(squeeze(cg), g), unbroadcast(of_a, a), unbroadcast(squeeze(of_x), x)
    )


def einsum_cross_tangent(y, subscripts, operands, tangents, doperands, optimize=False):
    """Tangent of ``einsum_tangent(y, subscripts, operands, tangents)`` along tangents
    ``doperands`` of the operands (the tangents held fixed): each pair of different
    operands, one replaced by its tangent and the other by its new tangent."""
    total = 0.0
    for j, dop in enumerate(_each_tangent(doperands, len(operands))):
        if _absent(dop):
            continue
        others = list(operands)
        others[j] = dop
        rest = list(_each_tangent(tangents, len(operands)))
        rest[j] = 0.0
        total = total + einsum_tangent(y, subscripts, others, rest, optimize)
    return total + np.zeros(np.shape(y))


def solve_tangent_vjp(c, a, b, x, z, da):
    """Adjoints of ``z = solve_tangent(a, b, x, da, db)`` (``a z = db - da x``) with respect to
    ``a``, ``x``, ``da`` and ``db``, as a quadruple; ``da`` may be the literal ``0.0``. With
    ``u = solve(a^T, c)``: ``-u z^T``, ``-da^T u``, ``-u x^T`` and ``u``."""
    vector = np.ndim(b) == 1

    def matrix(v):
        return _float(v)[..., None] if vector else _float(v)

    def back(v):
        return v[..., 0] if vector else v

    u = np.linalg.solve(np.swapaxes(a, -1, -2), matrix(c))
    of_a = unbroadcast(-u @ np.swapaxes(matrix(z), -1, -2), a)
    of_db = unbroadcast(back(u), b)
    if _absent(da):
        return of_a, np.zeros(np.shape(x)), 0.0, of_db
    of_da = unbroadcast(-u @ np.swapaxes(matrix(x), -1, -2), da)
    of_x = unbroadcast(back(-(np.swapaxes(_float(da), -1, -2) @ u)), x)
    return of_a, of_x, of_da, of_db


def add_at_tangent(y, da, indices, dv):
    """Tangent of ``y = add_at(a, indices, v)`` for tangents ``da`` and ``dv`` (either may be
    the literal ``0.0``): the same scatter-add, of the tangents."""
    if type(y) in (list, dict):  # one position or key of a container
        base = zeros_like(y) if _absent(da) else copied(da)
        return base if _absent(dv) else add_at(base, indices, dv)
    base = np.zeros(np.shape(y)) if _absent(da) else _float(da)
    if _absent(dv):
        return base + 0.0  # a new array: add_at never returns its argument either
    return add_at(base, indices, dv)
