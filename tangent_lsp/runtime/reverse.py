"""Helpers of reverse-mode derivatives: unbroadcasting, reductions, shapes and
builtins. Products are in ``products.py``, ``np.linalg`` in ``linalg.py``."""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._base import _F64, _NUMBERS, _axes, _fit, _float, _ndim, _shape, _shaped
from .containers import add_grad

_ndarray = np.ndarray


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
    if kind is float or kind is _FLOAT64:  # loops over numbers call this at every step
        if type(g) is float or type(g) is _FLOAT64:
            return g
        return _summed_to_number(g)
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
_FLOAT64 = np.float64


def _summed_to_number(g):
    """``g`` summed down to one number."""
    if type(g) is _ndarray and g.dtype is _F64:
        return g.sum()
    return _fit(g, ())


def _unbroadcast_each(g, x):
    """``unbroadcast`` element by element; a number for a whole container (an adjoint
    cleared to ``0.0``) stays one."""
    if type(g) not in _CONTAINERS:
        if type(g) is _ndarray and type(x) is not dict:  # `x * w` of a list of numbers:
            try:  # an array gradient, summed down to the list's shape
                shape = np.shape(x)
            except ValueError:  # (ragged: a list of arrays of different shapes)
                return g
            if g.shape != shape:
                return _fit(g, shape)
        return g
    if type(x) is dict:
        return {key: unbroadcast(g[key], x[key]) for key in g}
    return [unbroadcast(gi, xi) for gi, xi in zip(g, x, strict=True)]


def zeros_of(x):
    """``np.zeros(np.shape(x))``, but ``0.0`` for a number: an adjoint accumulated over a
    loop of Python floats stays a float (0-d arrays are several times slower to compute
    with, and would come back as the gradient)."""
    if type(x) in _NUMBERS:
        return 0.0
    return np.zeros(np.shape(x))


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


def reduced_count(x, *others, axis=None, ddof=0):
    """How many elements a reduction over ``axis`` combines (the divisor of ``mean``).

    With several arguments, of the array they broadcast to: ``reduced_count(y, z)``
    counts the elements of ``y * np.log(z)`` without computing it. ``ddof`` is
    subtracted, as ``np.var`` does (its divisor).
    """
    if ddof:
        return reduced_count(x, *others, axis=axis) - ddof
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


def split_like(g, arrays, axis=0, ndmin=1, columns=False):
    """Adjoint of ``concatenate``/``vstack``/``hstack``/``column_stack``: cut ``g`` into
    pieces shaped like ``arrays``.

    Each input is first viewed as at least ``ndmin``-D (what vstack/hstack do), or, with
    ``columns``, a 1-D one as a column (what column_stack does); ``axis=None`` is
    concatenate's flattening mode. ``axis`` may be a bool (``hstack`` joins along axis 1,
    or 0 for a 1-D result).
    """
    g = _float(g)
    if not g.ndim:  # a number seeding a joined array result: that number in every element
        return tuple(_shaped(np.full(np.shape(a), g), a) for a in arrays)
    if axis is None:
        sizes = [np.size(a) for a in arrays]
        axis = 0
    else:
        axis = int(axis)
        sizes = [
            a.shape[axis] if type(a) is _ndarray and a.ndim >= max(ndmin, 2 if columns else 1)
            else np.shape(_joined_view(a, ndmin, columns))[axis]
            for a in arrays
        ]
    # slices, not np.split: a piece is a view either way, and split's own bookkeeping
    # costs more than a small gradient
    before = (slice(None),) * (axis % g.ndim)
    pieces, start = [], 0
    for size in sizes:
        pieces.append(g[before + (slice(start, start + size),)])
        start += size
    return tuple(
        p if type(a) is _ndarray and p.shape == a.shape and p.dtype is _F64
        else _shaped(np.reshape(p, np.shape(a)), a)
        for p, a in zip(pieces, arrays, strict=True)
    )


def join_like(parts, g, arrays, axis=0, ndmin=1, columns=False):
    """Adjoint of ``split_like(g, arrays, axis, ndmin, columns)`` with respect to ``g``: the
    pieces' adjoints put back together in ``g``'s shape (``split_like`` is linear in ``g``)."""
    shape = _shape(g)
    pieces = [np.broadcast_to(_float(p), np.shape(a)) for p, a in zip(parts, arrays, strict=True)]
    if axis is None:
        return np.concatenate([np.ravel(p) for p in pieces]).reshape(shape)
    viewed = [
        np.reshape(p, np.shape(_joined_view(a, ndmin, columns)))
        for p, a in zip(pieces, arrays, strict=True)
    ]
    return np.concatenate(viewed, axis=int(axis)).reshape(shape)


def _joined_view(a, ndmin, columns):
    """``a`` as the joining function sees it: at least ``ndmin``-D, or a column."""
    if columns and np.ndim(a) < 2:
        return np.reshape(a, (-1, 1))
    return np.array(a, ndmin=ndmin, copy=None)


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
    shape = (np.size(x),) if axis is None or not np.ndim(x) else np.shape(x)  # a number: 1-D
    axis = 0 if axis is None else int(axis) % len(shape)
    out = np.zeros(shape, dtype=_float(g).dtype)
    source = np.repeat(np.arange(shape[axis]), repeats)
    np.add.at(np.moveaxis(out, axis, 0), source, np.moveaxis(_float(g), axis, 0))
    return _shaped(out.reshape(np.shape(x)), x)


