"""Local lambdas are inlined where they are called.

``act = lambda z: np.maximum(z, 0.0)`` followed by ``h = act(x @ W)`` reads as
``h = np.maximum(x @ W, 0.0)``: the derivative is written for the code the call runs,
and the lambda itself (a function value, which carries no derivative) disappears.

Python reads a lambda's free variables when it is called, and so does the inlined
code. A lambda is inlined only when nothing can tell the difference: it is bound once,
to a name used only to call it, after it, with an argument (by position or by name)
for each parameter without a default, and no comprehension at a call could capture one
of the body's free variables. An argument that the body reads more than once and that is not a plain name
or number is first bound to a name of its own (``z = x @ W``) just before the statement,
so it is still evaluated once; where that would move it out of a condition, a loop test
or a comprehension, the lambda stays, and is reported as unsupported, saying why.

A default is computed once, where the lambda is bound, as Python does: a number is put
in where the parameter is read, anything else is first bound to a name of its own there.
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
    (``fresh`` names the arguments bound before their statement). A lambda bound to a
    name and left in place gets ``not_inlined``: (construct, hint) saying why,
    for the error that refuses it."""
    if not S.contains(stmts, (gast.Lambda,)):
        return stmts
    for position in range(len(stmts) - 1, -1, -1):
        lam = _bound_lambda(stmts[position])
        if lam is None:
            continue
        name = stmts[position].targets[0].id
        rest = stmts[position + 1:]
        why = _why_not(name, lam, stmts[:position], rest)
        if why is not None:
            lam.not_inlined = why
            continue
        target = _Lambda(name, lam)
        defaults = target.bind_defaults(fresh, stmts[position])
        stmts[position:] = defaults + _inline_block(rest, target, fresh)
    return stmts


class _Lambda:
    def __init__(self, name: str, lam: gast.Lambda) -> None:
        self.name = name
        args = lam.args
        self.positional = [a.id for a in args.args]
        self.params = self.positional + [a.id for a in args.kwonlyargs]
        # a default is computed once, where the lambda is: a number is put in as it is,
        # anything else is bound to a name there first (bind_defaults)
        self.defaults: dict[str, gast.expr] = dict(
            zip(self.positional[len(self.positional) - len(args.defaults):], args.defaults)
        )
        self.defaults.update(
            (a.id, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None
        )
        self.body = lam.body
        reads = [n.id for n in S.names(lam.body)]
        self.read_twice = {p for p in self.params if reads.count(p) > 1}

    def bind_defaults(self, fresh, where: gast.stmt) -> list[gast.stmt]:
        """The statements computing the defaults that are not numbers, where the lambda
        was (Python computes them there, once)."""
        out = []
        for param, default in self.defaults.items():
            if S.number_literal(default) is None:
                name = fresh(param)
                bind = gast.Assign(targets=[S.name(name, store=True)], value=default,
                                   type_comment=None)
                out.append(gast.copy_location(bind, where))
                self.defaults[param] = S.name(name)
        return out

    def arguments(self, call: gast.Call) -> dict[str, gast.expr] | None:
        """The arguments of a call by parameter (a default where none is passed), or
        None when the call does not fit the parameters."""
        if len(call.args) > len(self.positional) or any(
            isinstance(a, gast.Starred) for a in call.args
        ):
            return None
        given = dict(zip(self.positional, call.args))
        for keyword in call.keywords:
            if keyword.arg is None or keyword.arg not in self.params or keyword.arg in given:
                return None
            given[keyword.arg] = keyword.value
        if any(p not in given and p not in self.defaults for p in self.params):
            return None
        return given

    def needs_binding(self, call: gast.Call) -> list[str]:
        """The parameters whose arguments to bind to a name first."""
        return [
            param for param, arg in (self.arguments(call) or {}).items()
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
        return stmt.value
    return None


_BY_DEF = "or define it with 'def' at module level, passing what it reads as arguments"


def _why_not(name: str, lam: gast.Lambda, before: list, after: list) -> tuple | None:
    """Why the lambda bound to ``name`` cannot be inlined, as (construct, hint); None
    when it can."""
    args = lam.args
    star = [what for what, present in (
        ("*args", args.vararg), ("**kwargs", args.kwarg),
        ("positional-only parameters", args.posonlyargs),
    ) if present]
    if star:
        return (f"a lambda with {' and '.join(star)}",
                f"give it plain parameters (lambda z, c=2.0: ...), {_BY_DEF}")
    params = [a.id for a in args.args + args.kwonlyargs]
    if any(n.id == name for n in S.names(lam.body)):
        return (f"the lambda '{name}' calling itself", "write the repetition as a loop")
    if any(n.id == name for n in S.names(before)):
        return (f"binding a lambda to '{name}', a name used before it,",
                f"give the lambda a name of its own, {_BY_DEF}")
    bound_in_body = {
        n.id for node in S.walk(lam.body) if isinstance(node, _COMPREHENSIONS)
        for g in node.generators for n in S.names(g.target)
    } | {a.id for node in S.walk(lam.body) if isinstance(node, gast.Lambda) for a in node.args.args}
    again = sorted(bound_in_body & set(params))
    if again:  # substitution would reach it
        return (f"a lambda whose parameter '{again[0]}' is bound again in its body",
                "rename the comprehension's or inner lambda's variable")
    uses = [n for n in S.names(after) if n.id == name]
    target = _Lambda(name, lam)
    calls = [c for c in S.nodes_of(after, gast.Call) if target.is_call(c)]
    stored = [n for n in uses if n.ctx.__class__ is not gast.Load]
    if stored:
        return (f"binding '{name}', the name of a lambda, again",
                f"give each lambda a name of its own, {_BY_DEF}")
    if len(calls) != len(uses):
        value = next(n for n in uses if not any(c.func is n for c in calls))
        return (f"using the lambda '{name}' as a value (line {value.lineno})",
                f"only call it by its name ({name}(...)), {_BY_DEF}")
    for call in calls:
        if target.arguments(call) is None:
            return (f"calling the lambda '{name}' with arguments that do not match its "
                    f"parameters (line {call.lineno})", "pass one argument for each parameter "
                    "without a default, by position or by its name, and no *args or **kwargs")
    if any(target.needs_binding(c) for c in calls) and not _all_bindable(after, target):
        return (f"calling the lambda '{name}' on a conditional path with an expression it "
                "reads twice", "assign the argument to a name in a statement of its own first")
    free = {n.id for n in S.names(lam.body)} - set(params)
    bound_at_calls = {
        n.id for comp in S.walk(after) if isinstance(comp, _COMPREHENSIONS)
        for g in comp.generators for n in S.names(g.target)
    }
    captured = sorted(free & bound_at_calls)
    if captured:
        return (f"the lambda '{name}' reading '{captured[0]}', which a comprehension binds "
                "where it is called,", "rename the comprehension's variable")
    return None


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
        args = self.target.arguments(node)
        for param in self.target.needs_binding(node):
            name = self.fresh(param)
            bind = gast.Assign(targets=[S.name(name, store=True)], value=args[param],
                               type_comment=None)
            self.out.append(gast.copy_location(bind, self.where))
            args[param] = S.name(name)
        for param, default in self.target.defaults.items():
            args.setdefault(param, default)
        return S.substitute(S.clone(self.target.body), args)
