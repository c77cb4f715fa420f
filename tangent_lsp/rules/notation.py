"""The notation derivative templates are written in.

Templates are parsed by the engine, never run: ``d[x]`` names the adjoint (or
tangent) of ``x`` and the decorators only mark which functions a template
differentiates. The objects here exist so that rule modules import cleanly
and read like ordinary Python.
"""

from __future__ import annotations

from typing import Any, Callable


class _Notation:
    """``d[x]``: the derivative of ``x``. Only meaningful inside a template."""

    def __getitem__(self, key: Any) -> Any:
        raise RuntimeError("d[...] is template notation; templates are parsed, not run")

    def __setitem__(self, key: Any, value: Any) -> None:
        raise RuntimeError("d[...] is template notation; templates are parsed, not run")


d = _Notation()


def adjoint(*functions: Any) -> Callable:
    """Mark a reverse-mode template for ``functions``."""
    return lambda template: template


def tangent_(*functions: Any) -> Callable:
    """Mark a forward-mode template for ``functions``."""
    return lambda template: template


def nondifferentiable(*functions: Any) -> None:
    """Declare functions whose outputs carry no gradient (shape, argmax, floor...)."""
