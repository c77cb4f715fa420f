"""What a derivation reads from a document, as a key: a derivative stays cached while the
user types in another function (re-deriving a 300-statement function takes half a second,
and every hover, lens and diagnostic waits on it).

The engine reads, of the text it is given (``edits.derivation_source``: the function's
earlier derivatives blanked out): the function, every function it refers to by name
(transitively), every top-level statement that is not a plain ``def`` (imports,
constants, classes, decorated rules: each can change how a name resolves), the names the
top-level ``def`` statements bind (the derivative's own names avoid them), and the line
numbers of all of those (errors and the source map carry them). The key is the texts in
their order; an undecorated function nothing refers to is left out. The lines are kept
beside the key, not in it: a line typed above a function moves every derivation below
it, and a cached derivative is moved with it (``placement.py``), not derived again.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Hashable

from .locate import Parsed

_DEF = (ast.FunctionDef, ast.AsyncFunctionDef)


Spans = tuple[tuple[int, int], ...]  # (first line, last line) of each statement read


@dataclass(frozen=True)
class Reads:
    key: Hashable  # the texts read, in order, without their lines
    spans: Spans  # where each of those is


def fingerprint(parsed: Parsed, function: str, blanked: frozenset[int]) -> Reads:
    """The parts of ``parsed`` a derivation of ``function`` reads, and their lines;
    ``blanked``: the lines the engine sees empty."""
    statements = [s for s in parsed.tree.body if _first_line(s) not in blanked]
    plain = [s for s in statements if isinstance(s, _DEF) and not s.decorator_list]
    by_name: dict[str, list[ast.stmt]] = {}
    for func in plain:
        by_name.setdefault(func.name, []).append(func)
    read = [s for s in statements if not (isinstance(s, _DEF) and not s.decorator_list)]
    pending = [name for s in read for name in _names(s)] + [function]
    kept: set[int] = {id(s) for s in read}
    while pending:
        for func in by_name.get(pending.pop(), ()):
            if id(func) not in kept:
                kept.add(id(func))
                pending.extend(_names(func))
    read_now = [s for s in statements if id(s) in kept]
    texts = tuple(_text(parsed, s) for s in read_now)
    spans = tuple((_first_line(s), getattr(s, "end_lineno", None) or s.lineno) for s in read_now)
    return Reads((tuple(sorted(by_name)), texts), spans)


def _first_line(stmt: ast.stmt) -> int:
    decorators = getattr(stmt, "decorator_list", None)
    return decorators[0].lineno if decorators else stmt.lineno


def _text(parsed: Parsed, stmt: ast.stmt) -> str:
    end = getattr(stmt, "end_lineno", None) or stmt.lineno
    return "\n".join(parsed.lines[_first_line(stmt) - 1 : end])


def _names(node: ast.AST) -> set[str]:
    """Every identifier a tree mentions (read, bound, or as an attribute's base), and
    the names an import, class or ``def`` binds: a superset of the functions it can reach,
    and of the plain ``def`` statements whose place decides which binding of a name
    counts (``def np`` above or below ``import numpy as np``)."""
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        names |= {(a.asname or a.name).partition(".")[0] for a in node.names}
    elif isinstance(node, (ast.ClassDef, *_DEF)):
        names.add(node.name)
    return names
