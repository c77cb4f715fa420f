"""Generated derivatives in a text, and which of them are stale.

Every derivative the server inserts starts with a one-line header::

    # tangent-lsp: d(loss)/d(W), from loss (source 6e385b4e)

(``d(loss)/d(W) [forward], ...`` for forward mode) naming the source function
and a short hash of its source text. When the
function is edited its hash changes and the derivative below is stale.
"""

from __future__ import annotations

import ast
import itertools
import re
from dataclasses import dataclass

from tangent_lsp.engine import source_hash as _engine_source_hash

from .locate import Parsed, first_line
from .positions import split_lines

HEADER = re.compile(
    r"^# tangent-lsp: d\((?P<function>[^()]*)\)/d\((?P<wrt>[^()]*)\)(?P<mode> \[forward\])?, "
    r"from (?P<source>[^\s()]+) \(source (?P<hash>[0-9a-f]{4,64})\)\s*$"
)


@dataclass(frozen=True)
class Header:
    line: int  # 1-based
    function: str  # the function differentiated ("loss")
    wrt: tuple[str, ...]
    source_hash: str
    mode: str = "reverse"


@dataclass(frozen=True)
class Generated:
    """A header, the top-level ``def`` directly under it, and the derivatives of the
    functions it calls that were inserted with it (the ``def``s that follow, without a
    header of their own, which it calls)."""

    header: Header
    name: str  # the derivative's name ("dloss_dW")
    start: int  # header line (1-based)
    end: int  # last line of the block
    own_end: int = 0  # last line of the header's own def (the block's end without callees)


def parse_header(text: str, line: int) -> Header | None:
    match = HEADER.match(text)
    if match is None or match["function"] != match["source"]:
        return None
    wrt = tuple(w.strip() for w in match["wrt"].split(",") if w.strip())
    return Header(line, match["function"], wrt, match["hash"],
                  "forward" if match["mode"] else "reverse")


def headers(parsed: Parsed) -> list[Header]:
    """Every header line in the text (at column 0)."""
    found = []
    for index, text in enumerate(parsed.lines):
        if text.startswith("# tangent-lsp: "):
            header = parse_header(text, index + 1)
            if header is not None:
                found.append(header)
    return found


def generated(parsed: Parsed) -> list[Generated]:
    """Headers that sit directly above a top-level function: the generated derivatives."""
    cached = parsed.memo.get("generated")
    if cached is None:
        cached = parsed.memo["generated"] = _generated(parsed)
    return list(cached)


def _generated(parsed: Parsed) -> list[Generated]:
    by_line = {h.line: h for h in headers(parsed)}
    blocks = []
    body = parsed.tree.body
    functions = {f.name: f for f in body if isinstance(f, ast.FunctionDef)}
    for index, func in enumerate(body):
        if not isinstance(func, ast.FunctionDef):
            continue
        header = by_line.get(first_line(func) - 1)
        if header is None:
            continue
        end = own_end = func.end_lineno or func.lineno
        called: set[str] | None = None  # walked only when a callee's derivative may follow
        reached: set[str] | None = None
        for stmt in itertools.islice(body, index + 1, None):  # callees' derivatives, with it
            if not (isinstance(stmt, ast.FunctionDef) and first_line(stmt) - 1 not in by_line):
                break
            if reached is None:
                reached = _reached(header.function, functions)
            if not _derivative_of_one(stmt.name, reached):
                break
            called = _called(func) if called is None else called
            if stmt.name not in called:
                break
            end = stmt.end_lineno or stmt.lineno
            called |= _called(stmt)
        blocks.append(Generated(header, func.name, header.line, end, own_end))
    return blocks


def _reached(source: str, functions: dict[str, ast.FunctionDef]) -> set[str]:
    """The names the function ``source`` calls, and the module's functions it calls call
    (a derivative brings those of its callees along): a user's own ``dg_dc`` below ``df_dx``
    is not one of them when ``f`` calls ``dg_dc``, not ``g`` (hunt 44)."""
    reached: set[str] = set()
    stack = [source]
    while stack:
        func = functions.get(stack.pop())
        if func is None:
            continue
        for name in _called(func, attributes=True) - reached:
            reached.add(name)
            stack.append(name)
    return reached


def _derivative_of_one(name: str, functions: set[str]) -> bool:
    """``dg_dx`` or ``tg_dx`` (``dg_dx2``...): named as the derivative of one of
    ``functions`` (a user's ``g`` defined below a derivative calling it is not)."""
    if not name.startswith(("d", "t")):
        return False
    cut = name.find("_d", 2)
    while cut >= 0:  # each "_d" may end the function's name
        if name[1:cut] in functions:
            return True
        cut = name.find("_d", cut + 1)
    return False


def _called(func: ast.FunctionDef, attributes: bool = False) -> set[str]:
    """The names ``func`` calls (``g(...)``; with ``attributes``, ``layers.g(...)`` too)."""
    return {
        node.func.id if isinstance(node.func, ast.Name) else node.func.attr
        for node in ast.walk(func)
        if isinstance(node, ast.Call) and (
            isinstance(node.func, ast.Name) or attributes and isinstance(node.func, ast.Attribute)
        )
    }


def generated_below(parsed: Parsed, func: ast.FunctionDef) -> list[Generated]:
    """The run of generated derivatives that directly follows ``func`` (any source function)."""
    blocks = {g.start: g for g in generated(parsed)}
    body = parsed.tree.body
    index = next((i for i, s in enumerate(body) if s is func), None)
    if index is None:
        return []
    run = []
    for stmt in body[index + 1:]:
        if run and stmt.lineno <= run[-1].end:
            continue  # a callee's derivative, inside the block before
        if not isinstance(stmt, ast.FunctionDef):
            break
        block = blocks.get(first_line(stmt) - 1)
        if block is None:
            break
        run.append(block)
    return run


class _Lines:
    """What the engine's ``source_hash`` reads from a module: its lines (split as the
    engine splits them, not as ``str.splitlines``, which also breaks at form feeds) and
    its top-level functions."""

    def __init__(self, parsed: Parsed) -> None:
        self.lines = split_lines(parsed.text)
        self.functions = {f.name: f for f in parsed.tree.body if isinstance(f, ast.FunctionDef)}


def _lines(parsed: Parsed) -> _Lines:
    """Built once per text: splitting a long module for each of its derivatives is
    quadratic, and it runs on the event loop at every publish and code action."""
    cached = parsed.memo.get("lines")
    if cached is None:
        cached = parsed.memo["lines"] = _Lines(parsed)
    return cached


def function_hash(parsed: Parsed, func: ast.FunctionDef) -> str:
    """The hash the engine writes into a header for ``func`` (same function, same text)."""
    return _engine_source_hash(_lines(parsed), func)


@dataclass(frozen=True)
class Stale:
    block: Generated
    current_hash: str


def stale(parsed: Parsed) -> list[Stale]:
    """Generated derivatives whose source function changed since they were generated.

    A derivative whose source function no longer exists is left alone: there is
    nothing to regenerate it from.
    """
    cached = parsed.memo.get("stale")
    if cached is None:
        cached = parsed.memo["stale"] = _stale(parsed)
    return list(cached)


def _stale(parsed: Parsed) -> list[Stale]:
    found = []
    hashes: dict[str, str] = {}
    functions = _lines(parsed).functions
    for block in generated(parsed):
        name = block.header.function
        func = functions.get(name)
        if func is None:
            continue
        if name not in hashes:
            hashes[name] = function_hash(parsed, func)
        if hashes[name] != block.header.source_hash:
            found.append(Stale(block, hashes[name]))
    return found
