"""Helpers of reverse-mode derivatives: unbroadcasting, reductions, products,
shapes, linear algebra and builtins."""

from __future__ import annotations

import math

import numpy as np

from ._base import _F64, _axes, _fit, _float, _ndim, _shape, _shaped
from .containers import add_grad
from .tape import ShapeOnly

_ndarray = np.ndarray
_NO_AXES = ShapeOnly(())  # the shape of an inner product


def unbroadcast(g, x):
    """Sum ``g`` down to ``np.shape(x)``: the adjoint of NumPy's implicit broadcasting.

    ``x + b`` with ``x`` of shape (3, 4) and ``b`` of shape (4,) sends every row's
    gradient to ``b``; whether ``b`` broadcast is only known at run time. A ``g``
    smaller than ``x`` (a scalar seed) is spread out instead.
    """
    kind = type(x)
    if kind is _ndarray and type(g) is _ndarray and g.dtype is _F64:
        shape = x.shape
        if g.shape == shape and shape:
            return g  # the common case: nothing broadcast
        return _fit(g, shape)
    if kind in _CONTAINERS:  # an element of a container that holds values itself
        return _unbroadcast_each(g, x)
    shape = _shape(x)
    if type(g) is _ndarray:
        if not shape and g.dtype is _F64:
            return g.sum()  # a number's gradient (``x - m`` for ``m = np.max(x)``)
        if g.shape == shape and g.dtype.kind == "f" and shape:
            return g  # the common case: nothing broadcast
    elif (type(g) is float or type(g) is np.float64) and not shape:
        return g  # a number for a number
    return _fit(g, shape)


_CONTAINERS = (list, tuple, dict)


def _unbroadcast_each(g, x):
    """``unbroadcast`` element by element; a number for a whole container (an adjoint
    cleared to ``0.0``) stays one."""
    if type(g) not in _CONTAINERS:
        return g
    if type(x) is dict:
        return {key: unbroadcast(g[key], x[key]) for key in g}
    return [unbroadcast(gi, xi) for gi, xi in zip(g, x, strict=True)]


def unreduce(g, x, axis=None, keepdims=False):
    """Spread the gradient of a reduction (sum, mean, max, ...) back over ``np.shape(x)``.

    Re-inserts the reduced axes (unless ``keepdims`` kept them) and broadcasts.
    """
    if _ndim(g) == 0:  # a full reduction's seed, or one number for every reduced value
        shape = _shape(x)
        if shape:
            full = np.empty(shape)
            full.fill(g)
            return full
    if type(x) is _ndarray and type(g) is _ndarray and axis is not None and x.ndim:
        kept = list(x.shape)  # the reduced axes kept as 1: g's shape with keepdims
        for a in _axes(axis, x.ndim):
            kept[a] = 1
        if g.size == math.prod(kept):
            spread = np.empty(x.shape)  # filled in place: expand_dims and broadcast_to
            spread[...] = g.reshape(kept)  # cost more than the copy
            return spread
    g = _float(g)
    if not keepdims and axis is not None and np.ndim(x) > 0:
        g = np.expand_dims(g, _axes(axis, np.ndim(x)))
    return _shaped(g, x)


def reduced_count(x, *others, axis=None):
    """How many elements a reduction over ``axis`` combines (the divisor of ``mean``).

    With several arguments, of the array they broadcast to: ``reduced_count(y, z)``
    counts the elements of ``y * np.log(z)`` without computing it.
    """
    if axis is None and type(x) is _ndarray:  # the common case first: a mean of it all
        for other in others:
            if type(other) is not _ndarray or other.shape != x.shape:
                break
        else:
            return x.size or 1
    shape = _shape(x)
    for other in others:
        other_shape = _shape(other)
        if other_shape != shape:
            shape = np.broadcast_shapes(shape, other_shape)
    if axis is None:
        return max(math.prod(shape), 1)
    return math.prod(shape[a] for a in _axes(axis, len(shape)))


