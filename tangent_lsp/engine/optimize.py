"""Clean-ups on the generated function: the driver that runs the passes (dead-code
elimination in ``dead_code.py``, assignment propagation in ``propagate.py``, the shape and
value passes) to a fixed point.

Each pass is a plain function ``FunctionDef → FunctionDef`` over the flat
(straight-line) body, safe to run in any order, and the driver repeats them
until nothing changes — detected by counting statements and names, never by
re-printing the code.
"""

from __future__ import annotations

import gast

from . import syntax as S
from .shape_passes import (
    drop_noop_unbroadcast, read_shapes_from_stable_names, shape_only_callers, spread_implicitly,
)
from .flow_shapes import refine_shapes
from .shape_givers import shapes_from_names
from .reuse import reuse_values
from .simplify import simplify_backward
from .shapes import ShapeClasses
from .dead_code import eliminate_dead_code, is_pure
from .propagate import propagate_assignments

__all__ = ["optimize", "eliminate_dead_code", "propagate_assignments", "is_pure",
           "drop_empty_comments"]


def optimize(
    function: gast.FunctionDef,
    inlinable: set[str],
    mergeable: set[str],
    classes: ShapeClasses | None = None,
    stable: set[str] = frozenset(),
    np_alias: str = "np",
    pure: bool | None = None,
) -> gast.FunctionDef:
    """Run the passes to a fixed point.

    ``inlinable``: names the engine made up for intermediate values, inlined into
    their single use. ``mergeable``: adjoints of the user's variables, which keep
    their own line but absorb copies and accumulation (``bx = a; bx = bx + b``).
    ``stable``: variables assigned once, outside branches and loops, so they hold
    the same value everywhere after their assignment. ``pure``: whether no call has side
    effects, if known (the passes add none, so the primal function can tell).
    """
    if stable:
        function = reuse_values(function, stable)
    if classes is not None:
        callers = shape_only_callers(function)  # one scan for the three passes
        function = drop_noop_unbroadcast(function, classes, callers)
        function = refine_shapes(function, classes, stable, inlinable, callers)
        function = read_shapes_from_stable_names(function, classes, stable, inlinable, callers)
    function = simplify_backward(function, np_alias, classes)
    if pure is None:
        pure = is_pure(function.body)  # no pass adds a call with side effects: asked once
    function = _clean_up(function, inlinable, mergeable, pure)
    if classes is not None:
        for _ in range(3):  # a spread number propagated into another spread spreads again
            callers = shape_only_callers(function)
            if not spread_implicitly(function, classes, callers):
                break
            function = _clean_up(function, inlinable, mergeable, pure)
            callers = None  # propagation moved calls into other statements: scanned again
        # propagation moved values into shape-only arguments: read them from names again
        function = read_shapes_from_stable_names(function, classes, stable, inlinable, callers)
        if classes.containers is not None and shapes_from_names(
            function, classes, stable, callers or shape_only_callers(function)
        ):  # values computed only for their shapes: no longer read (one sweep of
            # dead-code elimination drops them and what only they read)
            function = eliminate_dead_code(function, pure)
    function = simplify_backward(function, np_alias, classes)  # again: merging made `e + e`
    return drop_empty_comments(function)


def _clean_up(
    function: gast.FunctionDef, inlinable: set[str], mergeable: set[str], pure: bool
) -> gast.FunctionDef:
    """Dead-code elimination and propagation until neither changes anything (each
    change removes a statement; the first pass to change nothing ends it)."""
    size = _size(function)
    # Straight-line code: propagation leaves nothing dead (it deletes the definitions it
    # inlines, and the `x = x` copies it makes), so one sweep of each is enough. Branches
    # and loops can still leave placeholders and counters unread.
    straight = not any(isinstance(stmt, S.COMPOUND) for stmt in function.body)
    for _ in range(20):
        summaries: dict = {}  # the statements' name summaries, from one pass to the next
        function = eliminate_dead_code(function, pure, summaries)
        after_dce = _size(function)
        if after_dce == size and _ > 0:
            break
        function = propagate_assignments(function, inlinable, mergeable, summaries)
        size = _size(function)
        if size == after_dce or straight:
            break
    return function


def _size(function: gast.FunctionDef) -> int:
    """How many statements: every pass that changes something removes one."""
    def count(stmts: list[gast.stmt]) -> int:
        total = len(stmts)
        for stmt in stmts:
            if isinstance(stmt, S.COMPOUND):
                total += count(stmt.body) + count(stmt.orelse)
        return total

    return count(function.body)


def drop_empty_comments(function: gast.FunctionDef) -> gast.FunctionDef:
    """Remove ``# Grad of:`` markers whose block was optimized away."""
    function.body = _drop_empty_comments(function.body)
    return function


def _drop_empty_comments(body: list[gast.stmt]) -> list[gast.stmt]:
    for stmt in body:
        if isinstance(stmt, S.COMPOUND):
            stmt.body = _drop_empty_comments(stmt.body) or [gast.Pass()]
            stmt.orelse = _drop_empty_comments(stmt.orelse)
    kept: list[gast.stmt] = []
    for position, stmt in enumerate(body):
        if S.comment_text(stmt) is not None and not S.is_boundary(stmt):
            following = body[position + 1] if position + 1 < len(body) else None
            if following is None or S.comment_text(following) is not None or isinstance(
                following, gast.Return
            ):
                continue
        kept.append(stmt)
    return kept
