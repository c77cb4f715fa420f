"""Runtime helpers and the user's names: the generated code calls helpers by bare name
(``unbroadcast(...)``) in the user's namespace, where a variable or function of the same
name (``copied = x.copy()``, ``def zeros_like(...)``) would hide the helper or be hidden.
Such a helper is imported under an alias (``tl_copied``) and its calls renamed."""

from __future__ import annotations

import gast

from . import syntax as S
from .errors import DiffError
from .parse import reachable_functions
from .program import module_names
from .resolve import Resolver
from .templates import RUNTIME_MODULE


def alias_shadowed_helpers(
    generated: gast.Module, helpers: list[str], module, node: gast.FunctionDef,
    resolver: Resolver, sources: list | None = None,
) -> dict[str, str]:
    """Aliases for the helpers whose names the user's code binds too, with the generated
    code's calls of them renamed. The generated code only ever calls a helper, so a call
    is the helper's and any other use the user's; a name the user's code calls too cannot
    be told apart, and is reported. ``sources``: ``reachable_functions`` of ``node``, if
    known."""
    if sources is None:
        sources = reachable_functions(module.functions, node)
    if not set(helpers) & (
        module_names(module) | {n.id for f in sources for n in S.names(f)}
        | {n.id for callee in generated.body[1:] for n in S.names(callee)}  # other files'
        | {h for h in helpers if resolver.is_global(h)}
    ):  # the common case, decided on the user's (short) source
        return {}
    calls = [n for n in S.nodes_of(generated.body, gast.Call) if isinstance(n.func, gast.Name)]
    called = {id(n.func) for n in calls}

    def helper(name: str) -> bool:  # bound to a runtime helper: a derivative's import
        node = gast.Name(id=name, ctx=gast.Load(), annotation=None, type_comment=None)
        return (resolver.qualname(node) or "").startswith(RUNTIME_MODULE + ".")

    globals_ = module_names(module) | {h for h in helpers if resolver.is_global(h)}
    user_names = {n.id for n in S.names(generated) if id(n) not in called} | {
        h for h in globals_.intersection(helpers) if not helper(h)
    }
    taken = user_names | {name for name in globals_ if not helper(name)}  # an earlier alias is reused
    user_calls = {
        c.func.id for f in sources for c in S.nodes_of(f.body, gast.Call)
        if isinstance(c.func, gast.Name)
    }
    aliases: dict[str, str] = {}
    for name in helpers:
        if name not in user_names:
            continue
        if name in user_calls:
            raise DiffError(
                "name", f"'{name}' is also the name of a helper the derivative calls",
                hint=f"rename your '{name}'",
            ).at(node)
        alias = f"tl_{name}"
        while alias in taken:
            alias += "_"
        aliases[name] = alias
    for call in calls:
        call.func.id = aliases.get(call.func.id, call.func.id)
    return aliases
