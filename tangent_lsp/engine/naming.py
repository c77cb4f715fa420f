"""Deterministic names: the same input always gives the same code.

Conventions follow Tangent and Griewank: ``bx`` is the adjoint of ``x``,
``dx`` its tangent; derivative functions are ``df_dx`` (``df_dx_dy`` for
several arguments). Collisions get a numeric suffix, never a random id.
"""

from __future__ import annotations

import builtins
import keyword
import re

import gast

from .. import runtime
from . import syntax as S

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


_DERIVATIVE_PREFIXES = ("b", "d")  # of adjoints and tangents: adjoint_base, tangent_base


def temporary_hint(value: gast.expr) -> str:
    """A readable base name for a temporary: ``XW`` for ``X @ W``, ``exp_z`` for ``np.exp(z)``."""
    if isinstance(value, gast.BinOp) and isinstance(value.left, gast.Name) and isinstance(
        value.right, gast.Name
    ):
        a, b = value.left.id, value.right.id
        if len(a) <= 2 and len(b) <= 2 and isinstance(value.op, (gast.MatMult, gast.Mult)):
            # `b * x` is not `bx`, which reads as x's adjoint (`dx`: its tangent)
            if a[0] not in _DERIVATIVE_PREFIXES:
                return a + b
            if isinstance(value.op, gast.Mult) and b[0] not in _DERIVATIVE_PREFIXES:
                return b + a
            return f"{a}_{b}"
    if isinstance(value, gast.Call):
        func = S.dotted_name(value.func) or "t"
        short = func.rsplit(".", 1)[-1]
        if value.args and isinstance(value.args[0], gast.Name) and len(value.args[0].id) <= 12:
            return f"{short}_{value.args[0].id}"
        return short
    if isinstance(value, gast.Attribute) and isinstance(value.value, gast.Name):
        return f"{value.value.id}{value.attr}" if value.attr == "T" else value.attr
    if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name):
        index = value.slice
        if isinstance(index, gast.Constant) and isinstance(index.value, str):
            return index.value  # params["W1"] → W1
        if isinstance(index, gast.Constant) and index.value == -1:
            return f"{value.value.id}_last"
        if isinstance(index, gast.Constant) and isinstance(index.value, int):
            return f"{value.value.id}{index.value}"
        return f"{value.value.id}_i"
    return "t"
