"""Cheap reads are read again in the backward sweep instead of taped.

``xs_i = xs[t]`` in a loop over ``t``, with ``xs`` an argument the function never
changes: the backward loop runs over the same ``t``, so it reads ``xs[t]`` again at the
top of its step, where the forward sweep pushed the old ``xs_i`` every step and the
backward sweep popped it back, as a hand-written gradient indexes ``xs[t]`` again.
"""

from __future__ import annotations

import gast

from . import syntax as S
from .dead_code import eliminate_dead_code
from .tape import looping_sweeps, pair_of, pops_by_pair, pushes_name
from ..runtime import __all__ as _RUNTIME

# functions that write into no argument: the runtime's helpers, and builtins that read
_PURE = frozenset(_RUNTIME) | frozenset(
    "len range enumerate zip reversed float int abs min max sum tuple list sorted".split()
)


def reread_indexed_arguments(function: gast.FunctionDef) -> gast.FunctionDef:
    sweeps = looping_sweeps(function)
    if sweeps is None:
        return function
    forward, backward = sweeps
    # a list's element read twice is two reads of a container, which the derivative of
    # this code would add up element by element; an array's rows are plain values
    unchanged = _unchanged_parameters(function) & S.read_as_arrays(function.body)
    if not unchanged:
        return function
    pops = pops_by_pair(backward)
    counters = _counters(function.body)
    changed = False
    for loop, enclosing in _for_loops(forward, ()):
        body = loop.body
        for position in range(len(body) - 2, -1, -1):
            push, read = body[position], body[position + 1]
            found = _indexed_read(read, set(enclosing) & counters, unchanged)
            if found is None or not pushes_name(push, found):
                continue
            at = pops.get(pair_of(push))
            if at is None:
                continue
            block, index, owner = at
            if not (
                isinstance(owner, gast.For) and isinstance(owner.target, gast.Name)
                and owner.target.id == loop.target.id
                and _read_only_in(found, forward, body, backward, block)
            ):
                continue
            del block[index]
            block.insert(0, S.clone(read))
            del body[position]
            pops = pops_by_pair(backward)  # positions in that block moved
            changed = True
    if changed:  # the placeholders (`xs_i = None`) the pushes read are dead now
        function = eliminate_dead_code(function)
    return function


def _indexed_read(stmt: gast.stmt, counters: set[str], unchanged: set[str]) -> str | None:
    """The name ``stmt`` (``v = xs[t]``, ``v = X[i][j]``) binds, if it indexes an
    unchanged argument by the counters of the loops around it only."""
    if not (
        isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name) and pair_of(stmt) is None
        and isinstance(stmt.value, gast.Subscript)
    ):
        return None
    base, reads = stmt.value, set()
    while isinstance(base, gast.Subscript):
        reads |= set(S.loaded_names(base.slice))
        base = base.value
    if not (isinstance(base, gast.Name) and base.id in unchanged and reads <= counters):
        return None
    return stmt.targets[0].id


def _for_loops(stmts: list[gast.stmt], enclosing: tuple[str, ...]):
    """Each ``for`` loop over a plain name, with the names of its own and the enclosing
    loops' counters."""
    for stmt in stmts:
        if isinstance(stmt, gast.For):
            counters = enclosing + ((stmt.target.id,) if isinstance(stmt.target, gast.Name)
                                    else ())
            if isinstance(stmt.target, gast.Name):
                yield stmt, counters
            yield from _for_loops(stmt.body, counters)
        elif isinstance(stmt, (gast.If, gast.While)):
            yield from _for_loops(stmt.body + stmt.orelse, enclosing)


def _counters(body: list[gast.stmt]) -> set[str]:
    """Names bound only as the counters of ``for`` loops (in the backward sweep the same
    loops, reversed, bind them to the same values)."""
    loops = S.nodes_of(body, gast.For)
    counters = {loop.target.id for loop in loops if isinstance(loop.target, gast.Name)}
    targets = [loop.target for loop in loops]
    others = [n for n in S.names(body) if n.ctx.__class__ is not gast.Load]
    return counters - {n.id for n in others if not any(n is t for t in targets)}


def _unchanged_parameters(function: gast.FunctionDef) -> set[str]:
    """Parameters the function never binds again, writes into (``xs[0] = v``,
    ``xs.append(v)``, ``np.add.at(xs, ...)``, ``out=xs``), or passes to a function of the
    user's (which might write into them; the runtime's helpers write into nothing)."""
    params = {a.id for a in function.args.args}
    for node in S.walk(function.body):
        if isinstance(node, gast.Name) and node.ctx.__class__ is not gast.Load:
            params.discard(node.id)
        elif isinstance(node, (gast.Subscript, gast.Attribute)) and (
            node.ctx.__class__ is not gast.Load and isinstance(node.value, gast.Name)
        ):
            params.discard(node.value.id)
        elif isinstance(node, gast.Call):
            func = node.func
            written = [k.value for k in node.keywords if k.arg == "out"]
            if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name):
                written.append(func.value)  # `xs.append(...)`, `xs.sort()`
            if isinstance(func, gast.Attribute) and func.attr == "at":
                written += node.args[:1]  # `np.add.at(xs, i, v)`
            if isinstance(func, gast.Name) and func.id not in _PURE:
                written += node.args + [k.value for k in node.keywords]
            for arg in written:
                if isinstance(arg, gast.Name):
                    params.discard(arg.id)
    return params


def _read_only_in(
    name: str, forward: list[gast.stmt], loop_body: list[gast.stmt],
    backward: list[gast.stmt], block: list[gast.stmt],
) -> bool:
    """``name`` is bound only by that read (and a placeholder), and read in the backward
    sweep only inside the loop that reads it again."""
    stores = [
        s for s in S.nodes_of(forward, gast.Assign)
        if name in S.stored_names(s.targets[0])
        and not (isinstance(s.value, gast.Constant) and s.value.value is None)
    ]
    if len(stores) != 1 or not any(s is stores[0] for s in loop_body):
        return False
    inside = {id(n) for n in S.names(block)}
    return all(
        id(n) in inside for n in S.names(backward) if n.id == name and n.ctx.__class__ is gast.Load
    )
