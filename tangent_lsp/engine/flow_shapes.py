"""Shapes followed statement by statement, through reassignments and loops.

``shapes.py`` reasons about names, so a variable assigned twice has no known
shape there. Followed in order it does: after ``y = y * w`` it has the shape
``{y, w}`` had, and the backward sweep restores (pops) old values before it
needs them. This pass simulates the forward sweep, naming what is unknown
(``y@in``: ``y`` when a loop iteration starts), then the backward sweep with the
values the tape restores, and

* drops ``unbroadcast(g, x)`` where ``g`` has ``x``'s shape at that point;
* reads a shape-only argument from a user variable that has its shape at that
  point (``unbroadcast(by, t)`` → ``unbroadcast(by, y)``), so the tape no longer
  keeps ``t`` for its shape.

What makes the backward sweep's states known: it starts where the forward
sweep ended; a backward loop iteration starts with the values the matching
forward iteration ended with (later iterations restored theirs) and ends with
the values it started with; and an adjoint read before it is assigned is the
adjoint of its primal's current value (one assigned first is never read stale).
Inside branches and nested loops nothing is rewritten, and what they assign
becomes unknown.
"""

from __future__ import annotations

import gast

from . import syntax as S
from .shape_passes import SHAPE_ONLY, SHAPE_ONLY_CALLS, without_noop_unbroadcast
from .shapes import Shape, ShapeClasses
from .tape import is_pop, is_push, pair_of

_COMPOUND = (gast.If, gast.For, gast.While, gast.Try, gast.With)


class _Flow(ShapeClasses):
    """The function's shape classes, with the variables as they are now (``env``)."""

    def __init__(self, base: ShapeClasses, env: dict[str, Shape]) -> None:
        self.__dict__.update(base.__dict__)
        self.env = env

    def of_name(self, name: str) -> Shape | None:
        shape = self.env.get(name)
        return shape if shape is not None else ShapeClasses.of_name(self, name)


def _atom(name: str, tag: str) -> frozenset:
    return frozenset((f"{name}@{tag}",))


def refine_shapes(
    function: gast.FunctionDef, classes: ShapeClasses, stable: set[str], temporaries: set[str],
    callers: set[gast.stmt] | None = None,
) -> gast.FunctionDef:
    """``callers``: the statements that call a shape-only helper, if known
    (``shape_only_callers``); the others are only followed, never rewritten."""
    body = function.body
    start = next((i for i, s in enumerate(body) if S.is_boundary(s)), None)
    if start is not None:
        _Sweeps(function, classes, stable, temporaries, callers).run(body[:start], body[start:])
    return function


