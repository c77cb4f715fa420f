"""Where a derivative goes in a module, and the text edits that put it there.

* The derivative of ``f`` goes directly below ``f`` (after the comments
  indented as its body's last lines), after any derivatives already generated
  there, with two blank lines around each top-level ``def`` (PEP 8).
* If a derivative of ``f`` with respect to the same arguments in the same mode
  is already in the module (found by its header comment, wherever it was moved),
  it is replaced in place: "Regenerate". A derivative the user renamed keeps
  their name, so that their calls to it still work (unless the new code already
  uses that name, then it gets the engine's name).
* The imports the derivative needs go at the top of the module, once: a name
  the module already imports is not imported again, and an existing
  ``from tangent_lsp.runtime import ...`` line is extended rather than repeated.

Positions are (1-based line, code-point column); the server converts them to
the client's encoding. No LSP types here.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from ..engine.parse import parse_python
from .locate import Parsed, first_line
from .stale import Generated, generated, generated_below, parse_header

Point = tuple[int, int]


@dataclass(frozen=True)
class Edit:
    start: Point
    end: Point
    text: str


@dataclass
class Plan:
    edits: list[Edit]
    replaces: Generated | None  # the derivative this plan regenerates, if any


def existing_derivative(
    parsed: Parsed, func: ast.FunctionDef, wrt: tuple[str, ...], mode: str = "reverse",
    at: int | None = None,
) -> Generated | None:
    """The generated derivative of ``func`` w.r.t. ``wrt`` in ``mode``, by its header,
    wherever it is: the one whose header is on line ``at`` (the one a quick fix is
    for), else the first right below ``func``, else the first in the module."""
    matching = [
        block for block in generated(parsed)
        if (block.header.function, block.header.wrt, block.header.mode)
        == (func.name, tuple(wrt), mode) or (
            block.start == at and (block.header.function, block.header.mode) == (func.name, mode)
        )  # the quick fix's own block, for a parameter renamed since
    ]
    below = {block.start for block in generated_below(parsed, func)}
    for wanted in (lambda b: b.start == at, lambda b: b.start in below, lambda b: True):
        found = next((block for block in matching if wanted(block)), None)
        if found is not None:
            return found
    return None


def derivation_source(
    parsed: Parsed, function: str, wrt: tuple[str, ...] | None = None, mode: str = "reverse"
) -> str:
    """The text to differentiate ``function`` from: its earlier derivatives blanked out.

    Derivatives generated earlier must not influence the new one (the engine
    would otherwise pick ``dloss_dW2`` to avoid the old ``dloss_dW``). Their
    lines become empty lines, so every line number stays where it was. The derivatives
    of the functions it calls that another variant brought along stay (``dg_dx``): the
    new one names its own differently, so that neither replaces the other's.
    """
    blank = blanked_lines(parsed, function, wrt, mode)
    if not blank:
        return parsed.text
    return "\n".join("" if i + 1 in blank else text for i, text in enumerate(parsed.lines))


def blanked_lines(
    parsed: Parsed, function: str, wrt: tuple[str, ...] | None = None, mode: str = "reverse"
) -> frozenset[int]:
    """The lines (1-based) ``derivation_source`` leaves empty."""
    blank: set[int] = set()
    for block in generated(parsed):
        if block.header.function == function:
            replaced = wrt is None or (block.header.wrt == tuple(wrt) and block.header.mode == mode)
            blank.update(range(block.start, (block.end if replaced else block.own_end) + 1))
    return frozenset(blank)


def plan_insertion(
    parsed: Parsed,
    func: ast.FunctionDef,
    header: str,
    code: str,
    wrt: tuple[str, ...],
    imports: list[str],
    name: str | None = None,
    at: int | None = None,
) -> Plan:
    """Edits that put ``header`` + ``code`` below ``func`` and add ``imports`` at the top.

    An earlier derivative with the same header (function, ``wrt``, mode) is replaced
    where it is: the one whose header is on line ``at``, if that one matches. ``name``
    is the new derivative's function name in ``code``; the replaced one's name is kept.
    """
    parsed_header = parse_header(header, 0)
    mode = parsed_header.mode if parsed_header is not None else "reverse"
    replaced = existing_derivative(parsed, func, wrt, mode, at)
    if replaced is not None and name and replaced.header.wrt == tuple(wrt):
        code = keep_name(code, name, replaced.name)
    body = header + "\n" + pep8_spacing(code).rstrip("\n")
    edits = plan_imports(parsed, imports)
    if replaced is not None:
        end_text = parsed.line(replaced.end)
        edits.append(Edit((replaced.start, 0), (replaced.end, len(end_text)),
                          body + _blank_lines_before_next(parsed, replaced.end)))
    else:
        below = generated_below(parsed, func)
        anchor = _with_trailing_comments(
            parsed, below[-1].end if below else (func.end_lineno or func.lineno))
        end = (anchor, len(parsed.line(anchor)))
        text = "\n\n\n" + body + _blank_lines_before_next(parsed, anchor)
        if anchor >= len(parsed.lines):  # the function ends the file without a newline
            text += "\n"
        edits.append(Edit(end, end, text))
    newline = _newline(parsed.text)
    if newline != "\n":  # the document's own line endings, not a mix
        edits = [Edit(e.start, e.end, e.text.replace("\n", newline)) for e in edits]
    return Plan(edits, replaced)


def _with_trailing_comments(parsed: Parsed, end: int) -> int:
    """The last line of the top-level ``def`` ending at ``end``, counting the indented
    comments after its last statement: they read as its body (a commented-out line)."""
    for line in range(end + 1, len(parsed.lines) + 1):
        text = parsed.line(line)
        if not text.strip():
            continue
        if not (text[0].isspace() and text.lstrip().startswith("#")):
            break
        end = line
    return end


def _blank_lines_before_next(parsed: Parsed, end: int) -> str:
    """The newlines that leave two blank lines between text inserted after line ``end``
    and the code that follows it (the blank lines already there count)."""
    blank = 0
    for line in range(end + 1, len(parsed.lines) + 1):
        if parsed.line(line).strip():
            return "\n" * max(0, 2 - blank)
        blank += 1
    return ""  # nothing follows


def pep8_spacing(code: str) -> str:
    """``code`` with two blank lines between its top-level statements where one is a
    ``def`` or ``class`` (the engine separates the derivatives of callees by one)."""
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return code
    lines = code.split("\n")
    definitions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    for before, after in reversed(list(zip(body, body[1:]))):
        if not (isinstance(before, definitions) or isinstance(after, definitions)):
            continue
        gap = slice(before.end_lineno or before.lineno, first_line(after) - 1)
        if all(not text.strip() for text in lines[gap]):  # a comment there is left as it is
            lines[gap] = ["", ""]
    return "\n".join(lines)


def keep_name(code: str, name: str, kept: str) -> str:
    """``code`` with its function ``name`` renamed ``kept`` (a derivative the user renamed),
    when that is a plain rename: ``name`` only in the first ``def``, ``kept`` nowhere."""
    if name == kept or not kept.isidentifier():
        return code
    uses = re.compile(rf"(?<![\w.]){re.escape(name)}\b")
    if len(uses.findall(code)) != 1 or not code.startswith(f"def {name}(") or re.search(
        rf"(?<![\w.]){re.escape(kept)}\b", code
    ):
        return code
    return f"def {kept}(" + code[len(f"def {name}("):]


def _newline(text: str) -> str:
    """The document's line ending, from its first line (``\r`` alone too: old Mac files)."""
    end = text.find("\n")
    if end < 0:
        return "\r" if "\r" in text else "\n"
    cr = text.find("\r")
    if 0 <= cr < end - 1:
        return "\r"  # a line ended by `\r` alone comes before the first `\n`
    return "\r\n" if end > 0 and text[end - 1] == "\r" else "\n"


