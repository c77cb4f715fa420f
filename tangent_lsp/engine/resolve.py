"""Names → qualified names, statically (from the module's text) or from live globals.

One transformation, two resolvers: the editor resolves ``np.tanh`` by reading
``import numpy as np``; ``grad(f)`` at run time looks ``np`` up in
``f.__globals__``. Both answer with the same qualified name ("numpy.tanh"),
which is how rules are keyed.
"""

from __future__ import annotations

import builtins
import os
import sys
import sysconfig
import types
from dataclasses import dataclass
from typing import Any, Protocol

import gast

from .parse import Module
from .syntax import dotted_name

_BUILTINS = frozenset(dir(builtins))


@dataclass
class Callee:
    """A user function called from the one being differentiated: where its source is,
    and how to resolve the names inside it."""

    module: Module
    node: gast.FunctionDef
    resolver: "Resolver"
    project: object = None  # project.ProjectFunction when it lives in another file


class Resolver(Protocol):
    def qualname(self, node: gast.AST) -> str | None:
        """Qualified name of a global name or attribute chain, or None if unknown."""

    def is_user_function(self, qualname: str) -> bool: ...

    def is_global(self, identifier: str) -> bool:
        """Whether the module (or the builtins) binds ``identifier``."""

    def numpy_alias(self) -> str | None:
        """The name the module binds to ``numpy`` itself, if any."""

    def global_names(self) -> set[str]:
        """Every name the module binds: the generated functions, which run beside them,
        must not take one (a user's ``dsq_dy_forward``, or an earlier derivative's)."""

    def binding(self, identifier: str) -> object:
        """What the module binds ``identifier`` to, as a token: two modules' tokens are
        equal when the name means the same thing in both (None: not bound)."""

    def borrow(self, alias: str, owner: "Resolver", identifier: str) -> None:
        """The generated code reads ``owner``'s ``identifier`` under ``alias`` (a callee
        from another module whose global this module binds to something else)."""

    def rules_of(self, qualname: str) -> object:
        """The rule library of the file that defines the user's function ``qualname``,
        when that is another file with rules of its own (a rule written beside the
        function it is for); None otherwise."""

    def callee(self, qualname: str) -> Callee | None:
        """The source of a user function, to differentiate it too."""


class StaticResolver:
    """Resolves names from the module's own imports and definitions, never running it."""

    def __init__(self, module: Module, module_name: str = "__module__") -> None:
        self.module = module
        self.module_name = module_name
        self._found: dict[str, object] = {}  # project functions found so far

    def _global(self, identifier: str) -> str | None:
        if identifier in self.module.imports:
            return self.module.imports[identifier]
        if identifier in self.module.functions:
            return f"{self.module_name}.{identifier}"
        if identifier in self.module.assigned:
            return None
        if identifier in _BUILTINS:
            return f"builtins.{identifier}"
        return None

    def qualname(self, node: gast.AST) -> str | None:
        path = dotted_name(node)
        if path is None:
            return None
        first, _, rest = path.partition(".")
        base = self._global(first)
        if base is None:
            return None
        return f"{base}.{rest}" if rest else base

    def global_names(self) -> set[str]:
        module = self.module
        return set(module.imports) | set(module.functions) | set(module.assigned)

    def is_global(self, identifier: str) -> bool:
        module = self.module
        return (
            identifier in module.imports
            or identifier in module.functions
            or identifier in module.assigned
            or identifier in _BUILTINS
            or module.star_import
        )

    def binding(self, identifier: str) -> object:
        module = self.module
        if identifier in module.imports:
            return ("import", module.imports[identifier])
        if identifier in module.functions or identifier in module.assigned:
            return ("module", module.path, self.module_name, identifier)
        return ("builtin", identifier) if identifier in _BUILTINS else None

    def borrow(self, alias: str, owner: "Resolver", identifier: str) -> None:
        """Nothing to record: the import lines bring the name in (``project.imports_for``)."""

    def rules_of(self, qualname: str) -> object:
        found = self._project(qualname)
        if found is None or found.module.path is None:
            return None
        from .templates import RuleLibrary, file_rules

        rules = file_rules(found.module.path, found.module_name)
        own = f"{found.module_name}.{found.node.name}"  # keyed where it is defined
        if rules is None or own == qualname:
            return rules
        pick = {qualname: own}  # reached through a package that passes it on
        return RuleLibrary(
            {q: rules.adjoints[k] for q, k in pick.items() if k in rules.adjoints},
            {q: rules.tangents[k] for q, k in pick.items() if k in rules.tangents},
        )

    def is_user_function(self, qualname: str) -> bool:
        prefix = f"{self.module_name}."
        if qualname.startswith(prefix) and qualname[len(prefix):] in self.module.functions:
            return True
        return self._project(qualname) is not None

    def _project(self, qualname: str):
        from .project import find_function

        if qualname not in self._found:
            self._found[qualname] = find_function(self.module, qualname)
        return self._found[qualname]

    def callee(self, qualname: str) -> Callee | None:
        prefix = f"{self.module_name}."
        name = qualname[len(prefix):] if qualname.startswith(prefix) else None
        if name in self.module.functions:
            return Callee(self.module, self.module.functions[name], self)
        found = self._project(qualname)
        if found is None:
            return None
        resolver = StaticResolver(found.module, module_name=found.module_name)
        callee = Callee(found.module, found.node, resolver)
        callee.project = found
        return callee

    def numpy_alias(self) -> str | None:
        for local, target in self.module.imports.items():
            if target == "numpy":
                return local
        return None