# np.pad's modes whose padding copies elements of the array: the adjoint adds each copy's
# gradient back to the element it copies ("constant" copies none).
PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def unpad(g, x, pad_width, mode="constant"):
    """Adjoint of ``np.pad(x, pad_width, mode)``: the middle of ``g``, plus, for the modes
    that fill the border with copies of ``x``'s elements, each copy's gradient added back
    to its element."""
    if mode not in PAD_MODES:
        raise ValueError(f"np.pad with mode={mode!r} has no derivative here; "
                         f"the modes that copy elements do: {', '.join(PAD_MODES)}")
    shape = _shape(x)
    if mode == "constant":
        widths = np.broadcast_to(np.asarray(pad_width, dtype=np.intp), (len(shape), 2))
        middle = tuple(slice(before, before + n) for (before, _), n in zip(widths, shape))
        return _shaped(_float(g)[middle].copy(), x)
    return _added_back(g, x, lambda positions: np.pad(positions, pad_width, mode))


def pad_values(c, x, pad_width):
    """The border ``np.pad(x, pad_width, constant_values=c)`` fills with ``c``, around
    zeros: the tangent of padding values that vary."""
    return np.pad(np.zeros(_shape(x)), pad_width, constant_values=c)


def unpad_values(g, x, pad_width, constant_values):
    """Adjoint of ``pad_values``: the gradient of each padding value, the sum of ``g``
    over the border it fills (one value per axis and side, as NumPy reads
    ``constant_values``; shaped like it)."""
    shape = _shape(x)
    size = math.prod(shape)
    sides = size + np.arange(2 * len(shape)).reshape(len(shape), 2)  # a code per side
    positions = np.pad(np.arange(size).reshape(shape), pad_width, constant_values=sides)
    summed = np.bincount(np.ravel(positions), weights=_float(g).ravel(), minlength=size + sides.size)
    return _shaped(summed[size:].reshape(sides.shape), constant_values)


def unwindow(g, x, window_shape, axis=None):
    """Adjoint of ``sliding_window_view(x, window_shape, axis)``: each window's gradient
    added back to the elements the window covers (they overlap)."""
    return _added_back(
        g, x, lambda positions: sliding_window_view(positions, window_shape, axis)
    )


def _added_back(g, x, copy):
    """Adjoint of ``copy(x)`` for a ``copy`` that only arranges copies of ``x``'s elements:
    applied to the elements' positions, it says where each element of ``g`` came from."""
    shape = _shape(x)
    size = math.prod(shape)
    positions = copy(np.arange(size).reshape(shape))
    summed = np.bincount(np.ravel(positions), weights=_float(g).ravel(), minlength=size)
    return _shaped(summed.reshape(shape), x)


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
    if indices.size == 0:  # `np.take(x, [])`: an empty list is read as floats
        indices = indices.astype(np.intp)
    if mode == "wrap":
        indices = indices % shape[axis]
    elif mode == "clip":
        indices = np.clip(indices, 0, shape[axis] - 1)
    out = np.zeros(shape, dtype=g.dtype)
    moved = np.moveaxis(g, tuple(range(axis, axis + indices.ndim)), tuple(range(indices.ndim)))
    np.add.at(np.moveaxis(out, axis, 0), indices, moved)
    return _shaped(out.reshape(np.shape(x)), x)


def untake_along_axis(g, x, indices, axis=-1):
    """Adjoint of ``np.take_along_axis(x, indices, axis)``: each taken entry's gradient
    added back where it was taken from (repeated indices add up; an axis of ``x`` that
    broadcast against ``indices`` sums)."""
    g = _float(g)
    out = np.zeros(np.shape(x), dtype=g.dtype)
    indices = np.asarray(indices)
    if axis is None:  # over the flattened array: ``out`` is fresh, so its ravel is a view
        np.add.at(out.reshape(-1), indices, g)
        return _shaped(out, x)
    axis = int(axis) % out.ndim
    where = list(np.ogrid[tuple(slice(n) for n in g.shape)])
    for k in range(out.ndim):  # an axis of length 1 in x was read at 0 throughout
        if k != axis and out.shape[k] == 1:
            where[k] = np.zeros_like(where[k])
    where[axis] = indices
    np.add.at(out, tuple(where), g)
    return _shaped(out, x)


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
    if np.shape(x)[axis] <= n:  # no difference left: nothing depends on x
        return _shaped(np.zeros(np.shape(x)), x)
    for _ in range(n):  # out[1:] += g, out[:-1] -= g along the axis (np.diff with
        # prepend/append concatenates first: four times slower)
        shape = list(g.shape)
        shape[axis] += 1
        out = np.zeros(shape, dtype=g.dtype)
        before = (slice(None),) * (axis % g.ndim)
        out[before + (slice(1, None),)] = g
        out[before + (slice(None, -1),)] -= g
        g = out
    return _shaped(g, x)


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
    """Adjoint of the builtin ``sum(iterable)``: ``g`` for each element (arrays sum over axis 0).

    Each element gets an array of its own: generated code adds into one element in place
    (``bxs[i] += v``), which must not change the others, nor ``g``."""
    if isinstance(iterable, np.ndarray):
        return _shaped(g, iterable)
    grads = []
    for item in iterable:
        gi = unbroadcast(g, item)
        grads.append(gi.copy() if gi is g and type(gi) is _ndarray else gi)
    return tuple(grads) if isinstance(iterable, tuple) else grads
