"""List comprehensions and generator expressions become loops that append; dict
comprehensions, loops that store (``{k: 2.0 * v for k, v in params.items()}`` builds
the dict key by key).

``hs = [np.tanh(W @ x) for W in Ws if ...]`` is read as ::

    hs = []
    for W in Ws:
        if ...:
            hs.append(np.tanh(W @ x))

which the engine differentiates like any list built in a loop; a comprehension inside
an expression (``np.stack([...])``, ``sum(v * v for v in xs)``) is built the same way
into a new list just before its statement. A generator expression becomes a list: every
function the engine differentiates reads it once, whole.

Only comprehensions whose evaluation does not depend on a condition are rewritten: one
inside ``a if c else b``, after the first operand of ``and``/``or`` or in a lambda
stays, and is reported as unsupported. A ``while`` test is left alone: it runs in the
forward sweep as written, and carries no derivative. A comprehension's variable
keeps its name unless the function uses that name elsewhere (Python gives the
comprehension a scope of its own; a loop does not).
"""

from __future__ import annotations

from collections import Counter
from typing import Callable

import gast

from . import syntax as S
from .desugar import positioned

COMPREHENSIONS = (gast.ListComp, gast.GeneratorExp, gast.DictComp)  # what is rewritten


def expand_comprehensions(
    stmts: list[gast.stmt], fresh: Callable[[str], str]
) -> list[gast.stmt]:
    """``stmts`` with their comprehensions rewritten into loops (``fresh`` names the lists
    and renamed variables)."""
    if not S.contains(stmts, COMPREHENSIONS):
        return stmts
    counts = Counter(node.id for node in S.names(stmts))
    return _block(stmts, fresh, counts)


def _block(stmts: list[gast.stmt], fresh, counts: Counter) -> list[gast.stmt]:
    out: list[gast.stmt] = []
    for stmt in stmts:
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            stmt.body = _block(stmt.body, fresh, counts)
            stmt.orelse = _block(stmt.orelse, fresh, counts)
        if isinstance(stmt, gast.While):
            out.append(stmt)  # its test runs before every iteration: nothing to hoist
            continue
        roots = [stmt.test] if isinstance(stmt, gast.If) else (
            [stmt.iter] if isinstance(stmt, gast.For) else [stmt]
        )
        into = _assigned_name(stmt)
        built_in_place = False
        for comprehension in [c for root in roots for c in _unconditional(root)]:
            if into is not None and stmt.value is comprehension and into not in {
                n.id for n in S.names(comprehension)
            }:
                name, built_in_place = into, True  # `hs = [...]`: build hs itself
            else:
                name = fresh("items")
            out += _block(_loop(comprehension, name, stmt, fresh, counts), fresh, counts)
            _replace(stmt, comprehension, S.name(name))
        if not built_in_place:
            out.append(stmt)
    return out


def _assigned_name(stmt: gast.stmt) -> str | None:
    if (
        isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
    ):
        return stmt.targets[0].id
    return None


def _unconditional(node: gast.AST) -> list[gast.AST]:
    """The outermost comprehensions in ``node`` that always run, in evaluation order."""
    found: list[gast.AST] = []

    def visit(item: gast.AST) -> None:
        if isinstance(item, COMPREHENSIONS):
            found.append(item)
            return
        if isinstance(item, (gast.Lambda, gast.IfExp)):
            return
        if isinstance(item, gast.BoolOp):
            visit(item.values[0])
            return
        for child in gast.iter_child_nodes(item):
            visit(child)

    visit(node)
    return found