def matmul_shape(a, b):
    """The shape of ``a @ b``, without computing the product: for an adjoint that
    needs only that shape (``unbroadcast(g, matmul_shape(wT, w))``)."""
    if type(a) is _ndarray and type(b) is _ndarray and a.ndim == 1 and b.ndim == 1:
        return _NO_AXES  # the common case first: an inner product
    sa, sb = _shape(a), _shape(b)
    if len(sb) == 1 and len(sa) == 1:
        return _NO_AXES
    if len(sb) == 1:
        return ShapeOnly(sa[:-1])  # (..., n, k) @ (k,) and (k,) @ (k,)
    if len(sa) == 1:
        return ShapeOnly(sb[:-2] + sb[-1:])
    batch = np.broadcast_shapes(sa[:-2], sb[:-2]) if len(sa) > 2 or len(sb) > 2 else ()
    return ShapeOnly(batch + (sa[-2], sb[-1]))


def kron_layout(a, b):
    """How ``np.kron(a, b)`` lays out its factors: its shape split into pairs of axes
    ``(a0, b0, a1, b1, ...)``, ``a``'s and ``b``'s shapes spread over those pairs, and the
    axes that hold ``b`` and ``a``. Each factor's adjoint sums the other one out there."""
    sa, sb = _shape(a), _shape(b)
    nd = max(len(sa), len(sb))
    sa, sb = (1,) * (nd - len(sa)) + sa, (1,) * (nd - len(sb)) + sb
    pairs = tuple(n for pair in zip(sa, sb) for n in pair)
    a_spread = tuple(n for m in sa for n in (m, 1))
    b_spread = tuple(n for m in sb for n in (1, m))
    return pairs, a_spread, b_spread, tuple(range(1, 2 * nd, 2)), tuple(range(0, 2 * nd, 2))


def linspace_weights(y, start, stop, num=50, endpoint=True, axis=0):
    """Where each sample of ``np.linspace(start, stop, num, endpoint, axis=axis)`` lies
    between its ends: 0 at ``start``, 1 at ``stop``, shaped to broadcast against ``y``."""
    t = np.linspace(0.0, 1.0, int(num), endpoint=endpoint)
    ndim = np.ndim(y)
    axis = int(axis) % max(ndim, 1)
    return np.reshape(t, (-1,) + (1,) * (ndim - axis - 1)) if ndim else t


def extremum_mask(x, y, axis=None, keepdims=False):
    """Where ``x`` attains its reduced max/min ``y``, divided by the number of ties.

    Ties share the gradient equally (as autograd does), so the adjoint of
    ``max`` is symmetric in equal entries and sums to the incoming gradient.
    Without ties the mask itself is returned (booleans): the rules only ever
    multiply it by a gradient, which makes it float without a copy here.
    """
    if axis is None:  # the common case: one maximum over everything
        hit = np.asarray(x) == y
        count = np.count_nonzero(hit)
        return hit / count if count > 1 else hit
    x = np.asarray(x)
    hit = x == (y if keepdims else unreduce(y, x, axis, keepdims))
    axes = _axes(axis, x.ndim)
    groups = hit.size // max(math.prod(x.shape[a] for a in axes), 1)
    if np.count_nonzero(hit) == groups:  # one hit per group (each has at least one): no ties
        return hit
    return hit / hit.sum(axis=axes, keepdims=True)


def prod_others(x, axis=None):
    """For each entry of ``x``, the product of the *other* entries along ``axis``.

    This is d prod(x) / dx without dividing by ``x``, so it is exact when ``x``
    holds zeros (computed from exclusive cumulative products from both ends).
    """
    x = _float(x)
    axes = _axes(axis, x.ndim)
    front = np.moveaxis(x, axes, tuple(range(-len(axes), 0)))
    flat = front.reshape(front.shape[: front.ndim - len(axes)] + (-1,))
    ones = np.ones_like(flat[..., :1])
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    right = np.flip(np.cumprod(np.flip(np.concatenate([flat[..., 1:], ones], axis=-1), -1), -1), -1)
    out = (left * right).reshape(front.shape)
    return np.moveaxis(out, tuple(range(-len(axes), 0)), axes)


def uncumsum(g, x, axis=None):
    """Adjoint of ``cumsum``: a reversed cumulative sum (``axis=None`` cumsums the flattened ``x``)."""
    g = _float(g)
    if axis is None:
        return _shaped(np.flip(np.cumsum(np.flip(g.ravel()))).reshape(np.shape(x)), x)
    return _shaped(np.flip(np.cumsum(np.flip(g, axis), axis), axis), x)


# --- products -----------------------------------------------------------------------


