"""What the engine refuses before it reads a function: signatures it cannot give a
derivative (``*args``, ``async def``), decorators that may change what a function
computes, and local names for NumPy's modules (``xp = np``), each as a ``DiffError``
at its position."""

from __future__ import annotations

import gast

from . import syntax as S
from .errors import unsupported
from .resolve import Resolver


def check_signature(function: gast.FunctionDef) -> None:
    if isinstance(function, gast.AsyncFunctionDef):  # it returns a coroutine, not a value
        raise unsupported("async def", function, "differentiate a plain def")
    if not isinstance(function, gast.FunctionDef):
        raise unsupported("function", function, "define the function with def")
    args = function.args
    if args.vararg is not None:
        raise unsupported("*args parameter", args.vararg, "name each parameter")
    if args.kwarg is not None:
        raise unsupported("**kwargs parameter", args.kwarg, "name each parameter")


# Decorators that keep what a function computes (a compiler, a cache of pure results)
_HARMLESS_DECORATORS = frozenset((
    "numba.jit", "numba.njit", "functools.cache", "functools.lru_cache", "builtins.staticmethod",
))


def check_decorators(function: gast.FunctionDef, resolver: Resolver) -> None:
    """A decorator can change what a function computes (``@doubled``): its derivative
    would be the undecorated body's, a wrong number. Only known harmless ones pass."""
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, gast.Call) else decorator
        if resolver.qualname(target) not in _HARMLESS_DECORATORS:
            shown = S.dotted_name(target) or "this decorator"
            raise unsupported(
                "decorated function", decorator,
                f"differentiate a plain def: move the body of '{function.name}' into an "
                "undecorated function and decorate a caller of it",
                message=f"'{function.name}' is decorated with '{shown}', which may change "
                "what it computes",
            )


def check_module_names(
    function: gast.FunctionDef, resolver: Resolver, local_names: set[str]
) -> None:
    """A local name for a module (``xp = np``, ``def f(x, np=np)``): ``xp.mean(x)`` would
    read as an array's method, ``mean`` of ``xp`` with ``x`` as its axis: a zero
    derivative, silently. Rules are found through the module's own name."""
    args = function.args
    positional = args.posonlyargs + args.args
    defaults = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
    defaults += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
    bound = [(param.id, default) for param, default in defaults]  # read outside the def
    for stmt in S.statements(function.body):
        root = stmt.value if isinstance(stmt, gast.Assign) else None
        while isinstance(root, gast.Attribute):  # `lin = np.linalg`
            root = root.value
        if isinstance(root, gast.Name) and root.id not in local_names:
            bound += [(t.id, stmt.value) for t in stmt.targets if isinstance(t, gast.Name)]
    for name, value in bound:
        module = resolver.qualname(value) if isinstance(value, (gast.Name, gast.Attribute)) else None
        if _is_module(module):
            spelled = S.dotted_name(value)
            hint = (
                f"drop the parameter '{name}': the module-level {name} is the same module"
                if name == spelled else
                f"call its functions by their module-level name ({spelled}.<function>(...), "
                f"not {name}.<function>(...))"
            )
            raise unsupported(
                f"a local name for the module '{module}'", value, hint,
                message=f"'{name}' is a local name for the module '{module}': not supported",
            )


_MODULES = frozenset(("numpy", "math", "numpy.linalg", "numpy.random", "numpy.fft", "builtins"))


def _is_module(qualname: str | None) -> bool:
    """Whether a qualified name is one of the modules rules are written for (``numpy``)."""
    return qualname in _MODULES
