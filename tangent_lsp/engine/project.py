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
import tokenize
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
    also through a package's ``__init__.py`` that imports it (``from .layers import dense``:
    the module is then named as the importer would, ``pkg.layers``)."""
    if importer.path is None or "." not in qualname.lstrip(".") or depth > 8:
        return None
    module_name, _, function = qualname.rpartition(".")
    path = module_file(importer.path, module_name)
    if path is None:
        return None
    module = read_project_file(path)
    node = module.functions.get(function)
    if not isinstance(node, gast.FunctionDef):
        reexported = module.imports.get(function)  # a package passing on one of its modules'
        if not reexported:
            return None
        return find_function(importer, absolute(reexported, module_name, path), depth + 1)
    return ProjectFunction(module, node, module_name)


def read_project_file(path: str) -> Module:
    """A file of the project, decoded as Python reads it (a BOM, a coding line). A file
    that does not parse is the user's error, said as such (not "cannot find")."""
    try:
        with tokenize.open(path) as handle:
            source = handle.read()
    except (OSError, SyntaxError, UnicodeDecodeError) as error:
        raise DiffError(
            "module", f"cannot read {os.path.basename(path)}: {error}",
            hint="check the file's encoding",
        ) from None
    try:
        return parse_module(source, path)
    except DiffError as error:
        error.path = error.path or path
        raise


def absolute(target: str, module_name: str, path: str) -> str:
    """``target``, a name imported by the file ``path`` (named ``module_name`` by the file
    being differentiated), as that file would spell it: ``.util.K`` in ``pkg/layers.py``
    (``pkg.layers``) is ``pkg.util.K``; a name not relative stays as it is."""
    if not target.startswith("."):
        return target
    package = module_name if os.path.basename(path) == "__init__.py" else _parent(module_name)
    dots = len(target) - len(target.lstrip("."))
    for _ in range(dots - 1):
        package = _parent(package)
    rest = target.lstrip(".")
    if not package or package.endswith("."):
        return package + rest  # "" (a top-level module) or a relative "." / ".."
    return f"{package}.{rest}"


def _parent(name: str) -> str:
    """The package containing ``name``: ``pkg.layers`` → ``pkg``, ``.layers`` → ``.``,
    ``pkg`` → the top level (``""``), ``.`` → ``..``."""
    dots = len(name) - len(name.lstrip("."))
    body = name[dots:]
    if "." in body:
        return "." * dots + body.rpartition(".")[0]
    if body:
        return "." * dots
    return "." * (dots + 1) if dots else ""


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
            target = absolute(module.imports[name], source.module_name, module.path or "")
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