def _tensordot_axes(a, b, axes):
    """NumPy's ``axes`` argument of tensordot as two lists of non-negative axes."""
    na, nb = np.ndim(a), np.ndim(b)
    if na == 0 or nb == 0:  # a product with a scalar contracts nothing
        return [], []
    if np.ndim(axes) == 0:
        return list(range(na - axes, na)), list(range(axes))
    ax_a, ax_b = axes
    ax_a = [ax_a] if np.ndim(ax_a) == 0 else list(ax_a)
    ax_b = [ax_b] if np.ndim(ax_b) == 0 else list(ax_b)
    return [int(i) % na for i in ax_a], [int(i) % nb for i in ax_b]


def tensordot_of(a, b, axes=2):
    """``np.tensordot(a, b, axes)`` with ``axes`` read as the adjoints below read it (a
    product with a scalar contracts nothing, as ``np.inner`` does): their adjoint."""
    return np.tensordot(a, b, _tensordot_axes(a, b, axes))


def tensordot_adjoint_a(g, a, b, axes=2):
    """Adjoint of ``a`` in ``np.tensordot(a, b, axes)`` (also serves ``dot`` and ``inner``)."""
    ax_a, ax_b = _tensordot_axes(a, b, axes)
    free_a = [i for i in range(np.ndim(a)) if i not in ax_a]
    free_b = [i for i in range(np.ndim(b)) if i not in ax_b]
    g = _spread_over(g, a, b, free_a, free_b)
    out = np.tensordot(g, b, (list(range(len(free_a), np.ndim(g))), free_b))
    # out's axes: a's free axes, then b's contracted axes in b's order, each standing for its a axis
    order = free_a + [ax_a[ax_b.index(j)] for j in sorted(ax_b)]
    return _shaped(np.transpose(out, np.argsort(order)), a)


def tensordot_adjoint_b(g, a, b, axes=2):
    """Adjoint of ``b`` in ``np.tensordot(a, b, axes)``."""
    ax_a, ax_b = _tensordot_axes(a, b, axes)
    free_a = [i for i in range(np.ndim(a)) if i not in ax_a]
    free_b = [i for i in range(np.ndim(b)) if i not in ax_b]
    g = _spread_over(g, a, b, free_a, free_b)
    out = np.tensordot(a, g, (free_a, list(range(len(free_a)))))
    order = [ax_b[ax_a.index(i)] for i in sorted(ax_a)] + free_b
    return _shaped(np.transpose(out, np.argsort(order)), b)


def _spread_over(g, a, b, free_a, free_b):
    """A number seeding a product with axes left (``grad`` of ``np.dot(r.T, r)``, 1x1):
    spread over the product's shape, as ``unbroadcast`` would."""
    if np.ndim(g) == 0 and (free_a or free_b):
        shape_a, shape_b = np.shape(a), np.shape(b)
        return np.broadcast_to(_float(g), tuple(shape_a[i] for i in free_a) + tuple(shape_b[j] for j in free_b))
    return g


def _dot_axes(a, b):
    """``np.dot`` as a tensordot: last axis of ``a`` with the second-to-last of ``b``."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return [], []
    return [np.ndim(a) - 1], [max(np.ndim(b) - 2, 0)]


def dot_adjoint_a(g, a, b):
    """Adjoint of ``a`` in ``np.dot(a, b)``, for every ndim NumPy accepts (scalars included)."""
    return tensordot_adjoint_a(g, a, b, _dot_axes(a, b))


def dot_adjoint_b(g, a, b):
    """Adjoint of ``b`` in ``np.dot(a, b)``."""
    return tensordot_adjoint_b(g, a, b, _dot_axes(a, b))


def _as_matrices(g, a, b):
    """Promote 1-D operands of matmul to matrices (and ``g`` to match), as matmul does."""
    a2 = np.asarray(a)[None, :] if np.ndim(a) == 1 else np.asarray(a)
    b2 = np.asarray(b)[:, None] if np.ndim(b) == 1 else np.asarray(b)
    g2 = _float(g)
    if np.ndim(b) == 1:
        g2 = g2[..., None]
    if np.ndim(a) == 1:
        g2 = g2[..., None, :]
    return g2, a2, b2


def _plain(g, a, b) -> bool:
    """Three float arrays: the case the fast paths below are for."""
    if type(g) is not _ndarray or type(a) is not _ndarray or type(b) is not _ndarray:
        return False
    if g.dtype is _F64 and a.dtype is _F64 and b.dtype is _F64:
        return True
    return g.dtype.kind == "f" and a.dtype.kind == "f" and b.dtype.kind == "f"


def _seeded(g, a, b):
    """A number seeding a matrix product's adjoint (``grad`` of a function returning a
    1x1 array): spread to the product's shape, as ``unbroadcast`` would."""
    if _ndim(g) == 0:
        return np.broadcast_to(_float(g), matmul_shape(a, b).shape)
    return g