def function_namespace(func: types.FunctionType) -> dict[str, Any]:
    """A live function's globals plus the current values of its closure variables."""
    namespace = dict(func.__globals__)
    if func.__closure__:
        for var, cell in zip(func.__code__.co_freevars, func.__closure__):
            try:
                namespace[var] = cell.cell_contents
            except ValueError:  # an empty cell: not assigned yet
                pass
    return namespace


def object_qualname(obj: Any, name: str | None = None) -> str | None:
    """The qualified name under which a live object's rule would be keyed (``name``: the
    one the code calls it by, if known)."""
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    try:
        import numpy
    except ImportError:  # pragma: no cover - numpy is a dependency
        numpy = None
    if numpy is not None and isinstance(obj, numpy.ufunc):
        return _ufunc_qualname(obj, numpy, name)
    module = getattr(obj, "__module__", None)
    qual = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if module is None and isinstance(obj, types.BuiltinFunctionType):
        module = "builtins"
    if module and qual:
        if module.startswith("numpy.") and not module.startswith("numpy.linalg"):
            module = "numpy"  # private implementation modules re-exported at top level
        elif name and any(part.startswith("_") for part in module.split(".")):
            own_name = getattr(obj, "__name__", None)  # `logsumexp as lse`: its own name
            for called in dict.fromkeys((name, own_name)):  # scipy.special._logsumexp.logsumexp
                public = _public_exporter(obj, called, also=own_name) if called else None
                if public is not None:
                    return public
        return f"{module}.{qual}"
    return None


def _ufunc_qualname(ufunc: Any, numpy: types.ModuleType, name: str | None) -> str:
    """A ufunc has no ``__module__``: NumPy's own are keyed ``numpy.<name>``; another
    library's (``scipy.special.gammaln``) by the public module that exports it under the
    name the code calls it by, as an import of it reads statically (``digamma`` and
    ``psi`` are one ufunc)."""
    for called in dict.fromkeys((name, ufunc.__name__)):
        if called and getattr(numpy, called, None) is ufunc:
            return f"numpy.{called}"
    for called in dict.fromkeys((name, ufunc.__name__)):
        public = _public_exporter(ufunc, called, also=ufunc.__name__) if called else None
        if public is not None:
            return public
    return f"numpy.{ufunc.__name__}"


