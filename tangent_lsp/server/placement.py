"""A result derived for statements that have since moved to other lines (a line typed
above them): the derivative is the same, only the lines it points at move.

A derivative names lines of the document in its source map alone (its code has no line
numbers). An error names them in its position and sometimes in its message ("line 12"):
it is derived again at the new place instead.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from tangent_lsp.engine import Derivative

from .dependencies import Spans


@dataclass(frozen=True)
class Placed:
    """A derivation's result (a Derivative or a DiffError) and where the statements it
    read were."""

    spans: Spans
    value: Any

    def at(self, spans: Spans) -> Any:
        """The result for the same statements at ``spans``; None when it cannot be moved."""
        if spans == self.spans:
            return self.value
        if not isinstance(self.value, Derivative) or len(spans) != len(self.spans):
            return None
        return dataclasses.replace(self.value, source_map={
            moved_line(line, self.spans, spans): lines
            for line, lines in self.value.source_map.items()
        })


def moved_line(line: int, old: Spans, new: Spans) -> int:
    """Where ``line`` of a statement in ``old`` is when the statements are at ``new``."""
    for (first, last), (now, _) in zip(old, new):
        if first <= line <= last:
            return line + now - first
    return line
