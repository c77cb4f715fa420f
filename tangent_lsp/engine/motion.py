"""Joint and split motion: one generated function, or a forward and a backward half.

The reverse transform always produces a joint function with a boundary
marker between the sweeps. Joint motion just drops the marker. Split motion
cuts there: the forward half returns exactly the values the backward half
reads (found by liveness, so nothing is saved that nobody reads), and a small
wrapper with the joint signature calls both.
"""

from __future__ import annotations


import gast

from . import syntax as S
from .views import views_of


def joint(function: gast.FunctionDef) -> list[gast.FunctionDef]:
    function.body = [s for s in function.body if not S.is_boundary(s)]
    return [function]


def split(
    function: gast.FunctionDef, seed: str, primal_args: gast.arguments, saved_name: str
) -> list[gast.FunctionDef]:
    cut = next(i for i, s in enumerate(function.body) if S.is_boundary(s))
    forward_body, backward_body = function.body[:cut], function.body[cut + 1 :]
    params = [a.id for a in function.args.args if a.id != seed]
    keyword_only = [a.id for a in function.args.kwonlyargs]
    defined = set(params) | set(keyword_only)
    for stmt in forward_body:
        defined.update(S.stored_names(stmt))  # in branches and loops too
    read_later: list[str] = []
    for stmt in backward_body:
        for name in S.loaded_names(stmt):
            if name in defined and name not in read_later:
                read_later.append(name)
    saved = gast.Tuple(elts=[S.name(n) for n in read_later], ctx=gast.Load())

    # values assigned only on some paths (in one branch, in a loop that may not run)
    # must still exist when the forward half returns them
    top_level = set(params) | set(keyword_only)
    for stmt in forward_body:
        if isinstance(stmt, gast.Assign):
            top_level.update(S.stored_names(stmt.targets[0]))
    maybe_unbound = [S.assign(n, S.constant(None)) for n in read_later if n not in top_level]
    forward = _function(
        f"{function.name}_forward", S.clone(primal_args),
        maybe_unbound + forward_body + [gast.Return(value=S.clone(saved))],
    )

    unpack = S.assign(
        gast.Tuple(elts=[S.name(n, store=True) for n in read_later], ctx=gast.Store()),
        S.name(saved_name),
    )
    # the backward half pops the tape and restores what the forward half overwrote, in
    # place: it works on copies, so one forward half serves several seeds
    lists = {
        stmt.targets[0].id for stmt in forward_body
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
        and isinstance(stmt.value, gast.List) and not stmt.value.elts
    }
    changed = [n for n in read_later if n in _changed_in_place(backward_body)]
    viewed = views_of(forward_body)
    copies = [
        S.assign(n, S.call("list", [S.name(n)]) if n in lists else S.call("copied", [S.name(n)]))
        for n in changed
    ]
    if any(viewed.get(n, set()) & set(read_later) for n in changed):
        # a saved view of an array the backward half restores in place (`B_i = B[:, j]`)
        # must see the restored values: a copy of B would not; the state is used once
        copies = []
    backward_args = _arguments([saved_name, seed], defaults=[S.constant(1.0)])
    backward = _function(
        f"{function.name}_backward", backward_args,
        ([unpack] if read_later else []) + copies + backward_body,
    )

    call_forward = S.call(
        forward.name, [S.name(p) for p in params], {k: S.name(k) for k in keyword_only}
    )
    call_backward = S.call(backward.name, [S.name(saved_name), S.name(seed)])
    wrapper = _function(
        function.name, S.clone(function.args),
        [S.assign(saved_name, call_forward), gast.Return(value=call_backward)],
    )
    return [forward, backward, wrapper]


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
