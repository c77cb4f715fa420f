"""Columns in three units: UTF-8 bytes (Python's ``ast``), code points (``str``), and
whatever the client speaks (UTF-16 code units by default in LSP).

Everything in the server's plain modules works in **code points** on 1-based
lines, the way Python strings index. Conversions happen only at the edges:
``ast`` offsets come in as UTF-8 bytes, LSP positions come and go in the
negotiated encoding ("utf-16", "utf-8" or "utf-32").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"

# LSP ends a line at \n, \r\n or \r only (str.splitlines also splits at \f, \x1c,
# \u2028 and friends, which would shift every line below them).
_NEWLINE = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` as LSP counts them, without their line endings."""
    return _NEWLINE.split(text)


def units(text: str, encoding: str = UTF16) -> int:
    """Length of ``text`` in the units of ``encoding``."""
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def to_units(line: str, col: int, encoding: str = UTF16) -> int:
    """Code-point column ``col`` of ``line`` → column in ``encoding`` units."""
    col = max(0, min(col, len(line)))
    return units(line[:col], encoding)


def from_units(line: str, col: int, encoding: str = UTF16) -> int:
    """Column in ``encoding`` units → code-point column (clamped to the line).

    A column that falls inside a character (half a surrogate pair, a byte in the
    middle of a UTF-8 sequence) rounds down to that character's start.
    """
    if col <= 0:
        return 0
    if encoding == UTF32:
        return min(col, len(line))
    count = 0
    for index, ch in enumerate(line):
        width = (len(ch.encode("utf-8", "surrogatepass")) if encoding == UTF8
                 else 2 if ord(ch) > 0xFFFF else 1)
        if count + width > col:
            return index
        count += width
    return len(line)


def byte_to_cp(line: str, byte_col: int) -> int:
    """``ast`` column (UTF-8 bytes) → code-point column."""
    return len(line.encode("utf-8", "surrogatepass")[:max(byte_col, 0)].decode("utf-8", "ignore"))


def cp_to_byte(line: str, col: int) -> int:
    """Code-point column → ``ast`` column (UTF-8 bytes)."""
    return len(line[:max(col, 0)].encode("utf-8", "surrogatepass"))


@dataclass(frozen=True)
class Position:
    """A 0-based line and a column in client units, as in LSP."""

    line: int
    character: int


class LineIndex:
    """Converts between (1-based line, code-point column) and LSP positions for one text."""

    def __init__(self, text: str, encoding: str = UTF16) -> None:
        self.lines = split_lines(text)
        self.encoding = encoding

    def line(self, lineno: int) -> str:
        """Text of the 1-based line ``lineno`` ("" outside the text)."""
        return self.lines[lineno - 1] if 1 <= lineno <= len(self.lines) else ""

    def to_lsp(self, lineno: int, col: int) -> Position:
        """(1-based line, code-point column) → LSP position, clamped into the text."""
        if lineno < 1:
            return Position(0, 0)
        if lineno > len(self.lines):
            last = len(self.lines)
            return Position(last - 1, units(self.lines[-1], self.encoding))
        return Position(lineno - 1, to_units(self.lines[lineno - 1], col, self.encoding))

    def from_lsp(self, line: int, character: int) -> tuple[int, int]:
        """LSP position → (1-based line, code-point column), clamped into the text."""
        if line < 0:
            return 1, 0
        if line >= len(self.lines):
            return len(self.lines), len(self.lines[-1])
        return line + 1, from_units(self.lines[line], character, self.encoding)

    def ast_to_lsp(self, lineno: int, byte_col: int) -> Position:
        """``ast`` location (1-based line, UTF-8 byte column) → LSP position."""
        return self.to_lsp(lineno, byte_to_cp(self.line(lineno), byte_col))

    def end_of_line(self, lineno: int) -> Position:
        return self.to_lsp(lineno, len(self.line(lineno)))
