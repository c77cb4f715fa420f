"""Checks generated code makes where only the running values tell whether the derivative
is right (the engine reports what the source shows before any code runs)."""

from __future__ import annotations

import numpy as np


class ViewWrittenError(ValueError):
    """A value the derivative took for a copy was a view of an array written in place."""


def not_a_view(row, array, index, message):
    """``row = array[j]`` was read before ``array[index]`` was written: right where it is
    an element (a number, which the write left alone) or a row the write did not reach,
    wrong where it is a view into what the write changed: then raise ``message``."""
    if type(row) in (list, tuple, dict) and isinstance(array, np.ndarray):
        for item in row.values() if type(row) is dict else row:  # the rows a list holds
            not_a_view(item, array, index, message)
        return
    if type(row) is not np.ndarray or not row.ndim or not isinstance(array, np.ndarray):
        return  # a number, or an entry of a list or dict (replaced, not written into)
    region = array[index] if _basic(index) else array  # fancy indexing reads a copy
    if np.may_share_memory(row, region):
        try:
            shared = np.shares_memory(row, region, max_work=100_000)
        except np.exceptions.TooHardError:
            shared = True
        if shared:
            raise ViewWrittenError(message)


def _basic(index) -> bool:
    """An index that reads a view: integers, slices, None and ``...``, alone or in a tuple."""
    parts = index if type(index) is tuple else (index,)
    return all(
        isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts
    )