def _public_exporter(obj: Any, name: str, also: str | None = None) -> str | None:
    """``package.name`` for the shortest loaded module without a private part that holds
    ``obj`` as ``name`` (read from its dict: a module's ``__getattr__`` may import, warn
    or compute), in the package that defines it: a user's module that imported it
    (``from scipy.special import gammaln`` in ``losses.py``) holds it too. ``also``: its
    own name, which an exporter holds it under as well (``psi`` beside ``digamma``) where
    ``name`` differs; a module that holds it only under another name imported it as
    that (``from scipy.special import expit as sigmoid``)."""
    holders = [
        module_name for module_name, module in list(sys.modules.items())
        if module is not None and getattr(module, "__dict__", {}).get(name) is obj
        and (also is None or also == name or module.__dict__.get(also) is obj)
    ]
    private = [m for m in holders if _private(m)]
    exporters = [m for m in holders if m not in private]
    # its home: where its __module__ says, or (a ufunc has none) where a private module,
    # the implementation's, holds it (scipy.special._ufuncs)
    home = getattr(obj, "__module__", None) or (private[0] if private else "")
    own = [m for m in exporters if m.partition(".")[0] == home.partition(".")[0]]
    if own or home:
        exporters = own
    if not exporters:
        return None
    return min(exporters, key=lambda m: (m.count("."), m)) + f".{name}"


def _private(module: str) -> bool:
    """``scipy.special._ufuncs``; not ``__main__``, a script run as a program (which is
    the user's code: taken for an implementation module, it hid scipy.special's ndtr)."""
    return any(
        part.startswith("_") and not (part.startswith("__") and part.endswith("__"))
        for part in module.split(".")
    )


def _object_name(obj: Any, name: str, attr: str) -> str | None:
    """The name the attribute ``attr`` of a module-level object is keyed under, as an
    import of it reads statically: where its library exports it (``scipy.stats.norm``),
    else its type's (``model.Model``). None for an array, a number or a container, and
    for what arrays have too (a sparse matrix's ``.dot``): a value's method, whose rule
    is an array's (``W.reshape(2, 3)``, ``CONFIG.get("lr")``)."""
    import numpy

    cls = type(obj)
    module = getattr(cls, "__module__", None) or ""
    if module.partition(".")[0] in ("builtins", "numpy", "collections") or hasattr(
        numpy.ndarray, attr
    ):
        return None
    try:
        return _public_exporter(obj, name) or f"{module}.{cls.__qualname__}"
    except Exception:  # an object whose attributes compute (``__getattr__``) and fail
        return None


def _installed(func: types.FunctionType) -> bool:
    """A function of an installed library (SciPy's ``solve_triangular``) or of Python's own
    library: it needs a rule; its source, written for speed and generality (decorators,
    ``raise``, dispatch), is not the user's to differentiate."""
    return func.__code__.co_filename.startswith(_LIBRARY_PATHS)


_LIBRARY_PATHS = tuple(
    sorted({sysconfig.get_paths()[key] + os.sep for key in ("stdlib", "platstdlib", "purelib", "platlib")})
)


