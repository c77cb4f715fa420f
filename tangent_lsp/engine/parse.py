"""Text → gast tree, and the facts about a module that resolution needs."""

from __future__ import annotations

import functools
import re
import textwrap
from dataclasses import dataclass, field

import gast

from .errors import DiffError


@dataclass
class Module:
    """A parsed module: its tree, its lines, and what its top level binds."""

    source: str
    path: str | None
    tree: gast.Module
    lines: list[str]
    imports: dict[str, str] = field(default_factory=dict)
    functions: dict[str, gast.FunctionDef] = field(default_factory=dict)
    assigned: set[str] = field(default_factory=set)
    star_import: bool = False  # `from m import *`: any name may be bound

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


@functools.lru_cache(maxsize=16)
def parse_module(source: str, path: str | None = None) -> Module:
    """Parse ``source``; a syntax error becomes a DiffError at its position.

    Cached: an editor asks about the same buffer many times. Treat the result as
    read-only (every stage copies what it changes)."""
    try:
        tree = gast.parse(source)
    except SyntaxError as error:
        raise DiffError(
            "syntax",
            f"syntax error: {error.msg}",
            path=path,
            line=error.lineno or 1,
            col=max((error.offset or 1) - 1, 0),
            hint="fix the syntax error first",
        ) from None
    # lines as Python numbers them (\u2028 and friends do not end a line)
    module = Module(source=source, path=path, tree=tree, lines=_LINES.split(source))
    for stmt in tree.body:
        _record_binding(module, stmt)
    return module


def parse_function_source(source: str, path: str | None = None) -> Module:
    """Parse the source of one function as returned by ``inspect.getsource``."""
    return parse_module(textwrap.dedent(source), path)


def _record_binding(module: Module, stmt: gast.stmt) -> None:
    if isinstance(stmt, gast.Import):
        for alias in stmt.names:
            if alias.asname:
                module.imports[alias.asname] = alias.name
            else:
                # `import numpy.linalg` binds `numpy`
                top = alias.name.split(".")[0]
                module.imports[top] = top
    elif isinstance(stmt, gast.ImportFrom) and stmt.module and not stmt.level:
        for alias in stmt.names:
            if alias.name == "*":
                module.star_import = True
            else:
                module.imports[alias.asname or alias.name] = f"{stmt.module}.{alias.name}"
    elif isinstance(stmt, gast.ImportFrom):
        for alias in stmt.names:  # relative imports: project-local, resolved later
            module.imports[alias.asname or alias.name] = "." * stmt.level + (
                f"{stmt.module}.{alias.name}" if stmt.module else alias.name
            )
    elif isinstance(stmt, (gast.FunctionDef, gast.AsyncFunctionDef)):
        module.functions[stmt.name] = stmt
    elif isinstance(stmt, (gast.Assign, gast.AnnAssign, gast.AugAssign)):
        targets = stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
        for target in targets:
            for sub in gast.walk(target):
                if isinstance(sub, gast.Name):
                    module.assigned.add(sub.id)
    elif isinstance(stmt, gast.ClassDef):
        module.assigned.add(stmt.name)
    elif isinstance(stmt, (gast.For, gast.With)):
        for sub in gast.walk(stmt):
            if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Store):
                module.assigned.add(sub.id)
    elif isinstance(stmt, (gast.If, gast.Try)):
        for child in stmt.body:
            _record_binding(module, child)
