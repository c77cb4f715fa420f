"""UTF-16 / UTF-8 / code-point columns."""

from __future__ import annotations

import ast

import pytest

from tangent_lsp.server.positions import (
    LineIndex,
    Position,
    byte_to_cp,
    cp_to_byte,
    from_units,
    split_lines,
    to_units,
    units,
)

LINE = 'x = "a😀é" + y'  # 😀 is two UTF-16 units and four UTF-8 bytes; é two bytes


def test_units():
    assert units("abc") == 3
    assert units("😀") == 2
    assert units("😀", "utf-8") == 4
    assert units("😀", "utf-32") == 1
    assert units("é", "utf-8") == 2


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8", "utf-32"])
def test_round_trip_every_column(encoding):
    for col in range(len(LINE) + 1):
        assert from_units(LINE, to_units(LINE, col, encoding), encoding) == col


def test_utf16_columns():
    plus = LINE.index("+")
    assert to_units(LINE, plus) == plus + 1
    assert from_units(LINE, plus + 1) == plus
    # inside the surrogate pair: rounds down to the emoji
    emoji = LINE.index("😀")
    assert from_units(LINE, emoji + 1) == emoji
    assert from_units(LINE, 999) == len(LINE)
    assert from_units(LINE, -3) == 0


def test_ast_bytes_to_code_points():
    node = ast.parse(LINE).body[0].value.right  # `y`
    assert byte_to_cp(LINE, node.col_offset) == LINE.index("y")
    assert cp_to_byte(LINE, LINE.index("y")) == node.col_offset


def test_split_lines_like_lsp():
    assert split_lines("a\r\nb\rc\nd") == ["a", "b", "c", "d"]
    assert split_lines("a\n") == ["a", ""]
    # form feed and U+2028 do not end a line in LSP (str.splitlines would split)
    assert split_lines("a\x0cb\u2028c") == ["a\x0cb\u2028c"]
    assert split_lines("") == [""]


def test_line_index():
    index = LineIndex("first\n" + LINE + "\n")
    assert index.to_lsp(2, LINE.index("+")) == Position(1, LINE.index("+") + 1)
    assert index.from_lsp(1, LINE.index("+") + 1) == (2, LINE.index("+"))
    assert index.ast_to_lsp(2, cp_to_byte(LINE, LINE.index("y"))) == Position(1, len(LINE))
    assert index.to_lsp(99, 0) == Position(2, 0)  # clamped to the end
    assert index.from_lsp(99, 5) == (3, 0)
    assert index.to_lsp(0, 5) == Position(0, 0)
    assert index.end_of_line(2) == Position(1, units(LINE))
