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
from .aliasing import written_parameters
from .errors import unsupported
from .resolve import Resolver

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
    if callee is None:
        return
    params = [a.id for a in callee.node.args.posonlyargs + callee.node.args.args]
    written = _written_through_calls(callee)
    bound = list(zip(params, call.args)) + [(k.arg, k.value) for k in call.keywords]

    def where(node: gast.Name) -> tuple:
        return node.id, getattr(node, "lineno", None), getattr(node, "col_offset", None)

    passed = {where(n) for n in S.names(call)}  # (the body was copied: not by identity)
    # what the function reads elsewhere (a list only handed to a logger is no matter)
    read = {n.id for n in S.names(function.body)
            if n.ctx.__class__ is gast.Load and where(n) not in passed}
    for param, arg in bound:
        if param in written and isinstance(arg, gast.Name) and is_local(arg) and arg.id in read:
            raise unsupported(
                "call that changes its argument", call,
                f"return the new value from '{callee.node.name}' and assign it "
                f"({arg.id} = {callee.node.name}(...))",
                message=f"'{callee.node.name}' changes '{arg.id}' in place: the derivative "
                "would not see the change",
            )


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