def _loop(comprehension, name: str, where: gast.stmt, fresh, counts: Counter) -> list[gast.stmt]:
    """``name = []`` and the loops that append the comprehension's elements to it (or
    ``name = {}`` and the loops that store its items)."""
    generators = comprehension.generators
    is_dict = isinstance(comprehension, gast.DictComp)
    elements = [comprehension.key, comprehension.value] if is_dict else [comprehension.elt]
    inside = Counter(n.id for n in S.names([*elements, *generators]))
    inside.subtract(n.id for n in S.names(generators[0].iter))  # read outside its scope
    clashing = {
        n.id for g in generators for n in S.names(g.target)
        if counts[n.id] - inside[n.id] > 0
    }
    if clashing:
        renamed = {old: fresh(old) for old in sorted(clashing)}
        for element in elements:
            _Rename(renamed).visit(element)
        for index, generator in enumerate(generators):
            _Rename(renamed).visit(generator.target)
            for test in generator.ifs:
                _Rename(renamed).visit(test)
            if index:
                _Rename(renamed).visit(generator.iter)
    if is_dict:
        slot = gast.Subscript(value=S.name(name), slice=comprehension.key, ctx=gast.Store())
        body: list[gast.stmt] = [S.assign(slot, comprehension.value)]
    else:
        append = S.call(S.attribute(S.name(name), "append"), [comprehension.elt])
        body = [gast.Expr(value=append)]
    for generator in reversed(generators):
        for test in reversed(generator.ifs):
            body = [gast.If(test=test, body=body, orelse=[])]
        target = generator.target
        target.ctx = gast.Store()
        body = [gast.For(target=target, iter=generator.iter, body=body, orelse=[],
                         type_comment=None)]
    empty = gast.Dict(keys=[], values=[]) if is_dict else gast.List(elts=[], ctx=gast.Load())
    start = S.assign(name, empty)
    return [positioned(start, where), *(positioned(stmt, where) for stmt in body)]


class _Rename(gast.NodeTransformer):
    def __init__(self, renamed: dict[str, str]) -> None:
        self.renamed = renamed

    def visit_Name(self, node: gast.Name) -> gast.Name:
        node.id = self.renamed.get(node.id, node.id)
        return node


def _replace(root: gast.AST, old: gast.AST, new: gast.AST) -> None:
    for node in gast.walk(root):
        for field, value in gast.iter_fields(node):
            if value is old:
                setattr(node, field, new)
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if item is old:
                        value[index] = new


_DICT_VIEWS = ("values", "items", "keys")


def dict_views_as_comprehensions(stmts: list[gast.stmt], fresh: Callable[[str], str]) -> bool:
    """``sum(d.values())``, ``np.stack(list(d.items()))``: a dict's view read whole, not
    looped over, rewritten in place as the list a loop over the dict builds
    (``[d[k] for k in d]``, ``[(k, d[k]) for k in d]``, ``[k for k in d]``). A loop's own
    ``for v in d.values()`` stays: loops read views as they are. Whether it rewrote any."""
    views = [
        call for call in S.nodes_of(stmts, gast.Call)
        if isinstance(call.func, gast.Attribute) and call.func.attr in _DICT_VIEWS
        and isinstance(call.func.value, gast.Name) and not call.args and not call.keywords
    ]
    if not views:
        return False
    loops = S.nodes_of(stmts, gast.For) + S.nodes_of(stmts, gast.comprehension)
    looped = {id(node.iter) for node in loops}
    wanted = {id(call) for call in views if id(call) not in looped}
    if not wanted:
        return False

    class Rewrite(gast.NodeTransformer):
        def visit_Call(self, node: gast.Call) -> gast.expr:
            self.generic_visit(node)
            if id(node) not in wanted:
                return node
            mapping, view = node.func.value.id, node.func.attr
            key = fresh("key")
            value = gast.Subscript(value=S.name(mapping), slice=S.name(key), ctx=gast.Load())
            element = {"values": value, "keys": S.name(key),
                       "items": gast.Tuple(elts=[S.name(key), value], ctx=gast.Load())}[view]
            loop = gast.comprehension(
                target=S.name(key, store=True), iter=S.name(mapping), ifs=[], is_async=0
            )
            return gast.copy_location(gast.ListComp(elt=element, generators=[loop]), node)

    rewrite = Rewrite()
    for index, stmt in enumerate(stmts):
        stmts[index] = rewrite.visit(stmt)
    return True
