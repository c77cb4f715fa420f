"""Joint and split motion: one generated function, or a forward and a backward half.

The reverse transform always produces a joint function with a boundary
marker between the sweeps. Joint motion just drops the marker. Split motion
cuts there: the forward half returns exactly the values the backward half
reads (found by liveness, so nothing is saved that nobody reads), and a small
wrapper with the joint signature calls both.
"""

from __future__ import annotations

from dataclasses import dataclass

import gast

from . import syntax as S
from .shape_passes import shape_read_ids
from .views import views_of


def joint(function: gast.FunctionDef) -> list[gast.FunctionDef]:
    function.body = [s for s in function.body if not S.is_boundary(s)]
    return [function]


def split(
    function: gast.FunctionDef, seed: str, primal_args: gast.arguments, saved_name: str
) -> list[gast.FunctionDef]:
    params = [a.id for a in function.args.args if a.id != seed]
    keyword_only = [a.id for a in function.args.kwonlyargs]
    forward, backward = _halves(function, seed, S.clone(primal_args), saved_name)
    call_forward = S.call(
        forward.name, [S.name(p) for p in params], {k: S.name(k) for k in keyword_only}
    )
    call_backward = S.call(backward.name, [S.name(saved_name), S.name(seed)])
    wrapper = _function(
        function.name, S.clone(function.args),
        [S.assign(saved_name, call_forward), gast.Return(value=call_backward)],
    )
    return [forward, backward, wrapper]


@dataclass
class CalleeHalves:
    """The derivative of a function the caller's derivative calls, in two halves:
    ``y, saved_g = dg_dx_forward(x)`` in the caller's forward sweep and ``bx =
    dg_dx_backward(y, saved_g, x, bg=by)`` in its backward sweep, so ``g`` runs once, as
    in a hand-written gradient. The backward half takes the call's arguments and result
    as the caller holds them at that point, so the caller keeps them (and restores what it
    overwrote of them) for it; it gets only the callee's own values through ``saved``.
    No forward half (None) when it needs none of them: the caller calls ``g`` itself."""

    forward: gast.FunctionDef | None
    backward: gast.FunctionDef
    takes_result: bool  # the result, as its first argument


def split_callee(function: gast.FunctionDef, seed: str, saved_name: str) -> CalleeHalves:
    """``function``: the callee's joint derivative, generated with ``preserve_result`` (its
    value is the last of those it returns)."""
    returned = function.body[-1]
    *grads, value = returned.value.elts
    returned.value = grads[0] if len(grads) == 1 else gast.Tuple(elts=grads, ctx=gast.Load())
    cut = next(i for i, s in enumerate(function.body) if S.is_boundary(s))
    forward_body, backward_body = function.body[:cut], function.body[cut + 1 :]
    params = [a.id for a in function.args.args if a.id != seed]
    params += [a.id for a in function.args.kwonlyargs]
    read_later = _read_later(forward_body, backward_body, params)
    rebound = {n for stmt in forward_body for n in S.stored_names(stmt)}
    passed = {n for n in read_later if n in params and n not in rebound}
    result = value.id if isinstance(value, gast.Name) and value.id not in params else None
    takes_result = result in read_later
    kept = [n for n in read_later if n not in passed and n != result]
    args = S.clone(function.args)
    # one value is passed as itself; several as a tuple, unpacked
    state = kept[0] if len(kept) == 1 and kept[0] not in params else saved_name
    extra = ([result] if takes_result else []) + ([state] if kept else [])
    args.args[:0] = [S.name(n) for n in extra]
    for arg in args.args[: len(extra)]:
        arg.ctx = gast.Param()
    unpack = _unpacked(saved_name, kept) if state == saved_name else []
    body = unpack + _copies(forward_body, backward_body, read_later)
    backward = _function(f"{function.name}_backward", args, body + backward_body)
    if not kept:
        return CalleeHalves(None, backward, takes_result)
    forward_args = S.clone(function.args)
    position = next(i for i, a in enumerate(forward_args.args) if a.id == seed)
    del forward_args.args[position]
    if forward_args.defaults:  # the seed is the last positional parameter, with a default
        forward_args.defaults.pop()
    shapes = _read_for_shapes_only(backward_body, kept)
    saved = _saved(state, shapes) if state != saved_name else gast.Tuple(
        elts=[_saved(n, shapes) for n in kept], ctx=gast.Load()
    )
    forward = _function(
        f"{function.name}_forward", forward_args,
        _maybe_unbound(forward_body, kept, params) + forward_body
        + [gast.Return(value=gast.Tuple(elts=[value, saved], ctx=gast.Load()))],
    )
    return CalleeHalves(forward, backward, takes_result)


