"""The shapes of products an adjoint reads without their values (``unreduce(g,
outer_shape(a, b))`` where ``np.sum(np.outer(a, b))`` was differentiated): computing the
product again for its shape alone cost as much as the function."""

from __future__ import annotations

from collections import Counter

import numpy as np

from ._base import _shape
from .tape import ShapeOnly


def outer_shape(a, b):
    """The shape of ``np.outer(a, b)``: both flattened."""
    return ShapeOnly((int(np.prod(_shape(a))), int(np.prod(_shape(b)))))


def kron_shape(a, b):
    """The shape of ``np.kron(a, b)``: the shorter shape padded with ones in front, then
    the sizes multiplied axis by axis."""
    sa, sb = _shape(a), _shape(b)
    rank = max(len(sa), len(sb))
    sa, sb = (1,) * (rank - len(sa)) + sa, (1,) * (rank - len(sb)) + sb
    return ShapeOnly(tuple(x * y for x, y in zip(sa, sb)))


def convolve_shape(a, v, mode="full"):
    """The shape of ``np.convolve(a, v, mode)`` (and ``np.correlate``'s, whose mode
    defaults to 'valid': the caller passes it)."""
    n, m = int(np.size(a)), int(np.size(v))
    if mode == "same":
        return ShapeOnly((max(n, m),))
    if mode == "valid":
        return ShapeOnly((max(n, m) - min(n, m) + 1,))
    return ShapeOnly((n + m - 1,))


def einsum_shape(subscripts, *operands):
    """The shape of ``np.einsum(subscripts, *operands)``: each output letter's size, read
    from an operand that has it (not 1 where another broadcasts it), and the broadcast of
    what the operands' ``...`` stand for."""
    spec = subscripts.replace(" ", "")
    inputs, arrow, output = spec.partition("->")
    sizes: dict[str, int] = {}
    ellipses = []
    for term, operand in zip(inputs.split(","), operands):
        shape = _shape(operand)
        before, dots, after = term.partition("...")
        if dots:
            middle = len(shape) - len(before) - len(after)
            ellipses.append(shape[len(before):len(before) + middle])
            shape = shape[:len(before)] + shape[len(before) + middle:]
            term = before + after
        for letter, size in zip(term, shape):
            if sizes.get(letter, 1) == 1:
                sizes[letter] = size
    if not arrow:  # implicit mode: the letters seen once, in order, after the ellipsis
        counts = Counter(c for c in inputs if c.isalpha())
        output = ("..." if ellipses else "") + "".join(sorted(c for c, k in counts.items() if k == 1))
    batch = np.broadcast_shapes(*ellipses) if ellipses else ()
    before, dots, after = output.partition("...")
    return ShapeOnly(
        tuple(sizes[c] for c in before) + (tuple(batch) if dots else ()) + tuple(sizes[c] for c in after)
    )
