"""Functions imported from other files of the user's project, found by reading them.

``from .layers import dense`` or ``import model.layers`` in the module being
differentiated: the static path looks for ``layers.py`` next to the file (or in
a parent folder, for absolute imports), parses it and differentiates ``dense``
from its source. Nothing is imported or run. Installed packages are never
searched: only the folders around the file.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import os
import threading
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
    dots = len(qualname) - len(qualname.lstrip("."))
    if importer.path is None or ("." not in qualname[dots:] and not dots) or depth > 8:
        return None
    module_name, _, function = qualname.rpartition(".")
    if not module_name.strip("."):  # `from . import helper`: a name the package binds
        module_name = qualname[:dots]
    path = module_file(importer.path, module_name)
    if path is None:
        return None
    module = read_project_file(path)
    node = module.functions.get(function)
    if not isinstance(node, gast.FunctionDef):
        reexported = module.imports.get(function)  # a package passing on one of its modules'
        if not reexported:
            return None
        return find_function(importer, absolute(reexported, path), depth + 1)
    return ProjectFunction(module, node, module_name)


_READING = threading.local()


@contextlib.contextmanager
def files_read():
    """The project files read in this thread while the block runs, path → modification
    time when read: what a derivation depends on besides its own text."""
    outer = getattr(_READING, "files", None)
    _READING.files = files = {}
    try:
        yield files
    finally:
        _READING.files = outer
        if outer is not None:
            outer.update(files)


def read_project_file(path: str) -> Module:
    """A file of the project, decoded as Python reads it (a BOM, a coding line). A file
    that does not parse is the user's error, said as such (not "cannot find")."""
    recording = getattr(_READING, "files", None)
    if recording is not None:
        try:
            recording[path] = os.path.getmtime(path)
        except OSError:
            recording[path] = None
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


def absolute(target: str, path: str) -> str:
    """``target``, a name the file ``path`` imports, as any file of the project can import
    it: a relative ``.util.K`` in ``pkg/layers.py`` is ``pkg.util.K``, ``.`` of
    ``from . import const`` is the package (``pkg.const``); other names stay."""
    if not target.startswith("."):
        return target
    dots = len(target) - len(target.lstrip("."))
    folder = os.path.dirname(os.path.abspath(path))
    for _ in range(dots - 1):
        folder = os.path.dirname(folder)
    package = package_name(folder)
    rest = target.lstrip(".")
    return f"{package}.{rest}" if package and rest else package or rest


def module_name_of(path: str) -> str:
    """The dotted name a file of the project is imported by: its packages (folders with an
    ``__init__.py``) and its stem (``pkg/layers.py`` → ``pkg.layers``; a package's
    ``__init__.py`` is the package; a file in a plain folder is its stem)."""
    folder, stem = os.path.split(os.path.abspath(path))
    package = package_name(folder)
    if stem == "__init__.py":
        return package
    stem = os.path.splitext(stem)[0]
    return f"{package}.{stem}" if package else stem


def package_name(folder: str) -> str:
    """``a.b`` for ``.../a/b`` when both hold an ``__init__.py``; "" for a plain folder."""
    parts: list[str] = []
    while os.path.isfile(os.path.join(folder, "__init__.py")):
        parts.append(os.path.basename(folder))
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return ".".join(reversed(parts))


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
    candidates = [path for root in roots for path in (
        os.path.join(root, *parts) + ".py", os.path.join(root, *parts, "__init__.py"))]
    for candidate in candidates:
        if os.path.isfile(candidate):
            return candidate
    recording = getattr(_READING, "files", None)
    if recording is not None:  # a derivation that found no file: done again if one appears
        for candidate in candidates:
            recording.setdefault(candidate, None)
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
            target = absolute(module.imports[name], module.path or "")
            if absolute(caller.imports.get(local_name, ""), caller.path or "") == target:
                continue  # the caller binds it the same way already
            head, _, attr = target.rpartition(".")
            if head and (module.imports[name].startswith(".") or _is_from_import(module, name)):
                line = f"from {head} import {attr}" + (f" as {local_name}" if attr != local_name else "")
            else:
                line = f"import {target}" + (f" as {local_name}" if target != local_name else "")
            lines.append(line)
        elif name in module.functions or name in module.assigned:
            alias = f" as {local_name}" if local_name != name else ""
            home = module_name_of(module.path) if module.path else source.module_name
            lines.append(f"from {home} import {name}{alias}")
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
    try:
        spec = importlib.util.find_spec(module.split(".")[0])
    except (ImportError, ValueError):  # `import __main__` in a script: there, not missing
        return None
    return module if spec is None else None
