"""Local lambdas are inlined where they are called.

``act = lambda z: np.maximum(z, 0.0)`` followed by ``h = act(x @ W)`` reads as
``h = np.maximum(x @ W, 0.0)``: the derivative is written for the code the call runs,
and the lambda itself (a function value, which carries no derivative) disappears.

Python reads a lambda's free variables when it is called, and so does the inlined
code. A lambda is inlined only when nothing can tell the difference: it is bound once,
to a name used only to call it, after it, with as many positional arguments as it has
parameters, and no comprehension at a call could capture one of the body's free
variables. An argument that the body reads more than once and that is not a plain name
or number is first bound to a name of its own (``z = x @ W``) just before the statement,
so it is still evaluated once; where that would move it out of a condition, a loop test
or a comprehension, the lambda stays, and is reported as unsupported.
"""

from __future__ import annotations

from typing import Callable

import gast

from . import syntax as S

_COMPREHENSIONS = (gast.ListComp, gast.GeneratorExp, gast.SetComp, gast.DictComp)
# where an argument cannot be computed before its statement: it may not run, or it reads
# a name bound there
_CONDITIONAL = (gast.IfExp, gast.BoolOp, gast.Lambda) + _COMPREHENSIONS


def inline_lambdas(stmts: list[gast.stmt], fresh: Callable[[str], str]) -> list[gast.stmt]:
    """``stmts`` (a function's body) with its local lambdas inlined at their calls
    (``fresh`` names the arguments bound before their statement)."""
    if not S.contains(stmts, (gast.Lambda,)):
        return stmts
    for position in range(len(stmts) - 1, -1, -1):
        lam = _bound_lambda(stmts[position])
        if lam is None:
            continue
        name = stmts[position].targets[0].id
        rest = stmts[position + 1:]
        if _inlinable(name, lam, stmts[:position], rest):
            stmts[position:] = _inline_block(rest, _Lambda(name, lam), fresh)
    return stmts


class _Lambda:
    def __init__(self, name: str, lam: gast.Lambda) -> None:
        self.name = name
        self.params = [a.id for a in lam.args.args]
        self.body = lam.body
        reads = [n.id for n in S.names(lam.body)]
        self.read_twice = {p for p in self.params if reads.count(p) > 1}

    def needs_binding(self, call: gast.Call) -> list[int]:
        """Positions of the arguments to bind to a name first."""
        return [
            k for k, (param, arg) in enumerate(zip(self.params, call.args))
            if param in self.read_twice and not isinstance(arg, (gast.Name, gast.Constant))
        ]

    def is_call(self, node: gast.AST) -> bool:
        return isinstance(node, gast.Call) and isinstance(node.func, gast.Name) \
            and node.func.id == self.name


def _bound_lambda(stmt: gast.stmt) -> gast.Lambda | None:
    if (
        isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Lambda)
    ):
        args = stmt.value.args
        if not (args.posonlyargs or args.vararg or args.kwonlyargs or args.kwarg
                or args.defaults):
            return stmt.value
    return None


def _inlinable(name: str, lam: gast.Lambda, before: list, after: list) -> bool:
    params = [a.id for a in lam.args.args]
    if any(n.id == name for n in S.names(before)) or any(
        n.id == name for n in S.names(lam.body)
    ):
        return False  # used before it is bound, or calls itself
    bound_in_body = {
        n.id for node in S.walk(lam.body) if isinstance(node, _COMPREHENSIONS)
        for g in node.generators for n in S.names(g.target)
    } | {a.id for node in S.walk(lam.body) if isinstance(node, gast.Lambda) for a in node.args.args}
    if bound_in_body & set(params):
        return False  # a parameter's name is bound again inside: substitution would reach it
    uses = [n for n in S.names(after) if n.id == name]
    target = _Lambda(name, lam)
    calls = [c for c in S.nodes_of(after, gast.Call) if target.is_call(c)]
    if not calls or len(calls) != len(uses) or any(n.ctx.__class__ is not gast.Load for n in uses):
        return False  # rebound, or passed around as a value
    for call in calls:
        if call.keywords or len(call.args) != len(params) or any(
            isinstance(a, gast.Starred) for a in call.args
        ):
            return False
    if any(target.needs_binding(c) for c in calls) and not _all_bindable(after, target):
        return False
    free = {n.id for n in S.names(lam.body)} - set(params)
    bound_at_calls = {
        n.id for comp in S.walk(after) if isinstance(comp, _COMPREHENSIONS)
        for g in comp.generators for n in S.names(g.target)
    }
    return not (free & bound_at_calls)


def _all_bindable(stmts: list[gast.stmt], target: _Lambda) -> bool:
    """Every call whose arguments need a name of their own sits in a simple statement,
    outside conditions, comprehensions and lambdas (binding it first changes nothing)."""
    for stmt in stmts:
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            header = stmt.test if not isinstance(stmt, gast.For) else stmt.iter
            if any(target.is_call(c) and target.needs_binding(c)
                   for c in S.nodes_of(header, gast.Call)):
                return False
            if not (_all_bindable(stmt.body, target) and _all_bindable(stmt.orelse, target)):
                return False
            continue
        for scope in S.walk(stmt):
            if isinstance(scope, _CONDITIONAL) and any(
                target.is_call(c) and target.needs_binding(c) for c in S.nodes_of(scope, gast.Call)
            ):
                return False
    return True


def _inline_block(stmts: list[gast.stmt], target: _Lambda, fresh) -> list[gast.stmt]:
    out: list[gast.stmt] = []
    for stmt in stmts:
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            stmt.body = _inline_block(stmt.body, target, fresh)
            stmt.orelse = _inline_block(stmt.orelse, target, fresh)
            if isinstance(stmt, gast.For):
                stmt.iter = _Inline(target, fresh, out, stmt).visit(stmt.iter)
            else:
                stmt.test = _Inline(target, fresh, out, stmt).visit(stmt.test)
            out.append(stmt)
            continue
        out.append(_Inline(target, fresh, out, stmt).visit(stmt))
    return out


class _Inline(gast.NodeTransformer):
    """Replace the calls in one statement; arguments to bind go to ``out`` first."""

    def __init__(self, target: _Lambda, fresh, out: list[gast.stmt], where: gast.stmt) -> None:
        self.target, self.fresh, self.out, self.where = target, fresh, out, where

    def visit_Call(self, node: gast.Call) -> gast.AST:
        self.generic_visit(node)  # arguments that call it too
        if not self.target.is_call(node):
            return node
        args = list(node.args)
        for k in self.target.needs_binding(node):
            name = self.fresh(self.target.params[k])
            bind = gast.Assign(targets=[S.name(name, store=True)], value=args[k], type_comment=None)
            self.out.append(gast.copy_location(bind, self.where))
            args[k] = S.name(name)
        return S.substitute(S.clone(self.target.body), dict(zip(self.target.params, args)))
