"""A document at one version: its text, and what is computed from it (lazily), plus the
derivative request that the cache keys by it. Plain data, no server state."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from lsprotocol import types

from tangent_lsp.engine import DiffError

from . import locate
from .positions import LineIndex


@dataclass(frozen=True)
class Request:
    """One derivative: what the cache is keyed by, with the document version."""

    function: str
    wrt: tuple[str, ...]
    mode: str
    optimized: bool

    def to_json(self) -> dict[str, Any]:
        return {"function": self.function, "wrt": list(self.wrt), "mode": self.mode,
                "optimized": self.optimized}


@dataclass
class Snapshot:
    """A document's text at one version, with what is computed from it (lazily)."""

    uri: str
    version: int | None
    text: str
    path: str | None
    encoding: str

    @cached_property
    def parsed(self) -> locate.Parsed | None:
        return locate.parse(self.text)

    def readable(self) -> "Snapshot | None":
        """This snapshot, or, when its text does not parse, one whose parse leaves out the
        top-level blocks with syntax errors (``locate.parse_repaired``): for hovers, which
        change nothing. Edits come from ``parsed`` alone."""
        if self.parsed is not None:
            return self
        repaired = locate.parse_repaired(self.text)
        if repaired is None:
            return None
        view = replace(self)
        view.__dict__["parsed"] = repaired  # (what the cached property would hold)
        return view

    @cached_property
    def index(self) -> LineIndex:
        return LineIndex(self.text, self.encoding)

    @cached_property
    def key(self) -> Any:
        """What identifies this text in cache keys: the version and the text's hash (a
        client may reuse a version number; a file read from disk has none)."""
        return (self.version, hash(self.text))

    def range(self, start: tuple[int, int], end: tuple[int, int]) -> types.Range:
        a = self.index.to_lsp(*start)
        b = self.index.to_lsp(*end)
        return types.Range(types.Position(a.line, a.character), types.Position(b.line, b.character))

    def span_range(self, span: locate.Span) -> types.Range:
        return self.range(span.start, span.end)

    def point(self, position: types.Position) -> tuple[int, int]:
        return self.index.from_lsp(position.line, position.character)


def elsewhere(snap: Snapshot, error: DiffError) -> str | None:
    """The file an error is in, when that is not the document (a project file it imports)."""
    if error.path and snap.path and os.path.realpath(error.path) != os.path.realpath(snap.path):
        return error.path
    return None


def where(snap: Snapshot, error: DiffError) -> str:
    """`` (line 9)``, or `` (layers.py, line 10)`` for an error in an imported file."""
    other = elsewhere(snap, error)
    if other is not None:
        return f" ({os.path.basename(other)}, line {error.line})" if error.line else f" ({other})"
    return f" (line {error.line})" if error.line else ""
