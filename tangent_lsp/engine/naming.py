"""Deterministic names: the same input always gives the same code.

Conventions follow Tangent and Griewank: ``bx`` is the adjoint of ``x``,
``dx`` its tangent; derivative functions are ``df_dx`` (``df_dx_dy`` for
several arguments). Collisions get a numeric suffix, never a random id.
"""

from __future__ import annotations

import builtins
import keyword
import re

from .. import runtime

# Generated names never shadow a builtin or a keyword (a temporary called ``sum``
# would break the user's module the moment the derivative is inserted), nor a runtime
# helper the generated code calls (a local ``add_at`` would hide ``add_at(...)``).
RUNTIME_NAMES = frozenset(runtime.__all__)
_RESERVED = frozenset(dir(builtins)) | frozenset(keyword.kwlist) | RUNTIME_NAMES

_VALID = re.compile(r"\W")  # Unicode-aware: d(pérdida) stays readable


class Namer:
    """Hands out fresh names that collide with nothing in ``taken``."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = set(taken) | _RESERVED
        self.temporaries: set[str] = set()
        # per base, the counter of the last name handed out: every smaller one is taken,
        # so the search resumes there (a long function asks for "t" hundreds of times)
        self._counters: dict[str, int] = {}

    def fresh(self, base: str, temporary: bool = False) -> str:
        base = _VALID.sub("_", base) or "t"
        if base[0].isdigit():
            base = "_" + base
        counter = self._counters.get(base, 1)
        candidate = base if counter == 1 else self._numbered(base, counter)
        while candidate in self.taken:
            counter += 1
            candidate = self._numbered(base, counter)
        self._counters[base] = counter
        self.taken.add(candidate)
        if temporary:
            self.temporaries.add(candidate)
        return candidate

    def fresh_stem(self, base: str, suffixes: tuple[str, ...] = ()) -> str:
        """A fresh name whose ``suffixes`` spellings (``dg_dx_forward``) are free too; all
        of them taken from now on."""
        name = self.fresh(base)
        while any(name + suffix in self.taken for suffix in suffixes):
            name = self.fresh(base)
        self.taken.update(name + suffix for suffix in suffixes)
        return name

    def reserve(self, name: str) -> None:
        self.taken.add(name)

    @staticmethod
    def _numbered(base: str, counter: int) -> str:
        return f"{base}{counter}" if not base[-1].isdigit() else f"{base}_{counter}"


def derivative_name(function: str, wrt: list[str], mode: str = "reverse") -> str:
    prefix = "d" if mode == "reverse" else "t"
    return f"{prefix}{function}_" + "_".join(f"d{arg}" for arg in wrt)


def adjoint_base(name: str) -> str:
    return f"b{name}"


def tangent_base(name: str) -> str:
    return f"d{name}"

