"""A cached result moved to the lines its statements are at now (``placement.py``)."""

from __future__ import annotations

from tangent_lsp.engine import DiffError, derive
from tangent_lsp.server.placement import Placed, moved_line

SOURCE = '''import numpy as np


def f(x):
    s = np.sin(x)
    return np.sum(s * s)
'''


def test_a_line_moves_with_its_statement():
    old = ((1, 1), (4, 6), (9, 12))
    new = ((1, 1), (6, 8), (12, 15))
    assert [moved_line(n, old, new) for n in (1, 4, 5, 6, 9, 12)] == [1, 6, 7, 8, 12, 15]
    assert moved_line(2, old, new) == 2  # in no statement read: left as it is


def test_a_moved_derivative_has_the_source_map_of_one_derived_there():
    here = derive(SOURCE, "f")
    there = derive("# a comment\n\n" + SOURCE, "f")
    placed = Placed(((1, 1), (4, 6)), here)
    moved = placed.at(((3, 3), (6, 8)))
    assert moved.source_map == there.source_map != here.source_map
    assert moved.code == there.code
    assert placed.at(((1, 1), (4, 6))) is here


def test_an_error_is_not_moved():
    """Its message may name a line: derived again where it is now."""
    error = DiffError("call", "something", line=5)
    placed = Placed(((4, 6),), error)
    assert placed.at(((4, 6),)) is error
    assert placed.at(((5, 7),)) is None