class _Sweeps:
    def __init__(self, function, classes, stable, temporaries, callers=None) -> None:
        self.classes, self.stable, self.temporaries = classes, stable, temporaries
        self.callers = callers
        self.params = [a.id for a in function.args.args]
        self.pushed: dict[int, Shape | None] = {}  # tape pair → shape of what was pushed
        # forward loop → (env before it, env at the end of an iteration, its pushes, its names)
        self.loops: dict[int, tuple] = {}
        self.push_owner: dict[int, gast.stmt] = {}  # tape pair → forward loop pushing it

    def run(self, forward: list[gast.stmt], backward: list[gast.stmt]) -> None:
        env: dict[str, Shape] = {p: frozenset((p,)) for p in self.params}
        flow = _Flow(self.classes, env)
        for index, stmt in enumerate(forward):
            if is_push(stmt):
                self.pushed[pair_of(stmt)] = flow.of(stmt.value.args[0])
            elif isinstance(stmt, (gast.For, gast.While)):
                self._forward_loop(stmt, flow)
                _forget(stmt, env, f"loop{index}")
            elif isinstance(stmt, _COMPOUND):
                _forget(stmt, env, f"if{index}")
            else:
                _assign(stmt, flow, str(index))
        for adjoint, primal in self.classes.adjoint_of.items():
            if primal in env:
                env[adjoint] = env[primal]
        # user variables a shape-only argument may read instead of a temporary
        self.candidates = sorted(
            n for n in set(env) | self.stable
            if n not in self.temporaries and n not in self.classes.adjoint_of
        )
        self._backward(backward, flow, "back")

    def _forward_loop(self, loop, flow: _Flow) -> None:
        entry = dict(flow.env)
        assigned = _stored(loop)
        if not _straight(loop.body):
            return
        env = {name: _atom(name, "in") for name in assigned}
        inner = _Flow(self.classes, {**entry, **env})
        pushed: dict[int, Shape | None] = {}
        for index, stmt in enumerate(loop.body):
            if is_push(stmt):
                pushed[pair_of(stmt)] = inner.of(stmt.value.args[0])
                self.push_owner[pair_of(stmt)] = loop
            else:
                _assign(stmt, inner, f"f{index}")
        self.loops[id(loop)] = (entry, dict(inner.env), pushed, assigned)

    def _backward(self, stmts: list[gast.stmt], flow: _Flow, tag: str) -> None:
        env = flow.env
        rewrite = _Rewrite(flow, self.candidates, self.temporaries)
        for index, stmt in enumerate(stmts):
            forward = self._matching(stmt) if isinstance(stmt, gast.For) else None
            if is_pop(stmt):
                _restore(stmt, env, self.pushed, f"{tag}{index}")
            elif forward is not None:
                self._backward_loop(forward, stmt, flow, f"{tag}{index}")
            elif isinstance(stmt, _COMPOUND):
                _forget(stmt, env, f"{tag}{index}")
            else:
                if self._calls_shape_only(stmt):
                    rewrite.visit(stmt)
                _assign(stmt, flow, f"{tag}{index}")

    def _calls_shape_only(self, stmt: gast.stmt) -> bool:
        if self.callers is not None:
            return stmt in self.callers
        return S.calls_any(stmt, SHAPE_ONLY_CALLS)

    def _matching(self, loop: gast.For):
        """The forward loop whose pushes this backward loop pops, if it is one loop
        whose iteration was followed."""
        pairs = {pair_of(s) for s in loop.body if is_pop(s)}
        owners = {id(self.push_owner.get(p)) for p in pairs}
        if not pairs or len(owners) != 1 or id(None) in owners or not _straight(loop.body):
            return None
        forward = self.push_owner[next(iter(pairs))]
        return forward if id(forward) in self.loops else None

    def _backward_loop(self, forward, loop: gast.For, flow: _Flow, tag: str) -> None:
        entry, end, pushed, assigned = self.loops[id(forward)]
        env = flow.env
        popped = {
            s.targets[0].id for s in loop.body
            if is_pop(s) and isinstance(s.targets[0], gast.Name)
        }
        stored = _stored(loop)
        inner: dict[str, Shape] = dict(env)
        for name in stored:
            inner[name] = _atom(name, tag)
        for name in assigned:
            inner[name] = end[name] if name in popped else _atom(name, "stale")
        for adjoint, primal in self.classes.adjoint_of.items():
            if primal in assigned:
                inner[adjoint] = end[primal]
            elif adjoint in stored:  # accumulated across iterations: its primal's shape
                shape = flow.of_name(primal)
                inner[adjoint] = shape if shape is not None else _atom(adjoint, tag)
        saved, self.pushed = self.pushed, pushed
        try:
            self._backward(loop.body, _Flow(self.classes, inner), f"{tag}.")
        finally:
            self.pushed = saved
        # after the loop, what the forward loop assigned is back as it was before it
        # (if the tape restored it), and each adjoint is that value's
        for name in stored:
            env[name] = _atom(name, tag)
        for name in assigned:
            shape = entry.get(name) if name in popped else None
            env[name] = shape if shape is not None else _atom(name, tag)
        for adjoint, primal in self.classes.adjoint_of.items():
            if primal in assigned:
                shape = entry.get(primal)
            elif adjoint in stored:
                shape = flow.of_name(primal)
            else:
                continue
            env[adjoint] = shape if shape is not None else _atom(adjoint, tag)

def _stored(stmt: gast.stmt) -> set[str]:
    names = set(S.stored_names(stmt))
    if isinstance(stmt, gast.For):
        names |= set(S.stored_names(stmt.target))
    return names


def _straight(stmts: list[gast.stmt]) -> bool:
    return not any(isinstance(s, _COMPOUND) for s in stmts)


def _forget(stmt: gast.stmt, env: dict[str, Shape], tag: str) -> None:
    """Whatever a branch or a loop assigns has a shape nothing relates to another's."""
    for name in _stored(stmt):
        env[name] = _atom(name, tag)


def _restore(stmt: gast.stmt, env: dict[str, Shape], pushed: dict, tag: str) -> None:
    target = stmt.targets[0]
    if isinstance(target, gast.Name):
        shape = pushed.get(pair_of(stmt))
        env[target.id] = shape if shape is not None else _atom(target.id, tag)


def _assign(stmt: gast.stmt, flow: _Flow, tag: str) -> None:
    """Record the shapes a statement gives the names it assigns (unknown: a new atom)."""
    env = flow.env
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name):
        name = stmt.targets[0].id
        shape = flow.of(stmt.value)
        env[name] = shape if shape is not None else _atom(name, tag)
    elif isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
        name = stmt.target.id
        shape = flow.combine(flow.of_name(name), flow.of(stmt.value))  # a number may grow
        env[name] = shape if shape is not None else _atom(name, tag)
    else:
        for name in S.stored_names(stmt):
            env[name] = _atom(name, tag)


class _Rewrite(S.Transformer):
    def __init__(self, flow: _Flow, names: list[str], temporaries: set[str]) -> None:
        self.flow, self.names, self.temporaries = flow, names, temporaries

    def visit_Call(self, node: gast.Call) -> gast.expr:
        self.generic_visit(node)
        dropped = without_noop_unbroadcast(node, self.flow)
        if dropped is not node:
            return dropped
        func = node.func.id if isinstance(node.func, gast.Name) else None
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
