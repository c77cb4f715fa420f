"""gast tree → source text, with comments and a source map.

The AST has no comments, so the transforms leave marker statements
(``syntax.comment``) that are printed here as ``# ...`` lines; each
``# Grad of:`` marker also records which primal line the following block
belongs to, which is the source map the editor uses.
"""

from __future__ import annotations

import ast

import gast

from .parse import literal
from .syntax import BOUNDARY, COMMENT_PREFIX


def to_source(node: gast.AST) -> str:
    """Print ``node`` (a function or module)."""
    try:
        tree = _to_ast(node)
    except _Unusual:
        tree = ast.fix_missing_locations(gast.gast_to_ast(node))
    return ast.unparse(tree)


class _Unusual(Exception):
    """A node ``_to_ast`` leaves to gast's own converter."""


# Nodes whose gast and ast forms have the same class name and fields (the ast
# fields a subset of the gast ones): what generated code is made of.
_SAME = {
    name: getattr(ast, name)
    for name in (
        "Module FunctionDef Assign AugAssign Expr Return If For While Pass Break Continue "
        "BinOp UnaryOp BoolOp Compare IfExp Call keyword Attribute Subscript Slice Tuple List "
        "Dict Constant Name Load Store Del Starred Assert "
        "Add Sub Mult Div FloorDiv Mod Pow MatMult LShift RShift BitOr BitXor BitAnd "
        "USub UAdd Not Invert And Or Eq NotEq Lt LtE Gt GtE Is IsNot In NotIn"
    ).split()
}


def _to_ast(node):
    """gast → ast for the nodes generated code uses, several times faster than
    ``gast.gast_to_ast`` (a generic visitor): same-named classes, fields copied,
    parameters made ``ast.arg``. Anything else raises ``_Unusual``."""
    cls = node.__class__
    if cls is list:
        return [_to_ast(item) for item in node]
    if cls is gast.arguments:
        return ast.arguments(
            posonlyargs=[_argument(a) for a in node.posonlyargs],
            args=[_argument(a) for a in node.args],
            vararg=_argument(node.vararg) if node.vararg else None,
            kwonlyargs=[_argument(a) for a in node.kwonlyargs],
            kw_defaults=[_to_ast(d) if d is not None else None for d in node.kw_defaults],
            kwarg=_argument(node.kwarg) if node.kwarg else None,
            defaults=_to_ast(node.defaults),
        )
    target = _SAME.get(cls.__name__) if isinstance(node, gast.AST) else None
    if target is None:
        if isinstance(node, gast.AST):
            raise _Unusual(cls.__name__)
        return node  # str, numbers, None
    fields = node.__dict__
    new = target.__new__(target)
    new.__dict__ = {
        key: _to_ast(fields[key]) if key in fields else None for key in target._fields
    }
    if isinstance(new, ast.stmt):
        new.lineno = 1  # the unparser asks statements for a line (type comments)
    return new


def _argument(name: gast.Name) -> ast.arg:
    if not isinstance(name, gast.Name):
        raise _Unusual("parameter")
    annotation = _to_ast(name.annotation) if name.annotation is not None else None
    return ast.arg(arg=name.id, annotation=annotation, type_comment=None)


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
            value = literal(stripped)[len(COMMENT_PREFIX):]
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