def plan_imports(parsed: Parsed, imports: list[str]) -> list[Edit]:
    """Edits adding the import lines ``imports`` needs that the module lacks, once."""
    new_lines: list[str] = []
    edits: list[Edit] = []
    for line in imports:
        try:
            stmt = parse_python(line).body[0]
        except (SyntaxError, IndexError):
            continue
        if isinstance(stmt, ast.Import):
            missing = [a for a in stmt.names if parsed.imports.get(_bound(a)) != _target(a)]
            if missing:
                new_lines.append(line if len(missing) == len(stmt.names) else
                                 "import " + ", ".join(_alias(a) for a in missing))
        elif isinstance(stmt, ast.ImportFrom) and stmt.module:
            missing = [
                a for a in stmt.names
                if parsed.imports.get(a.asname or a.name) != f"{stmt.module}.{a.name}"
            ]
            if not missing:
                continue
            existing = _simple_from_import(parsed, stmt.module)
            if existing is not None:
                names = [_alias(a) for a in existing.names] + [_alias(a) for a in missing]
                text = f"from {stmt.module} import " + ", ".join(sorted(set(names)))
                edits.append(
                    Edit((existing.lineno, 0), (existing.lineno, len(parsed.line(existing.lineno))),
                         text)
                )
            else:
                new_lines.append(f"from {stmt.module} import "
                                 + ", ".join(_alias(a) for a in missing))
    if new_lines:
        edits.insert(0, _insert_lines(parsed, new_lines))
    return edits


