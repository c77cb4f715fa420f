"""Text → tree, and the facts about a module that resolution needs.

The module is parsed with ``ast`` (fast); a function becomes a gast tree only when
a stage asks for it, so a 1,000-line buffer costs one ``ast.parse``, not the
conversion of every function in it.
"""

from __future__ import annotations

import ast
import functools
import re
import textwrap
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

import gast

from .errors import DiffError


def _converted(node: ast.AST) -> gast.AST:
    """``node`` as gast; Python's parser accepts expressions deeper than the recursion
    limit lets a tree walk follow (a sum of 300 terms)."""
    try:
        return gast.ast_to_gast(node)
    except RecursionError:
        raise DiffError(
            "expression", "an expression is nested too deeply to differentiate",
            hint="split very long expressions into several statements",
        ).at(node) from None


class _Functions(Mapping):
    """Top-level functions by name, converted to gast on first access."""

    def __init__(self) -> None:
        self._syntax: dict[str, ast.AST] = {}
        self._converted: dict[str, gast.AST] = {}

    def add(self, node: ast.AST) -> None:
        self._syntax[node.name] = node
        self._converted.pop(node.name, None)

    def remove(self, name: str) -> None:
        self._syntax.pop(name, None)
        self._converted.pop(name, None)

    def __getitem__(self, name: str) -> gast.AST:
        if name not in self._converted:
            self._converted[name] = _converted(self._syntax[name])
        return self._converted[name]

    def __iter__(self):
        return iter(self._syntax)

    def __len__(self) -> int:
        return len(self._syntax)

    def __contains__(self, name: object) -> bool:
        return name in self._syntax


@dataclass
class Module:
    """A parsed module: its syntax tree, its lines, and what its top level binds."""

    source: str
    path: str | None
    syntax: ast.Module  # the stdlib tree; ``tree`` is its gast version, built on demand
    lines: list[str]
    imports: dict[str, str] = field(default_factory=dict)
    functions: _Functions = field(default_factory=_Functions)
    assigned: set[str] = field(default_factory=set)
    star_import: bool = False  # `from m import *`: any name may be bound
    _tree: gast.Module | None = None

    @property
    def tree(self) -> gast.Module:
        """The whole module as gast (rule files and small snippets need it)."""
        if self._tree is None:
            self._tree = _converted(self.syntax)
        return self._tree

    def line(self, lineno: int) -> str:
        return self.lines[lineno - 1].strip() if 0 < lineno <= len(self.lines) else ""

    def function(self, name: str) -> gast.FunctionDef:
        try:
            return self.functions[name]
        except KeyError:
            raise DiffError(
                "function",
                f"no function named '{name}' at the top level of the module",
                path=self.path,
                line=1,
                col=0,
                hint="name a function defined with 'def' at module level",
            ) from None


_LINES = re.compile(r"\r\n|\r|\n")


_PARSING = threading.Lock()


def parse_python(source: str, filename: str = "<unknown>", mode: str = "exec") -> ast.AST:
    """``ast.parse``, one thread at a time. CPython 3.11 counts the AST constructor's
    recursion depth in interpreter-wide state, so two threads parsing at once can fail
    with "SystemError: AST constructor recursion depth mismatch" (python/cpython#106905);
    the language server parses on several worker threads. A leading byte-order mark (an
    editor's buffer may keep it in the text; ``ast.parse`` of a str rejects it) is read
    as a form feed: whitespace Python ignores there, one character as the mark is."""
    if source.startswith("\ufeff"):
        source = "\f" + source[1:]
    with _PARSING:
        return ast.parse(source, filename, mode)


def literal(text: str):
    """``ast.literal_eval`` of ``text``, parsed under the same lock."""
    return ast.literal_eval(parse_python(text, mode="eval"))


@functools.lru_cache(maxsize=16)
def parse_module(source: str, path: str | None = None) -> Module:
    """Parse ``source``; a syntax error becomes a DiffError at its position.

    Cached: an editor asks about the same buffer many times. Treat the result as
    read-only (every stage copies what it changes)."""
    try:
        tree = parse_python(source)
    except SyntaxError as error:
        raise DiffError(
            "syntax",
            f"syntax error: {error.msg}",
            path=path,
            line=error.lineno or 1,
            col=max((error.offset or 1) - 1, 0),
            hint="fix the syntax error first",
        ) from None
    except ValueError as error:  # a lone surrogate, a NUL byte: text Python cannot read
        raise DiffError(
            "syntax", f"the text cannot be read as Python: {error}", path=path, line=1, col=0,
            hint="remove the character Python cannot encode",
        ) from None
    # lines as Python numbers them (\u2028 and friends do not end a line)
    module = Module(source=source, path=path, syntax=tree, lines=_LINES.split(source))
    for stmt in tree.body:
        _record_binding(module, stmt)
    return module