def matmul_adjoint_a(g, a, b):
    """Adjoint of ``a`` in ``a @ b``: ``g @ b.T``, with 1-D promotion and batch broadcasting undone."""
    if _plain(g, a, b) and a.ndim == 2 and b.ndim == 2:
        return g @ b.T
    da, db = _ndim(a), _ndim(b)
    if da == 1 and db == 1:  # an inner product: g is a number
        return _float(g) * _float(b)
    g = _seeded(g, a, b)
    if da == 2 and db == 2:  # the common cases first: no promotion, no batch axes
        return _float(g) @ b.T if type(b) is _ndarray else _float(g) @ np.transpose(b)
    if da == 2 and db == 1:
        return np.outer(g, b)
    if da == 1 and db == 2:
        return _float(b) @ _float(g)
    g2, a2, b2 = _as_matrices(g, a, b)
    return _shaped(unbroadcast(g2 @ np.swapaxes(b2, -1, -2), a2).reshape(np.shape(a)), a)


def matmul_adjoint_b(g, a, b):
    """Adjoint of ``b`` in ``a @ b``: ``a.T @ g``, with 1-D promotion and batch broadcasting undone."""
    if _plain(g, a, b) and a.ndim == 2:
        if b.ndim == 2:
            return a.T @ g
        if b.ndim == 1:
            return g @ a
    da, db = _ndim(a), _ndim(b)
    if da == 1 and db == 1:
        return _float(g) * _float(a)
    g = _seeded(g, a, b)
    if da == 2 and db == 2:
        return (a.T if type(a) is _ndarray else np.transpose(a)) @ _float(g)
    if da == 2 and db == 1:
        return _float(g) @ _float(a)
    if da == 1 and db == 2:
        return np.outer(a, g)
    g2, a2, b2 = _as_matrices(g, a, b)
    return _shaped(unbroadcast(np.swapaxes(a2, -1, -2) @ g2, b2).reshape(np.shape(b)), b)


def gram_adjoint(g, x):
    """Adjoint of ``x`` in ``x.T @ x`` (both of its uses): ``x @ (g + g.T)``, or ``2 g x``
    for a vector. The optimizer writes it for the two matmul adjoints it replaces.

    ``g`` is the product's adjoint, or the adjoint of what the product was broadcast
    into (``0.5 * (r.T @ r) + b``): it is summed down to the product's shape here, so
    the generated code need not compute that shape first."""
    if type(x) is _ndarray and x.ndim == 1 and x.dtype is _F64:
        if type(g) is not float and type(g) is not np.float64:
            g = _fit(g, ())
        return (g + g) * x
    nd = _ndim(x)
    if nd == 1:
        g = _fit(g, ())
        return (g + g) * _float(x)
    g = unbroadcast(g, matmul_shape(np.transpose(x), x))
    if nd == 2:
        g = _float(g)
        return _float(x) @ (g + g.T)
    xt = np.transpose(x)
    return matmul_adjoint_b(g, xt, x) + np.transpose(matmul_adjoint_a(g, xt, x))