def _bound(alias: ast.alias) -> str:
    return alias.asname or alias.name.split(".")[0]


def _target(alias: ast.alias) -> str:
    return alias.name if alias.asname else alias.name.split(".")[0]


def _alias(alias: ast.alias) -> str:
    return f"{alias.name} as {alias.asname}" if alias.asname else alias.name


def _simple_from_import(parsed: Parsed, module: str) -> ast.ImportFrom | None:
    """A one-line top-level ``from MODULE import a, b`` statement alone on its line."""
    for stmt in parsed.tree.body:
        if (
            isinstance(stmt, ast.ImportFrom)
            and stmt.module == module
            and not stmt.level
            and stmt.lineno == stmt.end_lineno
            and all(a.name != "*" for a in stmt.names)
            and parsed.line(stmt.lineno).strip() == ast.unparse(stmt)
        ):
            return stmt
    return None


def _insert_lines(parsed: Parsed, lines: list[str]) -> Edit:
    """Insert whole import lines after the module's leading imports (or docstring)."""
    body = parsed.tree.body
    index = 0
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        index = 1
    last_import = None
    while index < len(body) and isinstance(body[index], (ast.Import, ast.ImportFrom)):
        last_import = body[index]
        index += 1
    block = "\n".join(lines) + "\n"
    if last_import is not None:
        line = (last_import.end_lineno or last_import.lineno) + 1
    elif index == 1:  # after the docstring, with a blank line between
        line = (body[0].end_lineno or body[0].lineno) + 1
        block = "\n" + block
    elif body:
        stmt = body[0]
        line = first_line(stmt)
        block += "\n\n"
    else:
        line = 1
    if line > len(parsed.lines):  # the last line has no newline: start one
        end = (len(parsed.lines), len(parsed.lines[-1]))
        return Edit(end, end, "\n" + block.rstrip("\n"))
    return Edit((line, 0), (line, 0), block)


def apply(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits (code-point positions) to ``text``, as a client would."""
    from .positions import split_lines

    lines = split_lines(text)
    starts = [0]
    offset = 0
    for line_text in lines[:-1]:
        offset += len(line_text)
        # the separator after this line: \r\n, \r or \n
        sep = text[offset:offset + 2]
        offset += 2 if sep == "\r\n" else 1
        starts.append(offset)

    def index(point: Point) -> int:
        line, col = point
        if line > len(lines):
            return len(text)
        return starts[line - 1] + min(col, len(lines[line - 1]))

    ordered = sorted(edits, key=lambda e: (index(e.start), index(e.end)), reverse=True)
    for edit in ordered:
        text = text[: index(edit.start)] + edit.text + text[index(edit.end):]
    return text
