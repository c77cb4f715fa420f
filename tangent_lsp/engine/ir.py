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
      ``literal``    a list, tuple or dict built from atoms
      ``append``     ``target.append(item)``: mutates the list ``target`` (``args[1]`` is
                     the item); its adjoint pops the list's adjoint
      ``setitem``    ``target[index] = item``: ``value`` is the location ``target[index]``,
                     ``args`` are ``[target, item]``
      ``pop``        ``target = args[0].pop()`` (the tape, in generated code differentiated
                     again; forward mode only)
      ``call``       a call of the user's own function (set by analysis)
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
    forward_template: object = None  # the @tangent_ rule, for forward mode
    forward_bound: dict[str, gast.expr] | None = None
    # set by the reverse transform: what a call of the user's function saved for its
    # backward half, and the tape pair that keeps it across a loop's steps
    saved: str | None = None
    saved_pair: int | None = None


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


@dataclass
class If:
    """``if test: body else: orelse``; ``test`` is a name holding the branch taken,
    computed by a preceding ``constant`` Op, so the backward sweep can read it."""

    test: gast.Name
    body: list[Statement]
    orelse: list[Statement]
    line: int
    node: gast.AST
    # set when a branch may break/continue: a name that is True after the jump,
    # so the backward sweep skips the adjoints of the statements that did not run
    exit_flag: str | None = None


@dataclass
class Loop:
    """A ``for`` loop over an index sequence, or a ``while`` loop.

    ``for`` loops are normalized to ``for target in iterable`` where ``iterable``
    is a name bound to a ``range`` (iteration over arrays, ``enumerate`` and
    ``zip`` become indexing). ``while`` loops keep their test, which carries no
    derivative. ``trips`` names the iteration counter when the backward sweep
    needs one (``while`` loops, and ``for`` loops that may ``break``).
    """

    kind: str  # "for" | "while"
    body: list[Statement]
    line: int
    node: gast.AST
    target: str | None = None
    iterable: gast.expr | None = None
    test: gast.expr | None = None
    trips: str | None = None
    pair: int | None = None  # the tape pair that keeps the target's value from before


@dataclass
class Jump:
    """``break`` or ``continue``; ``flags`` are set just before it (see reverse.py)."""

    kind: str
    line: int
    node: gast.AST
    flags: list[str] = field(default_factory=list)


@dataclass
class GradHook:
    """``with insert_grad_of(x) as dx: body``: ``body`` runs in the backward sweep, at
    the point where the adjoint of this version of ``x`` is complete."""

    target: str
    alias: str
    body: list[gast.stmt]
    line: int
    node: gast.AST


Statement = Op | Keep | Return | If | Loop | Jump | GradHook


@dataclass
class Function:
    """A normalized function: its parameters, body, and where each line came from."""

    name: str
    params: list[str]
    defaults: list[gast.expr]
    body: list[Statement]
    lines: dict[int, str]  # primal line number → its text, for "# Grad of:" comments
    node: gast.FunctionDef
    identifiers: frozenset[str]  # every name ``node`` spells (read, bound or a parameter)
    result_temporary: str | None = None  # the name given to ``return <expression>``
    origins: dict[str, str] = field(default_factory=dict)  # SSA name → the user's variable


def as_returned(fn: Function, value: gast.expr) -> gast.expr:
    """``value``, a tuple built from the returned values (or their tangents), as the
    user's return statement builds them: normalization reads ``return [a, b]`` as
    ``return a, b``, but the caller gets a list."""
    returned = next((s for s in reversed(fn.body) if isinstance(s, Return)), None)
    if (
        isinstance(value, gast.Tuple) and returned is not None
        and isinstance(getattr(returned.node, "value", None), gast.List)
    ):
        return gast.List(elts=value.elts, ctx=gast.Load())
    return value


def ends_in_break(body: list[Statement]) -> bool:
    """Whether a block ends with ``break`` (an early ``return`` in a loop is one)."""
    return bool(body) and isinstance(body[-1], Jump) and body[-1].kind == "break"
