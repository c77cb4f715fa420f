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
        "Dict JoinedStr FormattedValue Constant Name Load Store Del Starred Assert Raise "
        "Add Sub Mult Div FloorDiv Mod Pow MatMult LShift RShift BitOr BitXor BitAnd "
        "USub UAdd Not Invert And Or Eq NotEq Lt LtE Gt GtE Is IsNot In NotIn"
    ).split()
}


# Contexts and operators carry nothing: one shared ast instance each.
_SHARED = {
    getattr(gast, name): getattr(ast, name)()
    for name in (
        "Load Store Del Add Sub Mult Div FloorDiv Mod Pow MatMult LShift RShift BitOr BitXor "
        "BitAnd USub UAdd Not Invert And Or Eq NotEq Lt LtE Gt GtE Is IsNot In NotIn"
    ).split()
}
_FIELDS = {getattr(gast, name): (cls, cls._fields) for name, cls in _SAME.items()}
_NAME, _CONSTANT = gast.Name, gast.Constant


def _to_ast(node):
    """gast → ast for the nodes generated code uses, several times faster than
    ``gast.gast_to_ast`` (a generic visitor): same-named classes, fields copied,
    parameters made ``ast.arg``. Anything else raises ``_Unusual``."""
    cls = node.__class__
    if cls is _NAME:  # the most common nodes first
        new = ast.Name.__new__(ast.Name)
        new.__dict__ = {"id": node.id, "ctx": _SHARED[node.ctx.__class__]}
        return new
    if cls is _CONSTANT:
        new = ast.Constant.__new__(ast.Constant)
        new.__dict__ = {"value": node.value, "kind": None}
        return new
    if cls is list:
        return [_to_ast(item) for item in node]
    shared = _SHARED.get(cls)
    if shared is not None:
        return shared
    found = _FIELDS.get(cls)
    if found is None:
        if cls is gast.arguments:
            return _arguments(node)
        if isinstance(node, gast.AST):
            raise _Unusual(cls.__name__)
        return node  # str, numbers, None
    target, names = found
    fields = node.__dict__
    new = target.__new__(target)
    new.__dict__ = {key: _to_ast(fields.get(key)) for key in names}
    if isinstance(new, ast.stmt):
        new.lineno = 1  # the unparser asks statements for a line (type comments)
    return new


def _arguments(node: gast.arguments) -> ast.arguments:
    return ast.arguments(
        posonlyargs=[_argument(a) for a in node.posonlyargs],
        args=[_argument(a) for a in node.args],
        vararg=_argument(node.vararg) if node.vararg else None,
        kwonlyargs=[_argument(a) for a in node.kwonlyargs],
        kw_defaults=[_to_ast(d) if d is not None else None for d in node.kw_defaults],
        kwarg=_argument(node.kwarg) if node.kwarg else None,
        defaults=_to_ast(node.defaults),
    )


def _argument(name: gast.Name) -> ast.arg:
    if not isinstance(name, gast.Name):
        raise _Unusual("parameter")
    annotation = _to_ast(name.annotation) if name.annotation is not None else None
    return ast.arg(arg=name.id, annotation=annotation, type_comment=None)


def _numbered_comments(node: gast.AST) -> list[str]:
    """Replace each comment marker's text by its number (restored after printing), so
    that reading a marker back is a lookup, not a parse of an escaped literal."""
    texts: list[str] = []
    bodies = [node.body] if isinstance(node, (gast.Module, gast.FunctionDef)) else []
    while bodies:
        for stmt in bodies.pop():
            if stmt.__class__ is gast.Expr and stmt.value.__class__ is gast.Constant:
                value = stmt.value.value
                if isinstance(value, str) and value.startswith(COMMENT_PREFIX):
                    stmt.value.value = f"{COMMENT_PREFIX}#{len(texts)}"
                    texts.append(value)
            else:
                bodies.extend(
                    block for block in (getattr(stmt, "body", None), getattr(stmt, "orelse", None))
                    if isinstance(block, list)
                )
    return texts


def _printed(node: gast.AST) -> tuple[list[str], list[str]]:
    texts = _numbered_comments(node)
    try:
        return to_source(node).splitlines(), texts
    finally:
        _restore_comments(node, texts)


def _restore_comments(node: gast.AST, texts: list[str]) -> None:
    bodies = [node.body] if isinstance(node, (gast.Module, gast.FunctionDef)) else []
    while bodies:
        for stmt in bodies.pop():
            if stmt.__class__ is gast.Expr and stmt.value.__class__ is gast.Constant:
                value = stmt.value.value
                if isinstance(value, str) and value.startswith(COMMENT_PREFIX + "#"):
                    stmt.value.value = texts[int(value[len(COMMENT_PREFIX) + 1:])]
            else:
                bodies.extend(
                    block for block in (getattr(stmt, "body", None), getattr(stmt, "orelse", None))
                    if isinstance(block, list)
                )


def render(node: gast.AST) -> tuple[str, dict[int, list[int]]]:
    """Source text with comments, and the map primal line → derivative lines (1-based)."""
    raw, texts = _printed(node)
    lines: list[str] = []
    source_map: dict[int, list[int]] = {}
    current: int | None = None
    indent_of_block = None
    for text in raw:
        stripped = text.strip()
        if stripped.lstrip("'\"").startswith(COMMENT_PREFIX):
            marker = stripped.strip("'\"")[len(COMMENT_PREFIX):]
            original = texts[int(marker[1:])] if marker.startswith("#") else literal(stripped)
            value = original[len(COMMENT_PREFIX):]
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
