"""gast tree → source text, with comments and a source map.

The AST has no comments, so the transforms leave marker statements
(``syntax.comment``) that are printed here as ``# ...`` lines; each
``# Grad of:`` marker also records which primal line the following block
belongs to, which is the source map the editor uses.
"""

from __future__ import annotations

import ast

import gast

from .syntax import BOUNDARY, COMMENT_PREFIX


def to_source(node: gast.AST) -> str:
    """Print ``node`` (a function or module)."""
    tree = gast.gast_to_ast(node)  # builds new nodes: the gast tree is left as it is
    return ast.unparse(ast.fix_missing_locations(tree))


def render(node: gast.AST) -> tuple[str, dict[int, list[int]]]:
    """Source text with comments, and the map primal line → derivative lines (1-based)."""
    raw = to_source(node).splitlines()
    lines: list[str] = []
    source_map: dict[int, list[int]] = {}
    current: int | None = None
    indent_of_block = None
    for text in raw:
        stripped = text.strip()
        if stripped.lstrip("'\"").startswith(COMMENT_PREFIX):
            value = ast.literal_eval(stripped)[len(COMMENT_PREFIX):]
            primal, _, comment = value.partition(":")
            if comment == BOUNDARY:
                continue
            indent = text[: len(text) - len(text.lstrip())]
            lines.append(f"{indent}# {comment}")
            current = int(primal) if primal else None
            indent_of_block = len(indent)
            if current is not None:
                source_map.setdefault(current, []).append(len(lines))
            continue
        if current is not None:
            indent = len(text) - len(text.lstrip())
            if indent < (indent_of_block or 0) or stripped.startswith("return "):
                current = None
            else:
                source_map[current].append(len(lines) + 1)
        lines.append(text)
    return "\n".join(lines) + "\n", source_map
