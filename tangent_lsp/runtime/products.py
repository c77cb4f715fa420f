"""Adjoints of NumPy's products: matmul (and the gram ``x.T @ x``), dot, tensordot,
einsum, and the shapes and layouts their rules need without computing a product."""

from __future__ import annotations

import numpy as np

from ._base import _F64, _fit, _float, _ndim, _shape, _shaped
from .reverse import unbroadcast
from .tape import ShapeOnly

_ndarray = np.ndarray
_NO_AXES = ShapeOnly(())  # the shape of an inner product


def broadcast_shape(*values):
    """The shape the values broadcast to, without computing anything elementwise: for
    an adjoint that needs only the shape of ``x * w + np.exp(x)``
    (``unreduce(g, broadcast_shape(x, w))``)."""
    first = _shape(values[0])
    for value in values[1:]:
        shape = _shape(value)
        if shape != first:
            return ShapeOnly(np.broadcast_shapes(*(_shape(v) for v in values)))
    return ShapeOnly(first)


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
    """Adjoint of ``a`` in ``np.dot(a, b)``, for every ndim NumPy accepts (scalars included).
    Vectors and matrices, where ``dot`` is ``@``, take matmul's fast paths (the general
    tensordot is thirty times slower on a pair of short vectors)."""
    if _vectors_or_matrices(a, b):
        return matmul_adjoint_a(g, a, b)
    return tensordot_adjoint_a(g, a, b, _dot_axes(a, b))


def dot_adjoint_b(g, a, b):
    """Adjoint of ``b`` in ``np.dot(a, b)``."""
    if _vectors_or_matrices(a, b):
        return matmul_adjoint_b(g, a, b)
    return tensordot_adjoint_b(g, a, b, _dot_axes(a, b))


def _vectors_or_matrices(a, b) -> bool:
    return (
        type(a) is _ndarray and type(b) is _ndarray and 0 < a.ndim < 3 and 0 < b.ndim < 3
        and a.dtype.kind == "f" and b.dtype.kind == "f"
    )


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
    """Three float arrays, not all float64 (the fast paths below test float64 inline:
    at small sizes a call costs as much as the test)."""
    if type(g) is not _ndarray or type(a) is not _ndarray or type(b) is not _ndarray:
        return False
    return g.dtype.kind == "f" and a.dtype.kind == "f" and b.dtype.kind == "f"


def _seeded(g, a, b):
    """A number seeding a matrix product's adjoint (``grad`` of a function returning a
    1x1 array): spread to the product's shape, as ``unbroadcast`` would."""
    if _ndim(g) == 0:
        return np.broadcast_to(_float(g), matmul_shape(a, b).shape)
    return g


def matmul_adjoint_a(g, a, b):
    """Adjoint of ``a`` in ``a @ b``: ``g @ b.T``, with 1-D promotion and batch broadcasting undone."""
    if (
        type(g) is _ndarray and type(a) is _ndarray and type(b) is _ndarray
        and g.dtype is _F64 and a.dtype is _F64 and b.dtype is _F64 or _plain(g, a, b)
    ) and a.ndim == 2:
        if b.ndim == 2:
            return g @ b.T
        if b.ndim == 1 and g.ndim == 1:
            return g[:, None] * b  # np.outer(g, b) without its conversions (half the time)
    da, db = _ndim(a), _ndim(b)
    if da == 1 and db == 1:  # an inner product: g is a number
        return _float(g) * _float(b)
    g = _seeded(g, a, b)
    if da == 2 and db == 2:  # the common cases first: no promotion, no batch axes
        return _float(g) @ b.T if type(b) is _ndarray else _float(g) @ np.transpose(b)
    if da == 2 and db == 1:
        return _float(g)[:, None] * _float(b)  # np.outer, without its conversions
    if da == 1 and db == 2:
        return _float(b) @ _float(g)
    g2, a2, b2 = _as_matrices(g, a, b)
    return _shaped(unbroadcast(g2 @ np.swapaxes(b2, -1, -2), a2).reshape(np.shape(a)), a)


def matmul_adjoint_b(g, a, b):
    """Adjoint of ``b`` in ``a @ b``: ``a.T @ g``, with 1-D promotion and batch broadcasting undone."""
    if (
        type(g) is _ndarray and type(a) is _ndarray and type(b) is _ndarray
        and g.dtype is _F64 and a.dtype is _F64 and b.dtype is _F64 or _plain(g, a, b)
    ) and a.ndim == 2:
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
        return _float(a)[:, None] * _float(g)
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


def einsum_adjoint(g, subscripts, operands, optimize=False):
    """Adjoints of all ``operands`` of ``np.einsum(subscripts, *operands)``, as a tuple.

    The adjoint of operand i is the einsum of ``g`` with the other operands,
    producing operand i's indices. Handles implicit output, ``...``, broadcast
    size-1 axes, indices summed within operand i alone (``'ij->i'``) and
    repeated indices (``'ii->i'``: the gradient lands on the diagonal through
    einsum's writable diagonal view). ``optimize``: the call's, passed on (the adjoints
    of three operands or more are contractions as long as the call's).
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
        gi = np.einsum(",".join([output] + others) + "->" + present, g, *operands[:i],
                       *operands[i + 1:], optimize=optimize)
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


def unconvolve(g, a, v, mode="full"):
    """Adjoint of ``np.convolve(a, v, mode)`` with respect to ``a`` (and, with ``a`` and
    ``v`` swapped, to ``v``: convolution is symmetric): ``g`` placed where its mode cut
    it from the full convolution, correlated with ``v``."""
    n, m = np.size(a), np.size(v)
    full = np.zeros(n + m - 1)
    start = {"f": 0, "s": (min(n, m) - 1) // 2, "v": min(n, m) - 1}[str(mode)[0].lower()]
    full[start:start + np.size(g)] = g
    return _shaped(np.convolve(full, np.ravel(v)[::-1], "valid"), a)
