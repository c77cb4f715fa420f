"""The normalized program the analysis and the transforms work on.

Normalization turns a function body into a list of these: one operation per
statement, operands that are names or literals (A-normal form), every call
already resolved to the qualified name its rule is keyed by.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import gast


@dataclass
class Op:
    """``target = value`` where ``value`` applies one operation to atoms.

    kind:
      ``copy``       ``y = x``
      ``rule``       an operator, call, method or attribute with a rule ``key``;
                     ``args``/``keywords`` are what binds to the rule's parameters
      ``subscript``  ``y = x[index]`` (the engine's own adjoint)
      ``constant``   carries no derivative (comparisons, ``x.shape``, ``np.argmax``)
    """

    target: str
    value: gast.expr
    kind: str
    line: int
    node: gast.AST
    key: str | None = None
    shown: str = ""
    args: list[gast.expr] = field(default_factory=list)
    keywords: dict[str, gast.expr] = field(default_factory=dict)
    unpack: bool = False  # ``a, b = value`` split into ``a = value[0]``...
    # filled in by analysis: the rule's template, the call bound to it, or why it can't be
    template: object = None
    bound: dict[str, gast.expr] | None = None
    error: Exception | None = None


@dataclass
class Keep:
    """A statement kept as written that carries no derivative (``print``, ``assert``,
    ``m, n = x.shape``)."""

    stmt: gast.stmt
    line: int
    defines: list[str]


@dataclass
class Return:
    value: gast.expr
    line: int
    node: gast.AST


Statement = Op | Keep | Return


@dataclass
class Function:
    """A normalized function: its parameters, body, and where each line came from."""

    name: str
    params: list[str]
    defaults: list[gast.expr]
    body: list[Statement]
    lines: dict[int, str]  # primal line number → its text, for "# Grad of:" comments
    node: gast.FunctionDef
    result_temporary: str | None = None  # the name given to ``return <expression>``
