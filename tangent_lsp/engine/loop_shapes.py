"""Shapes inside a loop, statement by statement.

``shapes.py`` reasons about names, so a variable a loop reassigns has no known
shape there. Within one iteration it does: ``t = 1.5 * y`` has the shape ``y``
had when ``t`` was computed, and the backward sweep puts ``y`` back (pops it)
before it needs it. This pass follows one iteration of a forward loop, naming
the shape each loop variable has when the iteration starts (``y@in``), then the
matching backward loop with the values the tape restores, and

* drops ``unbroadcast(g, x)`` where ``g`` has ``x``'s shape at that point;
* reads a shape-only argument from a user variable that has its shape at that
  point (``unbroadcast(by, t)`` → ``unbroadcast(by, y)``), so the tape no longer
  keeps ``t`` for its shape.

Two facts make the backward iteration's start known: every variable the loop
assigns holds its value at the end of the matching forward iteration (later
iterations restored theirs), and an adjoint that is read before it is assigned
is the adjoint of that value (one assigned first is never read stale). Loops
with branches or inner loops are left alone.
"""

from __future__ import annotations

import gast

from . import syntax as S
from .shape_passes import SHAPE_ONLY
from .shapes import Shape, ShapeClasses, broadcast
from .tape import is_pop, is_push, pair_of


class _Flow(ShapeClasses):
    """The function's shape classes, with the loop's variables as they are now."""

    def __init__(self, base: ShapeClasses, env: dict[str, Shape]) -> None:
        self.__dict__.update(base.__dict__)
        self.env = env

    def of_name(self, name: str) -> Shape | None:
        shape = self.env.get(name)
        return shape if shape is not None else ShapeClasses.of_name(self, name)


def refine_loop_shapes(
    function: gast.FunctionDef, classes: ShapeClasses, stable: set[str], temporaries: set[str]
) -> gast.FunctionDef:
    body = function.body
    start = next((i for i, s in enumerate(body) if S.is_boundary(s)), None)
    if start is None:
        return function
    forward_loops = [s for s in body[:start] if isinstance(s, (gast.For, gast.While))]
    push_owner = {
        pair_of(stmt): loop for loop in forward_loops for stmt in loop.body if is_push(stmt)
    }
    for stmt in body[start:]:
        if isinstance(stmt, gast.For):
            pairs = {pair_of(s) for s in stmt.body if is_pop(s)}
            owners = {id(push_owner.get(p)) for p in pairs}
            if pairs and len(owners) == 1 and None not in (push_owner.get(p) for p in pairs):
                _refine(push_owner[next(iter(pairs))], stmt, classes, stable, temporaries)
    return function


def _straight(stmts: list[gast.stmt]) -> bool:
    return not any(isinstance(s, (gast.If, gast.For, gast.While, gast.Try, gast.With)) for s in stmts)


def _refine(forward, backward, classes, stable, temporaries) -> None:
    if not (_straight(forward.body) and _straight(backward.body)):
        return
    assigned = set(S.stored_names(forward.body))
    if isinstance(forward, gast.For):
        assigned |= set(S.stored_names(forward.target))
    env: dict[str, Shape] = {name: frozenset((f"{name}@in",)) for name in assigned}
    flow = _Flow(classes, env)
    pushed: dict[int, Shape | None] = {}
    for index, stmt in enumerate(forward.body):
        if is_push(stmt):
            pushed[pair_of(stmt)] = flow.of(stmt.value.args[0])
        else:
            _assign(stmt, flow, f"@{index}")
    end = dict(env)

    # the backward iteration starts with the values the forward one ended with
    popped = {s.targets[0].id for s in backward.body if is_pop(s) and isinstance(s.targets[0], gast.Name)}
    env.clear()
    for name in set(S.stored_names(backward.body)) | set(S.stored_names(backward.target)):
        env[name] = frozenset((f"{name}@back",))
    for name in assigned:
        env[name] = end[name] if name in popped else frozenset((f"{name}@stale",))
    for adjoint, primal in classes.adjoint_of.items():
        if primal in assigned:
            env[adjoint] = end[primal]
    names = sorted(
        n for n in (set(end) | stable) if n not in temporaries and n not in classes.adjoint_of
    )
    rewrite = _Rewrite(flow, names, temporaries)
    for index, stmt in enumerate(backward.body):
        if is_pop(stmt):
            target = stmt.targets[0]
            if isinstance(target, gast.Name):
                shape = pushed.get(pair_of(stmt))
                env[target.id] = shape if shape is not None else frozenset((f"{target.id}@pop{index}",))
            continue
        rewrite.visit(stmt)
        _assign(stmt, flow, f"@back{index}")


def _assign(stmt: gast.stmt, flow: _Flow, tag: str) -> None:
    """Record the shapes a statement gives the names it assigns (unknown: a fresh atom)."""
    env = flow.env
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name):
        name = stmt.targets[0].id
        shape = flow.of(stmt.value)
        env[name] = shape if shape is not None else frozenset((name + tag,))
    elif isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
        name = stmt.target.id
        shape = broadcast(flow.of_name(name), flow.of(stmt.value))  # a number may grow
        env[name] = shape if shape is not None else frozenset((name + tag,))
    else:
        for name in S.stored_names(stmt):
            env[name] = frozenset((name + tag,))


class _Rewrite(S.Transformer):
    def __init__(self, flow: _Flow, names: list[str], temporaries: set[str]) -> None:
        self.flow, self.names, self.temporaries = flow, names, temporaries

    def visit_Call(self, node: gast.Call) -> gast.expr:
        self.generic_visit(node)
        func = node.func.id if isinstance(node.func, gast.Name) else None
        if func == "unbroadcast" and len(node.args) == 2:
            shape = self.flow.of(node.args[0])
            if shape is not None and shape == self.flow.of(node.args[1]):
                return node.args[0]
        position = SHAPE_ONLY.get(func)
        if position is not None and position < len(node.args):
            arg = node.args[position]
            if isinstance(arg, gast.Name) and arg.id in self.temporaries:
                shape = self.flow.of(arg)
                if shape is not None:
                    for name in self.names:
                        if self.flow.of_name(name) == shape:
                            node.args[position] = S.name(name)
                            break
        return node