def einsum_adjoint(g, subscripts, operands):
    """Adjoints of all ``operands`` of ``np.einsum(subscripts, *operands)``, as a tuple.

    The adjoint of operand i is the einsum of ``g`` with the other operands,
    producing operand i's indices. Handles implicit output, ``...``, broadcast
    size-1 axes, indices summed within operand i alone (``'ij->i'``) and
    repeated indices (``'ii->i'``: the gradient lands on the diagonal through
    einsum's writable diagonal view).
    """
    if not isinstance(subscripts, str):
        raise NotImplementedError("einsum's interleaved (operand, sublist) form has no adjoint")
    spec = subscripts.replace(" ", "")
    inputs, arrow, output = spec.partition("->")
    inputs = inputs.split(",")
    if not arrow:  # implicit mode: indices seen once, sorted, after the broadcast axes
        letters = "".join(inputs).replace(".", "")
        output = ("..." if "..." in spec else "") + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    spare = (c for c in "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba" if c not in spec)
    counts = [np.ndim(op) - len(s) + 3 for s, op in zip(inputs, operands, strict=True) if "..." in s]
    ellipsis = "".join(next(spare) for _ in range(max(counts, default=0)))
    inputs = [s.replace("...", ellipsis[len(ellipsis) - (np.ndim(op) - len(s) + 3):]) if "..." in s else s
              for s, op in zip(inputs, operands, strict=True)]
    output = output.replace("...", ellipsis)
    grads = []
    for i, (sub, op) in enumerate(zip(inputs, operands, strict=True)):
        others = [s for j, s in enumerate(inputs) if j != i]
        unique = "".join(dict.fromkeys(sub))
        known = set(output + "".join(others))
        present = "".join(c for c in unique if c in known)
        gi = np.einsum(",".join([output] + others) + "->" + present, g, *operands[:i], *operands[i + 1:])
        size = dict(zip(sub, np.shape(op), strict=True))
        dims = iter(np.shape(gi))
        gi = np.reshape(gi, [next(dims) if c in present else 1 for c in unique])
        gi = _fit(gi, tuple(size[c] for c in unique))
        if unique != sub:
            full = np.zeros(np.shape(op), dtype=_float(gi).dtype)
            np.einsum(sub + "->" + unique, full)[...] = gi
            gi = full
        grads.append(_shaped(gi, op))
    return tuple(grads)


# --- shapes -------------------------------------------------------------------------


def _permutation(axes, ndim):
    """The axes of ``np.transpose(x, axes)`` or ``x.transpose(*axes)`` as a permutation, or
    None for the reversal. Accepts the method's varargs forms: ``()``, ``(1, 0)``, ``((1, 0),)``."""
    if axes is not None and len(axes) == 1 and np.ndim(axes[0]) == 1:
        axes = axes[0]
    if axes is None or len(axes) == 0 or (len(axes) == 1 and axes[0] is None):
        return None
    return [int(a) % ndim for a in axes]


def untranspose(g, axes=None):
    """Adjoint of ``np.transpose(x, axes)`` / ``x.transpose(*axes)``: transpose by the inverse
    permutation."""
    g = _float(g)
    order = _permutation(axes, g.ndim)
    return np.transpose(g) if order is None else np.transpose(g, np.argsort(order))


def transpose_by(g, axes=None):
    """``np.transpose(g, axes)`` for ``axes`` in any form ``untranspose`` accepts: its adjoint,
    for derivatives of derivatives."""
    g = _float(g)
    return np.transpose(g, _permutation(axes, g.ndim))


def reshape_each(g, arrays):
    """Adjoint of ``np.atleast_Nd(*arrays)``: one gradient per input, as a tuple.

    NumPy returns one array for one input and a list for several; ``g`` follows suit.
    """
    if len(arrays) == 1:
        return (_shaped(np.reshape(g, np.shape(arrays[0])), arrays[0]),)
    return tuple(_shaped(np.reshape(gi, np.shape(a)), a) for gi, a in zip(g, arrays, strict=True))


def split_like(g, arrays, axis=0, ndmin=1):
    """Adjoint of ``concatenate``/``vstack``/``hstack``: cut ``g`` into pieces shaped like ``arrays``.

    Each input is first viewed as at least ``ndmin``-D (what vstack/hstack do);
    ``axis=None`` is concatenate's flattening mode. ``axis`` may be a bool
    (``hstack`` joins along axis 1, or 0 for a 1-D result).
    """
    g = _float(g)
    if axis is None:
        sizes = [np.size(a) for a in arrays]
        axis = 0
    else:
        axis = int(axis)
        sizes = [np.shape(np.array(a, ndmin=ndmin, copy=None))[axis] for a in arrays]
    pieces = np.split(g, np.cumsum(sizes)[:-1], axis=axis)
    return tuple(_shaped(np.reshape(p, np.shape(a)), a) for p, a in zip(pieces, arrays, strict=True))


def join_like(parts, g, arrays, axis=0, ndmin=1):
    """Adjoint of ``split_like(g, arrays, axis, ndmin)`` with respect to ``g``: the pieces'
    adjoints put back together in ``g``'s shape (``split_like`` is linear in ``g``)."""
    shape = _shape(g)
    pieces = [np.broadcast_to(_float(p), np.shape(a)) for p, a in zip(parts, arrays, strict=True)]
    if axis is None:
        return np.concatenate([np.ravel(p) for p in pieces]).reshape(shape)
    viewed = [
        np.reshape(p, np.shape(np.array(a, ndmin=ndmin, copy=None)))
        for p, a in zip(pieces, arrays, strict=True)
    ]
    return np.concatenate(viewed, axis=int(axis)).reshape(shape)