def reachable_functions(functions, node) -> list:
    """``node`` and the module's functions it calls by name (``functions``: name → node,
    gast or stdlib ast), transitively, each once, in the order found."""
    found, pending, seen = [node], [node], {node.name}
    while pending:
        for call in _calls(pending.pop()):
            name = getattr(call.func, "id", None)
            if name in functions and name not in seen:
                seen.add(name)
                found.append(functions[name])
                pending.append(functions[name])
    return found


def _calls(root) -> list:
    """The ``Call`` nodes of a tree (gast or stdlib ast) in ``ast.walk``'s order (breadth
    first), reading only the fields that can hold nodes: every derivation reads the
    function and its callees twice."""
    found = []
    queue = deque([root])
    children = _CHILD_FIELDS
    while queue:
        node = queue.popleft()
        cls = node.__class__
        fields = children.get(cls)
        if fields is None:
            fields = children[cls] = _child_fields(cls)
        if cls.__name__ == "Call":
            found.append(node)
        for name in fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                queue.extend(item for item in value if isinstance(item, ast.AST))
            elif isinstance(value, ast.AST):
                queue.append(value)
    return found


# Fields that hold names, numbers or flags, never a node (a Constant's value is a Python
# object): skipped when looking for calls.
_SCALAR_FIELDS = frozenset(
    "ctx id attr arg asname conversion is_async kind level module name simple tag "
    "type_comment str".split()
)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    if cls.__name__ == "Constant":
        return ()
    return tuple(f for f in getattr(cls, "_fields", ()) if f not in _SCALAR_FIELDS)


def parse_function_source(source: str, path: str | None = None, first_line: int = 1) -> Module:
    """Parse the source of one function as returned by ``inspect.getsource``, its lines
    numbered as in its file when ``first_line`` says where it starts there."""
    return parse_module("\n" * (first_line - 1) + textwrap.dedent(source), path)


def _record_binding(module: Module, stmt: ast.stmt) -> None:
    """What ``stmt`` binds at the top level. A later binding replaces an earlier one of the
    same name, as when the module runs (``from numpy import tanh`` then ``def tanh``)."""
    if isinstance(stmt, ast.Import):
        for alias in stmt.names:
            if alias.asname:
                _bind_import(module, alias.asname, alias.name)
            else:
                # `import numpy.linalg` binds `numpy`
                top = alias.name.split(".")[0]
                _bind_import(module, top, top)
    elif isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
        for alias in stmt.names:
            if alias.name == "*":
                module.star_import = True
            else:
                _bind_import(module, alias.asname or alias.name, f"{stmt.module}.{alias.name}")
    elif isinstance(stmt, ast.ImportFrom):
        for alias in stmt.names:  # relative imports: project-local, resolved later
            _bind_import(module, alias.asname or alias.name, "." * stmt.level + (
                f"{stmt.module}.{alias.name}" if stmt.module else alias.name
            ))
    elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        _unbind(module, stmt.name)
        module.functions.add(stmt)
    elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Name):
                    _bind_value(module, sub.id)
    elif isinstance(stmt, ast.ClassDef):
        _bind_value(module, stmt.name)
    elif isinstance(stmt, (ast.For, ast.With)):
        for sub in ast.walk(stmt):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                _bind_value(module, sub.id)
    elif isinstance(stmt, ast.Try):  # `try: import scipy`: the body's bindings
        for child in stmt.body:
            _record_binding(module, child)
    elif isinstance(stmt, ast.If):
        _record_branches(module, stmt)


def _record_branches(module: Module, stmt: ast.If) -> None:
    """Names an ``if`` binds: what both branches bind alike is known (``if TYPE_CHECKING:
    import x``, with nothing else), a name bound differently, or in one branch only,
    depends on a test the module runs (``if USE_RELU: def act ...``): a value, not known."""
    sides = []
    for block in (stmt.body, stmt.orelse):
        side = Module(source=module.source, path=module.path, syntax=module.syntax, lines=module.lines)
        for child in block:
            _record_binding(side, child)
        sides.append(side)
    body, orelse = sides
    for name in sorted(_names(body) | _names(orelse)):
        target = body.imports.get(name)
        if target is not None and orelse.imports.get(name, None if stmt.orelse else target) == target:
            _bind_import(module, name, target)
        else:
            _bind_value(module, name)
    module.star_import = module.star_import or body.star_import or orelse.star_import


def _names(module: Module) -> set[str]:
    return set(module.imports) | set(module.functions) | module.assigned


def _bind_import(module: Module, name: str, target: str) -> None:
    _unbind(module, name)
    module.imports[name] = target


def _bind_value(module: Module, name: str) -> None:
    _unbind(module, name)
    module.assigned.add(name)


def _unbind(module: Module, name: str) -> None:
    module.imports.pop(name, None)
    module.functions.remove(name)
    module.assigned.discard(name)
