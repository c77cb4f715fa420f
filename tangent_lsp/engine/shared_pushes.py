"""A loop's carried variable and the value copied into it share one tape slot.

``t = np.tanh(...); h = t`` ends a step (how normalization writes ``h = np.tanh(...)``
when the adjoint of tanh reads its result): at the start of the next step ``h`` holds
the object ``t`` held, so pushing both before they are overwritten pushes that object
twice. The push of ``t`` goes; the backward sweep, which has just restored ``h`` from
the tape, sets ``t`` from it (``t = h``), as a hand-written gradient keeps ``hs`` only.
"""

from __future__ import annotations

import gast

from . import syntax as S
from .dead_code import eliminate_dead_code
from .tape import looping_sweeps, pair_of, pops_by_pair, pushes_name


def share_copied_pushes(function: gast.FunctionDef) -> gast.FunctionDef:
    sweeps = looping_sweeps(function)
    if sweeps is None:
        return function
    forward, backward = sweeps
    pops = pops_by_pair(backward)
    stored = S.stored_names([  # `t = None` before a loop: a placeholder for the push
        s for s in forward
        if not (isinstance(s, gast.Assign) and isinstance(s.value, gast.Constant)
                and s.value.value is None)
    ])
    changed = False
    for loop in _outer_loops(forward):
        changed |= _share(loop.body, pops, stored)
    if changed:  # the placeholders (`t = None`) the pushes read are dead now
        function = eliminate_dead_code(function)
    return function


def _share(body: list[gast.stmt], pops: dict, stored: list[str]) -> bool:
    if S.nodes_of(body, gast.Break) or S.nodes_of(body, gast.Continue):
        return False  # a step may end between the two assignments
    changed = False
    for j in range(len(body) - 1, 0, -1):
        copy = body[j]
        if not (_assigns_name(copy) and isinstance(copy.value, gast.Name)):
            continue
        v, t = copy.targets[0].id, copy.value.id
        i = next((k for k in range(j) if _assigns_name(body[k]) and body[k].targets[0].id == t),
                 None)
        if i is None or i == 0 or v == t:
            continue
        push_t, push_v = body[i - 1], body[j - 1]
        if not (pushes_name(push_t, t) and pushes_name(push_v, v)):
            continue
        others = body[:i - 1] + body[i + 1:j - 1] + body[j + 1:]
        if t in S.stored_names(others) or v in S.stored_names(others):
            continue  # each assigned once in the step: h holds what t held at its end
        if stored.count(t) != 1:
            continue  # t's value before the loop is a placeholder nobody restores into use
        pop_t, pop_v = pops.get(pair_of(push_t)), pops.get(pair_of(push_v))
        if pop_t is None or pop_v is None or pop_t[0] is not pop_v[0]:
            continue
        block, at_t, at_v = pop_t[0], pop_t[1], pop_v[1]
        if not at_v < at_t or v in S.stored_names(block[at_v + 1:at_t]):
            continue  # h restored first, and not changed before t is
        block[at_t] = S.assign(t, S.name(v))
        del body[i - 1]
        changed = True
        break  # positions moved: one copy per loop per run is what the transform makes
    return changed


def _outer_loops(stmts: list[gast.stmt]) -> list[gast.stmt]:
    """The loops no other loop holds: before one of those, ``t`` holds its placeholder.
    (Before a nested loop it holds the last step's value of the enclosing loop's previous
    step, which the backward sweep restores and reads.)"""
    found: list[gast.stmt] = []
    for stmt in stmts:
        if isinstance(stmt, (gast.For, gast.While)):
            found.append(stmt)
        elif isinstance(stmt, gast.If):
            found += _outer_loops(stmt.body) + _outer_loops(stmt.orelse)
    return found


def _assigns_name(stmt: gast.stmt) -> bool:
    return (
        isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name) and pair_of(stmt) is None
    )