def unstack(g, arrays, axis=0):
    """Adjoint of ``np.stack(arrays, axis)``: slice ``g`` along the new axis."""
    parts = np.moveaxis(_float(g), axis, 0)
    return tuple(_shaped(p, a) for p, a in zip(parts, arrays, strict=True))


def unarray(g, obj):
    """Adjoint of ``np.array(obj)``/``np.asarray(obj)``: ``g`` itself, or nested tuples for list literals."""
    g = np.reshape(_float(g), np.shape(obj))
    if isinstance(obj, (list, tuple)):
        return tuple(unarray(gi, o) for gi, o in zip(g, obj, strict=True))
    return _shaped(g, obj)


def untile(g, x, reps):
    """Adjoint of ``np.tile(x, reps)``: sum the tiles back onto one copy of ``x``."""
    reps = (reps,) if np.ndim(reps) == 0 else tuple(reps)
    nd = max(np.ndim(x), len(reps))
    shape = (1,) * (nd - np.ndim(x)) + np.shape(x)
    reps = (1,) * (nd - len(reps)) + reps
    blocks = _float(g).reshape([n for pair in zip(reps, shape, strict=True) for n in pair])
    return _shaped(blocks.sum(axis=tuple(range(0, 2 * nd, 2))).reshape(np.shape(x)), x)


def unrepeat(g, x, repeats, axis=None):
    """Adjoint of ``np.repeat(x, repeats, axis)``: add each repeated copy back to its source."""
    shape = (np.size(x),) if axis is None else np.shape(x)
    axis = 0 if axis is None else int(axis) % len(shape)
    out = np.zeros(shape, dtype=_float(g).dtype)
    source = np.repeat(np.arange(shape[axis]), repeats)
    np.add.at(np.moveaxis(out, axis, 0), source, np.moveaxis(_float(g), axis, 0))
    return _shaped(out.reshape(np.shape(x)), x)


def undiagonal(g, x, offset=0, axis1=0, axis2=1):
    """Adjoint of ``np.diagonal(x, offset, axis1, axis2)`` (and of ``trace`` with ``g[..., None]``).

    Writes ``g`` (diagonal along its last axis, broadcasting) onto the diagonal of zeros shaped like ``x``.
    """
    g = _float(g)
    out = np.zeros(np.shape(x), dtype=g.dtype)
    view = np.moveaxis(out, (axis1, axis2), (-2, -1))
    rows, cols = view.shape[-2] - max(-offset, 0), view.shape[-1] - max(offset, 0)
    i = np.arange(max(0, min(rows, cols)))
    view[..., i + max(-offset, 0), i + max(offset, 0)] = g
    return _shaped(out, x)


def undiag(g, v, k=0):
    """Adjoint of ``np.diag(v, k)``: extract the diagonal if ``v`` was 1-D, else place ``g`` on it."""
    if np.ndim(v) == 1:
        return _shaped(np.diag(g, k), v)
    return undiagonal(g, v, k)


def unsort(g, x, axis=-1):
    """Adjoint of ``np.sort(x, axis)``: send each sorted entry's gradient back to where it came from."""
    g = _float(g)
    if axis is None:
        out = np.zeros(np.size(x), dtype=g.dtype)
        out[np.argsort(x, axis=None, kind="stable")] = g
        return _shaped(out.reshape(np.shape(x)), x)
    out = np.zeros(np.shape(x), dtype=g.dtype)
    np.put_along_axis(out, np.argsort(x, axis=axis, kind="stable"), g, axis)
    return _shaped(out, x)


def untake(g, x, indices, axis=None, mode="raise"):
    """Adjoint of ``np.take(x, indices, axis, mode=mode)``: scatter-add ``g`` (repeated indices accumulate)."""
    g = _float(g)
    shape = (np.size(x),) if axis is None else np.shape(x)
    axis = 0 if axis is None else int(axis) % len(shape)
    indices = np.asarray(indices)
    if mode == "wrap":
        indices = indices % shape[axis]
    elif mode == "clip":
        indices = np.clip(indices, 0, shape[axis] - 1)
    out = np.zeros(shape, dtype=g.dtype)
    moved = np.moveaxis(g, tuple(range(axis, axis + indices.ndim)), tuple(range(indices.ndim)))
    np.add.at(np.moveaxis(out, axis, 0), indices, moved)
    return _shaped(out.reshape(np.shape(x)), x)


