"""A callee's forward half returns its value only if some caller reads it.

``_, saved_g = dg_dx_forward(x)``: the caller's derivative often needs only what g's
backward half reads, not g's value (the loss helper at the end of a model: the gradient
does not return the loss). Such a forward half returns only its saved state, and
dead-code elimination drops the work that computed the value. That can leave the values
of the halves it calls unread in turn (``_, saved_h = dh_dx_forward(...)``), so this
repeats until nothing changes.
"""

from __future__ import annotations

import gast

from . import syntax as S
from .dead_code import eliminate_dead_code


def drop_unused_results(functions: list[gast.FunctionDef], forward_halves: set[str]) -> None:
    """Rewrite, in place, the forward halves among ``functions`` (those named in
    ``forward_halves``) whose every call discards the value, and those calls."""
    halves = {f.name: f for f in functions if f.name in forward_halves}
    changed = True
    while changed and halves:
        changed = False
        calls = _assignments_of(functions, set(halves))
        references = _references(functions, set(halves))
        for name in sorted(halves):
            discarding = [a for a in calls.get(name, []) if _discards_value(a)]
            if not discarding or len(discarding) != references.get(name, 0):
                continue  # called for its value somewhere (or passed around): kept whole
            for assignment in discarding:
                assignment.targets = [assignment.targets[0].elts[1]]
            half = halves.pop(name)
            returned = half.body[-1]
            returned.value = returned.value.elts[1]
            eliminate_dead_code(half)
            changed = True


def _discards_value(assignment: gast.Assign) -> bool:
    """``_, saved = half(...)``."""
    target = assignment.targets[0]
    return (
        isinstance(target, gast.Tuple) and len(target.elts) == 2
        and isinstance(target.elts[0], gast.Name) and target.elts[0].id == "_"
    )


def _assignments_of(
    functions: list[gast.FunctionDef], names: set[str]
) -> dict[str, list[gast.Assign]]:
    """The statements ``... = half(...)`` of each half, by the half's name; none of a
    function that reads ``_``: there it is the user's variable, not a discarded value."""
    found: dict[str, list[gast.Assign]] = {}
    kept = [f for f in functions if not any(
        n.id == "_" and n.ctx.__class__ is gast.Load for n in S.names(f)
    )]
    for assignment in S.nodes_of(kept, gast.Assign):
        value = assignment.value
        if (
            isinstance(value, gast.Call) and isinstance(value.func, gast.Name)
            and value.func.id in names and len(assignment.targets) == 1
        ):
            found.setdefault(value.func.id, []).append(assignment)
    return found


def _references(functions: list[gast.FunctionDef], names: set[str]) -> dict[str, int]:
    """How often each half's name is read anywhere: a call not of the form above (or the
    function passed as a value) keeps the half as it is."""
    counts: dict[str, int] = {}
    for node in S.names(functions):
        if node.id in names:
            counts[node.id] = counts.get(node.id, 0) + 1
    return counts
