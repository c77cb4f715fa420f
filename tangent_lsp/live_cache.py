"""The derivatives ``grad``/``autodiff`` compiled, per function and options.

Held weakly by the function (a loss made per mini-batch, ``grad(make_loss(X, y))``, is
freed with its data), and derived again when what it was made from changed since: the
function's code (replaced in place by ``%autoreload``) or defaults, a module-level name
or module attribute it looked up now bound to another function, class or module (a
notebook cell defining a helper run again, ``helpmod.helper = other``), a builtin it
called now shadowed by a global, a closure variable rebound (``nonlocal``), or the code
of a function of the user's it read. Module-level numbers and arrays are not checked:
the derivative reads them again on every call.
"""

from __future__ import annotations

import inspect
import types
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable

_GONE = object()


@dataclass
class MadeFrom:
    """What a derivative was derived from, to tell later whether it still is."""

    code: types.CodeType | None
    # (module globals, name, the function/module/class bound to it then, or _GONE)
    names: list[tuple[dict[str, Any], str, Any]] = field(default_factory=list)
    # (a function of the user's it read, that function's code then)
    functions: list[tuple[types.FunctionType, types.CodeType]] = field(default_factory=list)
    # the function's closure cells' values and defaults then (not the function: the
    # cache holds this weakly by the function, so nothing here may hold it)
    own: tuple = ()
    # (a function it read, then that function's closure cells' values and defaults then)
    state: list[tuple] = field(default_factory=list)

    def holds_for(self, func: Callable) -> bool:
        func = inspect.unwrap(func)
        return (
            getattr(func, "__code__", None) is self.code
            and _same(_state(func), self.own)
            and all(values.get(name, _GONE) is obj for values, name, obj in self.names)
            and all(f.__code__ is code for f, code in self.functions)
            and all(_same(_state(f), then) for f, *then in self.state)
        )


def _state(func: Any) -> tuple:
    """What ``func`` holds besides its code: its closure cells' values, its defaults."""
    cells = tuple(_content(c) for c in getattr(func, "__closure__", None) or ())
    return (*cells, getattr(func, "__defaults__", None), getattr(func, "__kwdefaults__", None))


def _same(now: tuple, then: tuple) -> bool:
    return len(now) == len(then) and all(a is b for a, b in zip(now, then))


def _content(cell: Any) -> Any:
    try:
        return cell.cell_contents
    except ValueError:  # not assigned yet
        return _GONE


def made_from(func: Callable, places: list[tuple[dict[str, Any], str]],
              functions: list[types.FunctionType]) -> MadeFrom:
    """``places``: where each global name the derivation looked up lives; ``functions``:
    the user's functions it read (``RuntimeResolver.made_from``)."""
    func = inspect.unwrap(func)
    names = []
    for values, name in places:
        value = values.get(name, _GONE)
        if value is _GONE or callable(value) or isinstance(value, types.ModuleType):
            names.append((values, name, value))
    functions = [f for f in functions if isinstance(f, types.FunctionType) and f is not func]
    return MadeFrom(
        getattr(func, "__code__", None), names, [(f, f.__code__) for f in functions],
        _state(func), [(f, *_state(f)) for f in functions],
    )


class DerivativeCache:
    def __init__(self) -> None:
        self._by_function: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def get(self, func: Callable, options: tuple) -> Callable | None:
        entry = self._entries(func).get(options)
        if entry is None or not entry[1].holds_for(func):
            return None
        return entry[0]

    def put(self, func: Callable, options: tuple, derivative: Callable, made: MadeFrom) -> None:
        self._entries(func)[options] = (derivative, made)

    def _entries(self, func: Callable) -> dict:
        try:
            return self._by_function.setdefault(func, {})
        except TypeError:  # not weakly referable: not kept
            return {}