def _halves(
    function: gast.FunctionDef, seed: str, primal_args: gast.arguments, saved_name: str,
) -> tuple[gast.FunctionDef, gast.FunctionDef]:
    """The forward half returns exactly what the backward half reads; the backward half
    unpacks it and works on copies of what it changes."""
    cut = next(i for i, s in enumerate(function.body) if S.is_boundary(s))
    forward_body, backward_body = function.body[:cut], function.body[cut + 1 :]
    params = [a.id for a in function.args.args if a.id != seed]
    params += [a.id for a in function.args.kwonlyargs]
    read_later = _read_later(forward_body, backward_body, params)
    shapes = _read_for_shapes_only(backward_body, read_later)
    saved = gast.Tuple(elts=[_saved(n, shapes) for n in read_later], ctx=gast.Load())
    forward = _function(
        f"{function.name}_forward", primal_args,
        _maybe_unbound(forward_body, read_later, params) + forward_body
        + [gast.Return(value=saved)],
    )
    backward_args = _arguments([saved_name, seed], defaults=[S.constant(1.0)])
    backward = _function(
        f"{function.name}_backward", backward_args,
        _unpacked(saved_name, read_later) + _copies(forward_body, backward_body, read_later)
        + backward_body,
    )
    return forward, backward


def _read_later(
    forward_body: list[gast.stmt], backward_body: list[gast.stmt], params: list[str]
) -> list[str]:
    """What the backward sweep reads of the parameters and the forward sweep's values."""
    defined = set(params)
    for stmt in forward_body:
        defined.update(S.stored_names(stmt))  # in branches and loops too
    read_later: list[str] = []
    for stmt in backward_body:
        for name in S.loaded_names(stmt):
            if name in defined and name not in read_later:
                read_later.append(name)
    return read_later


def _read_for_shapes_only(backward_body: list[gast.stmt], saved: list[str]) -> set[str]:
    """The saved values the backward half reads only for their shapes (``unbroadcast(g,
    u_i)``): the forward half saves ``shape_of(u_i)``, so it keeps no array alive for that,
    nor a view of one it then writes into (which, differentiated again, is refused)."""
    shape_reads = shape_read_ids(backward_body)
    only = set(saved)
    for name in S.names(backward_body):
        if name.id in only and name.ctx.__class__ is not gast.Store and id(name) not in shape_reads:
            only.discard(name.id)
    return only


def _saved(name: str, shapes: set[str]) -> gast.expr:
    return S.call("shape_of", [S.name(name)]) if name in shapes else S.name(name)


def _maybe_unbound(
    forward_body: list[gast.stmt], saved: list[str], params: list[str]
) -> list[gast.stmt]:
    """Values assigned only on some paths (in one branch, in a loop that may not run) must
    still exist when the forward half returns them."""
    top_level = set(params)
    for stmt in forward_body:
        if isinstance(stmt, gast.Assign):
            top_level.update(S.stored_names(stmt.targets[0]))
    return [S.assign(n, S.constant(None)) for n in saved if n not in top_level]


def _unpacked(saved_name: str, names: list[str]) -> list[gast.stmt]:
    if not names:
        return []
    targets = gast.Tuple(elts=[S.name(n, store=True) for n in names], ctx=gast.Store())
    return [S.assign(targets, S.name(saved_name))]


def _copies(
    forward_body: list[gast.stmt], backward_body: list[gast.stmt], read_later: list[str]
) -> list[gast.stmt]:
    """The backward half pops the tape and restores what the forward half overwrote, in
    place: it works on copies, so one forward half serves several seeds (and a caller's
    array that a callee's backward half restores is left as the caller holds it)."""
    lists = {
        stmt.targets[0].id for stmt in forward_body
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
        and isinstance(stmt.value, gast.List) and not stmt.value.elts
    }
    changed = [n for n in read_later if n in _changed_in_place(backward_body)]
    viewed = views_of(forward_body)
    if any(viewed.get(n, set()) & set(read_later) for n in changed):
        # a saved view of an array the backward half restores in place (`B_i = B[:, j]`)
        # must see the restored values: a copy of B would not; the state is used once
        return []
    return [
        S.assign(n, S.call("list", [S.name(n)]) if n in lists else S.call("copied", [S.name(n)]))
        for n in changed
    ]


def _changed_in_place(body: list[gast.stmt]) -> set[str]:
    """Names whose objects ``body`` changes: ``xs.pop()``, ``xs.append(v)``, ``y[i] = v``
    (``y[i] += v``), ``np.add.at(y, i, v)``."""
    changed: set[str] = set()
    for node in S.walk(body):
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute):
            func = node.func
            if func.attr in ("pop", "append") and isinstance(func.value, gast.Name):
                changed.add(func.value.id)
            elif (S.dotted_name(func) or "").endswith(".add.at") and node.args and isinstance(
                node.args[0], gast.Name
            ):
                changed.add(node.args[0].id)
        elif isinstance(node, (gast.Assign, gast.AugAssign)):
            targets = node.targets if isinstance(node, gast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
                    changed.add(target.value.id)
    return changed


def _arguments(names: list[str], defaults: list[gast.expr]) -> gast.arguments:
    params = [gast.Name(id=n, ctx=gast.Param(), annotation=None, type_comment=None) for n in names]
    return gast.arguments(
        args=params, posonlyargs=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None,
        defaults=defaults,
    )


def _function(name: str, args: gast.arguments, body: list[gast.stmt]) -> gast.FunctionDef:
    return gast.FunctionDef(
        name=name, args=args, body=body, decorator_list=[], returns=None, type_comment=None,
        type_params=[],
    )