def assigned_part(g, index):
    """``g[index]``, copied, for the adjoint of ``x[index] = v``. With a repeated fancy
    index (``x[[0, 0]] = v``) only the last write stays in ``x``, so the writes it
    overwrote get zero: NumPy's own assignment, replayed on positions, decides which."""
    part = np.array(g[index], dtype=np.result_type(g, float))
    positions = np.arange(part.size).reshape(part.shape)
    slot = np.full(np.shape(g), -1)
    slot[index] = positions
    return np.where(slot[index] == positions, part, 0.0)


def unassigned_part(c, g, index):
    """Adjoint of ``assigned_part(g, index)`` with respect to ``g``: ``c`` put back at
    ``index``, where a repeated position keeps its last write (as ``assigned_part``)."""
    out = np.zeros(np.shape(g), dtype=np.result_type(c, float))
    out[index] = c
    return out


def add_at(a, indices, v):
    """``np.add.at(a, indices, v)`` on a copy of ``a``, returned. Generated code accumulates
    adjoints at repeated indices with ``np.add.at``, in place; differentiated again, that
    statement is read as ``a = add_at(a, indices, v)``, which has rules. For a list or
    dict (an adjoint of one), ``indices`` is one position or key."""
    if type(a) in (list, dict):
        out = a.copy()
        out[indices] = add_grad(out[indices], v)
        return out
    out = np.array(a, dtype=np.result_type(a, v, float))
    np.add.at(out, indices, v)
    return out


def undiff(g, x, n=1, axis=-1):
    """Adjoint of ``np.diff(x, n, axis)``: each difference pulls on its two ends, n times."""
    g = _float(g)
    for _ in range(n):
        g = -np.diff(g, axis=axis, prepend=0.0, append=0.0)
    return _shaped(g, x)


# --- linear algebra -----------------------------------------------------------------


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
    share), 0, any p. Matrix norms (2-D ``x`` with ord given, or a 2-tuple
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
        return _shaped(g * np.sign(x) * (np.abs(x) / y) ** (ord - 1), x)
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


# --- Python builtins ----------------------------------------------------------------


def pick_adjoint(g, y, first, rest):
    """Adjoints ``(of first, of rest)`` for ``y = max(first, *rest)`` or ``min(...)`` (builtins).

    Python returns the first extreme item, so the whole gradient goes to the
    first item equal to ``y``. With no ``rest``, ``first`` is the iterable: its
    adjoint is a list (for a list), a tuple (for a tuple) or an array (for a 1-D array).
    """
    if isinstance(first, np.ndarray) and not rest:
        out = np.zeros(np.shape(first), dtype=_float(g).dtype)
        out[np.argmax(first == y)] = g
        return out, ()
    items = (first,) + tuple(rest) if rest else tuple(first)
    hit = next(i for i, item in enumerate(items) if np.all(item == y))
    grads = [_shaped(g if i == hit else 0.0, item) for i, item in enumerate(items)]
    if rest:
        return grads[0], tuple(grads[1:])
    return (tuple(grads) if isinstance(first, tuple) else grads), ()


def unlist(g, iterable):
    """Adjoint of ``list(iterable)`` (or ``tuple``): the elements' adjoints, stacked into an
    array again when ``iterable`` is one (its rows, for a matrix); a list stays a list."""
    if type(iterable) is not np.ndarray:
        return g
    rows = iterable.shape[1:]
    return np.array([np.broadcast_to(_float(e), rows) for e in g]).reshape(iterable.shape)


def relist(c, iterable):
    """Adjoint of ``unlist(g, iterable)`` with respect to ``g``: ``c`` split into the
    elements again when ``iterable`` is an array."""
    return list(c) if type(iterable) is np.ndarray else c


def unsum(g, iterable):
    """Adjoint of the builtin ``sum(iterable)``: ``g`` for each element (arrays sum over axis 0)."""
    if isinstance(iterable, np.ndarray):
        return _shaped(g, iterable)
    grads = [unbroadcast(g, item) for item in iterable]
    return tuple(grads) if isinstance(iterable, tuple) else grads