class RuntimeResolver:
    """Resolves names through a live function's globals (the ``grad(f)`` path)."""

    def __init__(self, namespace: dict[str, Any], func: types.FunctionType | None = None) -> None:
        self.namespace = namespace
        self._user: dict[str, types.FunctionType] = {}
        self.callees: list["RuntimeResolver"] = []  # their namespaces join the generated code's
        self.borrowed: dict[str, tuple["RuntimeResolver", str]] = {}  # alias → (owner, name)
        self.looked_up: set[str] = set()  # the global names asked about
        # where the attributes of modules it followed live (`helpmod.helper`), once each
        self.attributes: dict[tuple[int, str], tuple[dict[str, Any], str]] = {}
        self.globals = func.__globals__ if func is not None else None
        self.module_name = str(namespace.get("__name__", ""))
        # where each global's current value lives: the function's module, or, for a
        # generated derivative differentiated again, wherever its own values came from
        self.live: dict[str, tuple[dict[str, Any], str]] = {}
        if func is not None:
            closed = set(func.__code__.co_freevars)  # a closure's value, not the module's
            self.live = {
                name: (func.__globals__, name) for name in func.__globals__ if name not in closed
            }
            self.live.update(getattr(func, "live_globals", {}))

    def sources(self) -> dict[str, tuple[dict[str, Any], str]]:
        """Each name the generated code can read from a module, with the module globals
        that hold its current value (this function's first, as in its namespace)."""
        found: dict[str, tuple[dict[str, Any], str]] = {}
        for resolver in reversed(self._all()):
            found.update(resolver.live)
        for alias, (owner, name) in self.borrowed.items():
            if name in owner.live:
                found[alias] = owner.live[name]
        return found

    def made_from(self) -> tuple[list[tuple[dict[str, Any], str]], list[types.FunctionType]]:
        """What a derivation read, to tell later whether it still holds: where each global
        name it (or a callee's) looked up lives, and the user's functions it read."""
        places = []
        for resolver in self._all():
            for name in sorted(resolver.looked_up):
                if name in resolver.live:
                    places.append(resolver.live[name])
                elif resolver.globals is not None:  # a builtin, or a local: bound later,
                    places.append((resolver.globals, name))  # a global would shadow it
            places.extend(resolver.attributes.values())
        functions = [func for resolver in self._all() for func in resolver._user.values()]
        return places, functions

    def _all(self) -> list["RuntimeResolver"]:
        out = [self]
        for callee in self.callees:
            out.extend(callee._all())
        return out

    def global_names(self) -> set[str]:
        return {name for name in self.namespace if isinstance(name, str)}

    def qualname(self, node: gast.AST) -> str | None:
        path = dotted_name(node)
        if path is None:
            return None
        first, _, rest = path.partition(".")
        self.looked_up.add(first)
        if first in self.namespace:
            obj = self.namespace[first]
        elif first in _BUILTINS:
            obj = getattr(builtins, first)
        else:
            return None
        if isinstance(obj, types.ModuleType):
            if not rest:
                return obj.__name__
            target = obj
            for part in rest.split("."):
                if isinstance(target, types.ModuleType):
                    self.attributes[(id(target), part)] = (vars(target), part)
                target = getattr(target, part, None)
            if isinstance(target, types.FunctionType):  # mymodule.helper
                qual = object_qualname(target, rest.rpartition(".")[2])
                if qual and not _installed(target):
                    self._user[qual] = target
                return qual
            return f"{obj.__name__}.{rest}"
        if rest:  # a method of a module-level object: keyed by the object (not an array's)
            owner = _object_name(obj, first, rest.partition(".")[0])
            return f"{owner}.{rest}" if owner is not None else None
        qual = object_qualname(obj, first)
        if qual and isinstance(obj, types.FunctionType) and not _installed(obj):
            self._user[qual] = obj
        return qual

    def is_global(self, identifier: str) -> bool:
        self.looked_up.add(identifier)
        return identifier in self.namespace or identifier in _BUILTINS

    def binding(self, identifier: str) -> object:
        self.looked_up.add(identifier)
        if identifier in self.namespace:
            return ("object", id(self.namespace[identifier]))  # the namespace keeps it alive
        return ("builtin", identifier) if identifier in _BUILTINS else None

    def borrow(self, alias: str, owner: "Resolver", identifier: str) -> None:
        self.borrowed[alias] = (owner, identifier)

    def rules_of(self, qualname: str) -> object:
        import inspect

        from .templates import file_rules

        func = self._user.get(qualname)
        try:
            path = inspect.getsourcefile(func) if func is not None else None
        except TypeError:
            return None
        return file_rules(path, func.__module__) if path else None  # this file's: no match

    def is_user_function(self, qualname: str) -> bool:
        return qualname in self._user

    def callee(self, qualname: str) -> Callee | None:
        import inspect

        from .parse import parse_function_source
        from .source_check import check_source_runs

        func = self._user.get(qualname)
        if func is None:
            return None
        func = inspect.unwrap(func)  # a generated derivative's wrapper: the derivative itself
        if func.__name__ == "<lambda>":  # its source line is an assignment, not a def
            return None
        try:
            lines, first_line = inspect.getsourcelines(func)
        except (OSError, TypeError):
            return None
        check_source_runs(func, first_line)  # a helper edited in its file, not reloaded
        module = parse_function_source("".join(lines), inspect.getsourcefile(func), first_line)
        node = module.tree.body[0]
        resolver = RuntimeResolver(function_namespace(func), func)
        self.callees.append(resolver)
        return Callee(module, node, resolver)

    def namespaces(self) -> list[dict[str, Any]]:
        """This namespace and those of every callee, depth first."""
        out = [self.namespace]
        for callee in self.callees:
            out.extend(callee.namespaces())
        return out

    def numpy_alias(self) -> str | None:
        for local, obj in self.namespace.items():
            if isinstance(obj, types.ModuleType) and obj.__name__ == "numpy":
                return local
        return None
