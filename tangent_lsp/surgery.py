"""Gradient surgery: markers a user writes in the function being differentiated.

Both are understood by the engine, which reads them statically; at run time,
in a plain call of the function, they do (almost) nothing.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

import numpy as np


def stop_gradient(x: Any) -> Any:
    """Its argument's value, through which no gradient flows."""
    return x


@contextlib.contextmanager
def insert_grad_of(x: Any) -> Iterator[Any]:
    """``with insert_grad_of(x) as dx:`` — the block runs in the backward sweep at its
    own place, with ``dx`` bound to the gradient that reached ``x`` from the code after
    the block (all of it when the block follows ``x``'s assignment); assigning ``dx``
    changes the gradient (``dx = np.clip(dx, -1, 1)``).

    In a plain call of the function (no differentiation) the block runs once
    with a zero gradient, so logging or clipping code there stays harmless.
    """
    yield np.zeros(np.shape(x))
