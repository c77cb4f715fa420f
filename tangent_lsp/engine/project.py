"""Functions imported from other files of the user's project, found by reading them.

``from .layers import dense`` or ``import model.layers`` in the module being
differentiated: the static path looks for ``layers.py`` next to the file (or in
a parent folder, for absolute imports), parses it and differentiates ``dense``
from its source. Nothing is imported or run. Installed packages are never
searched: only the folders around the file.
"""

from __future__ import annotations

import ast
import importlib.util
import os
from dataclasses import dataclass

import gast

from .errors import DiffError
from .parse import Module, parse_module

SEARCH_PARENTS = 3  # how many folders above the file an absolute import may live in


@dataclass
class ProjectFunction:
    module: Module
    node: gast.FunctionDef
    module_name: str  # as the importing file spells it: ".layers", "model.layers"


def find_function(importer: Module, qualname: str, depth: int = 0) -> ProjectFunction | None:
    """The source of ``qualname`` (``".layers.dense"``) if it is a file of the project,
    also through a package's ``__init__.py`` that imports it (``from .layers import dense``)."""
    if importer.path is None or "." not in qualname.lstrip(".") or depth > 8:
        return None
    module_name, _, function = qualname.rpartition(".")
    path = module_file(importer.path, module_name)
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            module = parse_module(handle.read(), path)
    except (OSError, UnicodeDecodeError, DiffError):
        return None
    node = module.functions.get(function)
    if not isinstance(node, gast.FunctionDef):
        reexported = module.imports.get(function)  # a package passing on one of its modules'
        return find_function(module, reexported, depth + 1) if reexported else None
    return ProjectFunction(module, node, module_name)


def module_file(importer_path: str, module_name: str) -> str | None:
    here = os.path.dirname(os.path.abspath(importer_path))
    dots = len(module_name) - len(module_name.lstrip("."))
    parts = [p for p in module_name.lstrip(".").split(".") if p]
    if dots:
        roots = [here]
        for _ in range(dots - 1):
            roots = [os.path.dirname(roots[0])]
    else:
        roots = [here]
        for _ in range(SEARCH_PARENTS):
            roots.append(os.path.dirname(roots[-1]))
    for root in roots:
        base = os.path.join(root, *parts)
        for candidate in (base + ".py", os.path.join(base, "__init__.py")):
            if os.path.isfile(candidate):
                return candidate
    return None


def imports_for(
    function: gast.FunctionDef, source: ProjectFunction, caller: Module, skip: set[str],
    renamed: dict[str, str] | None = None,
) -> list[str]:
    """Import lines that make the names a callee's generated derivative reads from its
    own module available in the caller's module (unless the caller binds them the same
    way already); ``renamed`` (alias → name) are imported under their alias."""
    renamed = renamed or {}
    local = {a.id for a in function.args.args} | {
        n.id for n in gast.walk(function) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)
    }
    free = sorted(
        {n.id for n in gast.walk(function) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}
        - local - skip
    )
    module = source.module
    lines = []
    for local_name in free:
        name = renamed.get(local_name, local_name)
        if name in module.imports:
            target = module.imports[name]
            if caller.imports.get(local_name) == target:
                continue
            head, _, attr = target.rpartition(".")
            if target.startswith(".") or (head and _is_from_import(module, name)):
                line = f"from {head} import {attr}" + (f" as {local_name}" if attr != local_name else "")
            else:
                line = f"import {target}" + (f" as {local_name}" if target != local_name else "")
            lines.append(line)
        elif name in module.functions or name in module.assigned:
            alias = f" as {local_name}" if local_name != name else ""
            lines.append(f"from {source.module_name} import {name}{alias}")
    return lines


def _is_from_import(module: Module, name: str) -> bool:
    for stmt in module.syntax.body:
        if isinstance(stmt, ast.ImportFrom) and any((a.asname or a.name) == name for a in stmt.names):
            return True
    return False


def missing_module(key: str | None) -> str | None:
    """The module of ``key`` (``nothere.h``, ``.missing.q``) when no file of the project
    holds it (a relative import) and no installed package has its name: located, never
    imported."""
    module = (key or "").rpartition(".")[0]
    if not module or module.split(".")[0] in ("numpy", "math", "builtins"):
        return None
    if module.startswith("."):
        return module
    return module if importlib.util.find_spec(module.split(".")[0]) is None else None
