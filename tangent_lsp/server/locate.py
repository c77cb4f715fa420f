"""What is at a position in a Python text: the function, the statement, the call.

Plain functions over the standard ``ast`` (fast, and its positions are the
ones the engine reports). Lines are 1-based and columns are **code points**
throughout; a text that does not parse gives ``None`` (half-typed code is
normal in an editor, never an error).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from ..engine.parse import parse_python
from ..engine.project import module_file
from .positions import byte_to_cp, split_lines

if TYPE_CHECKING:
    from ..engine import Derivative

# The engine's keys for Python operators (tangent_lsp/engine/normalize.py).
BINARY_OPERATORS: dict[type, tuple[str, str]] = {
    ast.Add: ("numpy.add", "+"),
    ast.Sub: ("numpy.subtract", "-"),
    ast.Mult: ("numpy.multiply", "*"),
    ast.Div: ("numpy.true_divide", "/"),
    ast.FloorDiv: ("numpy.floor_divide", "//"),
    ast.Mod: ("numpy.mod", "%"),
    ast.Pow: ("numpy.power", "**"),
    ast.MatMult: ("numpy.matmul", "@"),
}
UNARY_OPERATORS: dict[type, tuple[str, str]] = {
    ast.USub: ("numpy.negative", "-"),
    ast.UAdd: ("numpy.positive", "+"),
}

Point = tuple[int, int]  # (1-based line, code-point column)
Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass
class Span:
    start: Point
    end: Point

    def contains(self, point: Point) -> bool:
        return self.start <= point < self.end

    def size(self) -> tuple[int, int]:
        return (self.end[0] - self.start[0], self.end[1] - self.start[1])


@dataclass
class Parsed:
    """A text that parsed, with its tree and its lines (split as LSP splits them)."""

    text: str
    tree: ast.Module
    lines: list[str] = field(default_factory=list)
    memo: dict = field(default_factory=dict, repr=False)  # results derived from this text

    def line(self, lineno: int) -> str:
        return self.lines[lineno - 1] if 1 <= lineno <= len(self.lines) else ""

    def point(self, lineno: int, byte_col: int) -> Point:
        return (lineno, byte_to_cp(self.line(lineno), byte_col))

    def span(self, node: ast.AST) -> Span:
        end_line = getattr(node, "end_lineno", None) or node.lineno
        end_col = getattr(node, "end_col_offset", None)
        if end_col is None:
            end_col = len(self.line(end_line).encode())
        return Span(self.point(node.lineno, node.col_offset), self.point(end_line, end_col))

    @cached_property
    def functions(self) -> list[Function]:
        """Top-level functions, in order: ``def``, and ``async def`` too, so that asking
        for one gets the engine's reason why it cannot differentiate it."""
        return [s for s in self.tree.body
                if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]

    @cached_property
    def _bound(self) -> dict[str, Function]:
        """Each name's last top-level definition: what Python binds the name to when the
        module has run, and what the engine differentiates."""
        return {func.name: func for func in self.functions}

    def function_named(self, name: str) -> Function | None:
        return self._bound.get(name)

    def redefined(self, func: Function) -> bool:
        """A definition a later ``def`` of the same name replaces: the derivative of its
        name is the later one's, so nothing is offered on this one."""
        return self._bound.get(func.name) is not func

    @cached_property
    def imports(self) -> dict[str, str]:
        """Top-level names bound by imports → what they import ("np" → "numpy"), in the
        order the module runs: a later ``def tanh`` replaces ``from numpy import tanh``;
        the imports a top-level ``try`` makes count (``try: from numpy import cos``)."""
        bound: dict[str, str] = {}
        statements = [inner for stmt in self.tree.body
                      for inner in (stmt.body if isinstance(stmt, ast.Try) else [stmt])]
        for stmt in statements:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bound.pop(stmt.name, None)
            elif isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    if alias.asname:
                        bound[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        bound[top] = top
            elif isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
                for alias in stmt.names:
                    if alias.name != "*":
                        bound[alias.asname or alias.name] = f"{stmt.module}.{alias.name}"
        return bound


def parse(text: str) -> Parsed | None:
    """Parse ``text``; None if it is not valid Python (or too deeply nested to parse)."""
    try:
        tree = parse_python(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None
    return Parsed(text=text, tree=tree, lines=split_lines(text))


def parse_repaired(text: str, attempts: int = 3) -> Parsed | None:
    """``text`` parsed with each top-level block that has a syntax error blanked out (its
    lines left empty, so every other line keeps its number and columns): the function
    being typed below a finished one does not take the finished one's hover away. For
    read-only features only: an edit computed from it would not see the blanked lines."""
    lines = split_lines(text)
    for _ in range(attempts):
        try:
            tree = parse_python("\n".join(lines))
        except SyntaxError as error:
            block = _top_level_block(lines, _error_line(error) - 1)
            if block is None:
                return None
            for index in block:
                lines[index] = ""
            continue
        except (ValueError, RecursionError, MemoryError, OverflowError):
            return None
        return Parsed(text="\n".join(lines), tree=tree, lines=lines)
    return None


# `def f(x):` with no body yet is reported on the next statement's line (`def g`, a
# finished function), naming the line of the statement that lacks its block
_EMPTY_BLOCK = re.compile(r"expected an indented block after .* on line (\d+)")


def _error_line(error: SyntaxError) -> int:
    """The line (1-based) of the statement a syntax error is in."""
    empty = _EMPTY_BLOCK.search(error.msg or "")
    return int(empty.group(1)) if empty else error.lineno or 1


def _top_level_block(lines: list[str], index: int) -> range | None:
    """The lines of the top-level statement that holds line ``index`` (0-based): from the
    last line at or before it that starts in column 0 to the next such line."""
    def starts(i: int) -> bool:
        return bool(lines[i]) and not lines[i][0].isspace() and not lines[i].startswith("#")

    if not 0 <= index < len(lines):
        index = len(lines) - 1
    first = next((i for i in range(index, -1, -1) if starts(i)), None)
    if first is None:
        return None
    end = next((i for i in range(index + 1, len(lines)) if starts(i)), len(lines))
    return range(first, end)


def first_line(stmt: ast.stmt) -> int:
    """The line where ``stmt`` starts, decorators included (functions and classes)."""
    return min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", ())])


def replaced_at(parsed: Parsed, point: Point) -> tuple[Function, Function] | None:
    """``(f, later)`` when ``point`` is in a top-level ``def f`` that a later ``def f``
    replaces."""
    for func in parsed.functions:
        if first_line(func) <= point[0] <= (func.end_lineno or func.lineno):
            later = parsed.function_named(func.name)
            return (func, later) if later is not func else None
    return None


def nested_at(parsed: Parsed, point: Point) -> tuple[Function, str] | None:
    """``(f, where)`` when ``point`` is on the name of a ``def f`` that is not at the top
    level of the module: a method (``where`` = ``"class Model"``), or a function defined
    inside another (``"function f"``) or a block (``"an `if`"``, ``"a `for` loop"``...)."""
    line = point[0]
    stack: list[tuple[ast.AST, str]] = [(stmt, "") for stmt in parsed.tree.body]
    while stack:
        node, where = stack.pop()
        if not (node.lineno <= line <= (getattr(node, "end_lineno", None) or node.lineno)):
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and where:
            if node.lineno == line and name_span(parsed, node).contains(point):
                return node, where
        if isinstance(node, ast.ClassDef):
            inner = f"class {node.name}"
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inner = f"function {node.name}"
        else:
            inner = where or _BLOCKS.get(type(node), "a block")
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                stack.append((child, inner))
    return None


_BLOCKS = {ast.If: "an `if`", ast.For: "a `for` loop", ast.While: "a `while` loop",
           ast.With: "a `with` block", ast.Try: "a `try` block"}


def function_at(parsed: Parsed, point: Point) -> Function | None:
    """The top-level function whose lines (decorators to last statement) hold ``point``;
    None in one a later ``def`` of its name replaces."""
    line = point[0]
    for func in parsed.functions:
        if first_line(func) <= line <= (func.end_lineno or func.lineno):
            return None if parsed.redefined(func) else func
    return None


_DEF = re.compile(r"\b(?:async\s+)?def\s+([A-Za-z_]\w*|[^\W\d]\w*)")


def name_span(parsed: Parsed, func: Function) -> Span:
    """Where the function's name is written (``def >loss<(...)``)."""
    text = parsed.line(func.lineno)
    start = byte_to_cp(text, func.col_offset)
    for match in _DEF.finditer(text, start):
        # ``def 𝑓(x)`` defines ``f``: Python NFKC-normalizes identifiers
        if unicodedata.normalize("NFKC", match.group(1)) == func.name:
            return Span((func.lineno, match.start(1)), (func.lineno, match.end(1)))
    return Span((func.lineno, start), (func.lineno, len(text)))


def on_function_name(parsed: Parsed, point: Point) -> Function | None:
    """The function whose name is under ``point`` (end of the name included)."""
    func = function_at(parsed, point)
    if func is None:
        return None
    span = name_span(parsed, func)
    if span.start <= point <= span.end:
        return func
    return None


def statement_at(parsed: Parsed, func: Function, point: Point) -> ast.stmt | None:
    """The innermost statement of ``func``'s body under ``point``: of several on its line
    (``a = 1; b = 2``), the last one starting before it."""
    found: ast.stmt | None = None
    body: list[ast.stmt] = list(func.body)
    while True:
        covering = [s for s in body if s.lineno <= point[0] <= (s.end_lineno or s.lineno)]
        if not covering:
            return found
        before = [s for s in covering if parsed.span(s).start <= point]
        if not before and found is not None and covering[0].lineno == found.lineno:
            return found  # `if c: x = 1` with the cursor on `if`: the `if`, not its body
        found = before[-1] if before else covering[0]
        body = _child_statements(found)


def statement_text(parsed: Parsed, stmt: ast.stmt) -> str:
    """How a hover quotes ``stmt``: its first line, from its own column (another statement
    may come first, before a ``;``) to its end or the comment that ends the line."""
    span = parsed.span(stmt)
    line = parsed.line(span.start[0])
    end = span.end[1] if span.end[0] == span.start[0] else len(line)
    return _without_comment(line[span.start[1]:end]).strip()


def _without_comment(text: str) -> str:
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                return text[:token.start[1]]
    except (tokenize.TokenError, SyntaxError):  # a bracket the next line closes
        pass
    return text


def _child_statements(stmt: ast.stmt) -> list[ast.stmt]:
    children: list[ast.stmt] = []
    for attr in ("body", "orelse", "finalbody"):
        children.extend(s for s in getattr(stmt, attr, None) or [] if isinstance(s, ast.stmt))
    for holder in list(getattr(stmt, "handlers", None) or []) + list(
        getattr(stmt, "cases", None) or []
    ):
        children.extend(holder.body)
    return children


def local_names(func: ast.FunctionDef) -> set[str]:
    """Parameters and every name the function assigns (they shadow the module's)."""
    args = func.args
    names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    if args.vararg:
        names.add(args.vararg.arg)
    if args.kwarg:
        names.add(args.kwarg.arg)
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
    return names


def dotted_name(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


@dataclass
class Target:
    """Something under the cursor that a derivative rule is keyed by."""

    key: str | None  # "numpy.tanh", "numpy.ndarray.sum", "numpy.matmul"; None if unknown
    shown: str  # how the code spells it: "np.tanh", ".sum()", "@"
    span: Span
    kind: str  # "call", "method", "attribute", "operator"
    node: ast.AST | None = None


def resolve_global(parsed: Parsed, path: str) -> str | None:
    """``np.tanh`` → ``numpy.tanh`` from the module's imports (None if not imported)."""
    first, _, rest = path.partition(".")
    base = parsed.imports.get(first)
    if base is None:
        return None
    return f"{base}.{rest}" if rest else base


def target_at(parsed: Parsed, func: Function, point: Point) -> Target | None:
    """The call, method, attribute or operator under ``point`` in ``func``'s body (not in
    its decorators, defaults or annotations: they are not differentiated)."""
    locals_ = local_names(func)
    nodes = [node for stmt in func.body for node in ast.walk(stmt)]
    inner_chain = {id(node.value) for node in nodes if isinstance(node, ast.Attribute)}
    call_funcs = {id(node.func) for node in nodes if isinstance(node, ast.Call)}
    candidates: list[Target] = []
    for node in nodes:
        if isinstance(node, (ast.Attribute, ast.Name)):
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                continue
            path = dotted_name(node)
            on_value = path is None or path.split(".")[0] in locals_
            if on_value:  # x.sum(), x.T, f(x).sum(): methods and attributes of arrays
                if isinstance(node, ast.Attribute):
                    candidates.append(_method_target(parsed, node, id(node) in call_funcs))
                continue
            if id(node) in inner_chain:
                continue  # `np` in `np.tanh`: the whole chain is the target
            key = resolve_global(parsed, path)
            if key is None and "." not in path:
                key = _builtin_or_module(parsed, path)
            kind = "call" if id(node) in call_funcs else "attribute"
            if key is None and kind != "call":
                continue  # a module-level constant: nothing to say about it
            candidates.append(Target(key, path, parsed.span(node), kind, node))
        elif isinstance(node, ast.BinOp) and type(node.op) in BINARY_OPERATORS:
            key, symbol = BINARY_OPERATORS[type(node.op)]
            span = _operator_span(parsed, parsed.span(node.left).end,
                                  parsed.span(node.right).start, symbol)
            if span is not None:
                candidates.append(Target(key, symbol, span, "operator", node))
        elif isinstance(node, ast.UnaryOp) and type(node.op) in UNARY_OPERATORS:
            key, symbol = UNARY_OPERATORS[type(node.op)]
            span = _operator_span(parsed, parsed.span(node).start,
                                  parsed.span(node.operand).start, symbol)
            if span is not None:
                candidates.append(Target(key, symbol, span, "operator", node))
    hits = [c for c in candidates if c.span.contains(point)]
    if not hits:
        return None
    return min(hits, key=lambda t: t.span.size())


def _method_target(parsed: Parsed, node: ast.Attribute, called: bool) -> Target:
    """``x.sum()`` / ``x.T``: keyed as ndarray methods, the way the engine keys them."""
    value_end = parsed.span(node.value).end
    span = Span(value_end, parsed.span(node).end)
    shown = f".{node.attr}()" if called else f".{node.attr}"
    return Target(f"numpy.ndarray.{node.attr}", shown, span,
                  "method" if called else "attribute", node)


def _builtin_or_module(parsed: Parsed, name: str) -> str | None:
    import builtins

    if any(f.name == name for f in parsed.functions):
        return f"__module__.{name}"
    if hasattr(builtins, name):
        return f"builtins.{name}"
    return None


def _operator_span(parsed: Parsed, after: Point, before: Point, symbol: str) -> Span | None:
    """Where ``symbol`` is written between two operands on one line (None if unclear)."""
    if after[0] != before[0]:
        line = after[0]
        text = parsed.line(line)
        index = text.find(symbol, after[1])
    else:
        line = after[0]
        text = parsed.line(line)
        index = text.find(symbol, after[1], before[1])
    if index < 0:
        return None
    return Span((line, index), (line, index + len(symbol)))


def uses_numpy(parsed: Parsed, func: ast.FunctionDef) -> bool:
    """Whether ``func`` reads a name the module binds to NumPy (``np``, ``from numpy import exp``)."""
    numpy_names = {
        local for local, target in parsed.imports.items()
        if target == "numpy" or target.startswith("numpy.")
    }
    if not numpy_names:
        return False
    locals_ = local_names(func)
    for node in ast.walk(func):
        if (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
                and node.id in numpy_names and node.id not in locals_):
            return True
    return False


def parameters(func: ast.FunctionDef) -> list[str]:
    """Positional parameters, the ones ``wrt`` can name."""
    return [a.arg for a in func.args.posonlyargs + func.args.args]


def imported_from(parsed: Parsed, shown: str, path: str | None) -> str | None:
    """The project file a call's name is imported from (``from .layers import dense`` →
    ``.layers``), found as the engine finds it; None for anything else."""
    root = shown.split(".")[0]
    for stmt in parsed.tree.body:
        if isinstance(stmt, ast.ImportFrom) and any((a.asname or a.name) == root for a in stmt.names):
            module = "." * stmt.level + (stmt.module or "")
            return module if path and module_file(path, module) else None
    return None


def statement_lines(derivative: Derivative, stmt: ast.stmt) -> list[int]:
    """The lines of the function's own derivative generated for ``stmt`` (not those of its
    callees' derivatives, whose source maps count lines of their own files)."""
    own = _own_lines(derivative.code)
    for line in range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1):
        lines = [n for n in derivative.source_map.get(line, ()) if n <= own]
        if lines:
            return lines
    return []


def _own_lines(code: str) -> int:
    """How many lines of ``code`` (1-based, inclusive) the first function spans."""
    lines = code.splitlines()
    return next((i for i, text in enumerate(lines) if i and text.startswith("def ")), len(lines))
