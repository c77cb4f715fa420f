"""Calls made for their effects: reported where the derivative could not see what they
change.

The engine gives every variable its own value and reads each call for its result. A
call whose result is thrown away (``scale(z)``, ``np.exp(x, y)``, ``np.copyto(a, v)``) or
that writes through ``out=`` changes an array in place instead: kept as it is, it would
carry no derivative, silently. These checks run on the user's source, before
normalization; ``aliasing.py`` handles the calls whose results are read.
"""

from __future__ import annotations

from collections.abc import Callable

import gast

from . import syntax as S
from .parameters import written_parameters
from .errors import unsupported
from .resolve import Resolver
from .views import viewed_by

# NumPy functions that write into an argument
MUTATING = frozenset((
    "numpy.add.at", "numpy.copyto", "numpy.put", "numpy.place", "numpy.fill_diagonal",
    "numpy.putmask", "numpy.put_along_axis", "numpy.subtract.at", "numpy.multiply.at",
))
# NumPy calls made for their effect that touch no array of the function
_HARMLESS = ("numpy.random.", "numpy.testing.", "numpy.set", "numpy.seterr", "numpy.show",
             "numpy.info")


def writes_out(keyword: gast.keyword) -> bool:
    """``out=y``: a NumPy function writing its result into ``y`` (``out=None`` does not)."""
    value = keyword.value
    return keyword.arg == "out" and not (isinstance(value, gast.Constant) and value.value is None)


def check_out_keywords(call: gast.Call) -> None:
    for keyword in call.keywords:
        if writes_out(keyword):
            shown = S.dotted_name(call.func) or "f"
            raise unsupported(
                "out= argument", keyword.value,
                f"assign the result instead (y = {shown}(...) without out=)",
                message=f"'{shown}(..., out=...)' writes into an array in place: not differentiated",
            )


def check_statement_call(
    call: gast.Call, qualname: str | None, resolver: Resolver, function: gast.FunctionDef,
    is_local: Callable[[gast.Name], bool],
) -> None:
    """A call made as a statement (its result unused) that changes something the
    derivative reads: an in-place NumPy function, ``out=``, a NumPy call with a
    positional output (``np.exp(x, y)``), or one of the module's functions writing into
    an argument ``function`` reads elsewhere."""
    shown = S.dotted_name(call.func)
    if qualname in MUTATING:
        raise unsupported(
            f"in-place NumPy function '{shown}'", call,
            "compute a new array instead (np.where, x + ...)",
        )
    check_out_keywords(call)
    if qualname and qualname.startswith("numpy.") and not qualname.startswith(_HARMLESS):
        # a result thrown away is either nothing, or written through a positional `out`
        raise unsupported(
            "NumPy call whose result is not used", call,
            f"assign the result (y = {shown}(...)): an output argument writes in place, "
            "which is not differentiated",
        )
    callee = resolver.callee(qualname) if qualname else None
    held = isinstance(call.func, gast.Name) and is_local(call.func)  # `g = setfirst; g(h)`
    if callee is None and not held:
        return

    def where(node: gast.Name) -> tuple:
        return node.id, getattr(node, "lineno", None), getattr(node, "col_offset", None)

    passed = {where(n) for n in S.names(call)}  # (the body was copied: not by identity)
    # what the function reads elsewhere (a list only handed to a logger is no matter)
    read = {n.id for n in S.names(function.body)
            if n.ctx.__class__ is gast.Load and where(n) not in passed}
    groups = _alias_groups(function)
    if held:  # a function held in a variable: what it writes is not known
        name, bound = call.func.id, [(None, arg) for arg in call.args]
    else:
        name = callee.node.name
        params = [a.id for a in callee.node.args.posonlyargs + callee.node.args.args]
        written = _written_through_calls(callee)
        bound = [(param, arg) for param, arg in zip(params, call.args)] + [
            (k.arg, k.value) for k in call.keywords
        ]
        bound = [(param, arg) for param, arg in bound if param in written]
    for _, arg in bound:
        roots = [arg.id] if isinstance(arg, gast.Name) else viewed_by(arg)  # Y for Y[:, 1]
        for root in roots:
            if is_local(S.name(root)) and groups.get(root, {root}) & read:
                shown = gast.unparse(arg)  # it, or another name for it, is read
                raise unsupported(
                    "call that changes its argument", call,
                    f"return the new value from '{name}' and assign it ({shown} = {name}(...))",
                    message=f"'{name}' {'may change' if held else 'changes'} '{shown}' in "
                    "place: the derivative would not see the change",
                )


def _alias_groups(function: gast.FunctionDef) -> dict[str, set[str]]:
    """The names of ``function`` that may be the same array, or views of each other:
    ``g = h``, ``r = Y[0]``, ``t = Y.T``, ``for r in Y`` join their names."""
    parent: dict[str, str] = {}

    def find(name: str) -> str:
        while parent.setdefault(name, name) != name:
            name = parent[name]
        return name

    for node in S.walk(function):
        if isinstance(node, gast.Assign):
            pairs = [(t, node.value) for t in node.targets]
        elif isinstance(node, gast.For):
            pairs = [(node.target, node.iter)]
        else:
            continue
        for target, value in pairs:
            if isinstance(target, gast.Name):
                for other in viewed_by(value) if not isinstance(value, gast.Name) else [value.id]:
                    parent[find(target.id)] = find(other)
    groups: dict[str, set[str]] = {}
    for name in list(parent):
        groups.setdefault(find(name), set()).add(name)
    return {name: groups[find(name)] for name in parent}


def _written_through_calls(callee, depth: int = 0) -> set[str]:
    """Parameters ``callee`` writes into in place, itself or through the module's functions
    it hands them to (``outer(a)`` calling ``inner(a)``, which writes ``a[0]``); ``+=`` on a
    parameter counts: a function called for its effect alone has no number to rebind."""
    node = callee.node
    params = [a.id for a in node.args.posonlyargs + node.args.args]
    written = written_parameters(node, augmented=True)
    if depth >= 8:  # recursion: as deep as anyone nests helpers
        return written
    for call in S.nodes_of(node.body, gast.Call):
        if isinstance(call.func, gast.Name) and call.func.id in params:
            # a function passed in (`apply(setfirst, h)`): it may write into what it is given
            written |= {arg.id for arg in call.args if isinstance(arg, gast.Name) and arg.id in params}
            continue
        qualname = callee.resolver.qualname(call.func)
        inner = callee.resolver.callee(qualname) if qualname else None
        if inner is None or inner.node is node:
            continue
        inner_params = [a.id for a in inner.node.args.posonlyargs + inner.node.args.args]
        inner_written = _written_through_calls(inner, depth + 1)
        bound = list(zip(inner_params, call.args)) + [(k.arg, k.value) for k in call.keywords]
        written |= {
            arg.id for param, arg in bound
            if param in inner_written and isinstance(arg, gast.Name) and arg.id in params
        }
    return written
