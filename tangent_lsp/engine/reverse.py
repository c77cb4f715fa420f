"""Reverse mode: a normalized function → one function that runs the forward sweep,
then the adjoint of each active statement in reverse order.

Accumulation follows what a person would write: the first contribution to an
adjoint assigns it (``bx = ...``), later ones add to it (``bx = bx + ...``);
adjoints that never receive a contribution are zeros of the argument's shape.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import gast

from . import syntax as S
from .errors import DiffError
from .ir import Function, Keep, Op, Return
from .naming import Namer, adjoint_base
from .templates import Contribution, expand


@dataclass
class ReverseResult:
    function: gast.FunctionDef
    helpers: set[str] = field(default_factory=set)
    seed: str = ""
    adjoints: dict[str, str] = field(default_factory=dict)  # primal name → adjoint name


class _Reverse:
    def __init__(self, fn: Function, wrt: list[str], active: set[str], namer: Namer, np_alias: str):
        self.fn = fn
        self.wrt = wrt
        self.active = active
        self.namer = namer
        self.np = np_alias
        self.adjoints: dict[str, str] = {}
        self.initialized: set[str] = set()
        self.owned: set[str] = set()  # adjoints that are fresh arrays, safe to update in place
        self.helpers: set[str] = set()
        self.out: list[gast.stmt] = []

    def adjoint(self, name: str) -> str:
        if name not in self.adjoints:
            self.adjoints[name] = self.namer.fresh(adjoint_base(name))
        return self.adjoints[name]

    # --- accumulation -----------------------------------------------------------

    def accumulate(self, name: str, value: gast.expr) -> None:
        adj = self.adjoint(name)
        if name in self.initialized:
            self.out.append(S.assign(adj, S.binop(S.name(adj), gast.Add(), value)))
            self.owned.add(name)
        else:
            self.out.append(S.assign(adj, value))
            self.initialized.add(name)
            self.owned.discard(name)

    def contribute(self, target: gast.expr, value: gast.expr, op: Op) -> None:
        """Add ``value`` to the adjoint of whatever the template parameter was bound to."""
        if isinstance(target, gast.Name):
            if target.id in self.active:
                self.accumulate(target.id, value)
            return
        if isinstance(target, (gast.Tuple, gast.List)):
            elements = target.elts
            wanted = [isinstance(e, gast.Name) and e.id in self.active for e in elements]
            if not any(wanted):
                return
            ids = [e.id for e, w in zip(elements, wanted) if w]
            fresh = all(i not in self.initialized for i in ids) and len(set(ids)) == len(ids)
            if fresh:
                names = [
                    S.name(self.adjoint(e.id), store=True) if w else S.name("_", store=True)
                    for e, w in zip(elements, wanted)
                ]
                self.out.append(S.assign(gast.Tuple(elts=names, ctx=gast.Store()), value))
                self.initialized.update(ids)
                return
            parts = self.namer.fresh("parts", temporary=True)
            self.out.append(S.assign(parts, value))
            for index, (element, w) in enumerate(zip(elements, wanted)):
                if w:
                    item = gast.Subscript(value=S.name(parts), slice=S.constant(index), ctx=gast.Load())
                    self.accumulate(element.id, item)
            return
        # constants and globals carry no derivative

    # --- statements ---------------------------------------------------------------

    def adjoint_of(self, op: Op) -> None:
        by = S.name(self.adjoint(op.target))
        if op.kind in ("copy", "literal") and op.kind == "copy":
            self.contribute(op.value, by, op)
        elif op.kind == "literal":
            for index, element in enumerate(op.value.elts):
                item = gast.Subscript(value=by, slice=S.constant(index), ctx=gast.Load())
                self.contribute(element, item, op)
        elif op.kind == "subscript":
            self.subscript(op, by)
        elif op.kind == "rule":
            self.rule(op, by)

    def rule(self, op: Op, by: gast.Name) -> None:
        if op.error is not None:
            raise op.error
        if op.template is None:
            raise DiffError(
                "call", f"no derivative rule for {op.shown} ({op.key})",
                hint="write one with @adjoint, or wrap the value in stop_gradient",
            ).at(op.node)
        expansion = expand(
            op.template, op.bound, S.name(op.target),
            {op.template.result: by}, self.namer, self.np,
        )
        self.helpers |= expansion.helpers
        for item in expansion.statements:
            if isinstance(item, Contribution):
                self.contribute(op.bound[item.param], item.value, op)
            else:
                self.out.append(item)

    def subscript(self, op: Op, by: gast.Name) -> None:
        if op.unpack:
            raise DiffError(
                "tuple unpacking", "unpacking a differentiated value into several names "
                "is not supported yet", hint="index the result explicitly (r[0], r[1])",
            ).at(op.node)
        base = op.value.value
        if not (isinstance(base, gast.Name) and base.id in self.active):
            return
        x = base.id
        bx = self.adjoint(x)
        if x not in self.initialized:
            zeros = S.call(f"{self.np}.zeros", [S.call(f"{self.np}.shape", [S.name(x)])])
            self.out.append(S.assign(bx, zeros))
            self.initialized.add(x)
            self.owned.add(x)
        elif x not in self.owned:
            self.out.append(S.assign(bx, S.call(S.attribute(S.name(bx), "copy"), [])))
            self.owned.add(x)
        index = copy.deepcopy(op.value.slice)
        if _basic_index(index):
            target = gast.Subscript(value=S.name(bx), slice=index, ctx=gast.Store())
            self.out.append(gast.AugAssign(target=target, op=gast.Add(), value=by))
        else:
            add_at = S.call(f"{self.np}.add.at", [S.name(bx), index, by])
            self.out.append(gast.Expr(value=add_at))

    # --- the whole function -----------------------------------------------------------

    def run(self, preserve_result: bool, seed_default: bool, name: str) -> ReverseResult:
        body = self.fn.body
        forward: list[gast.stmt] = []
        result: gast.expr | None = None
        for stmt in body:
            if isinstance(stmt, Op):
                forward.append(S.assign(stmt.target, copy.deepcopy(stmt.value)))
            elif isinstance(stmt, Keep):
                forward.append(copy.deepcopy(stmt.stmt))
            elif isinstance(stmt, Return):
                result = stmt.value
        assert result is not None
        seed = self.namer.fresh(adjoint_base(_seed_owner(self.fn, result)))
        if isinstance(result, gast.Name) and result.id in self.active:
            self.adjoints[result.id] = seed
            self.initialized.add(result.id)

        backward: list[gast.stmt] = []
        current_line: int | None = None
        block: list[gast.stmt] = []

        def flush() -> None:
            if block:
                backward.append(S.comment(f"Grad of: {self.fn.lines[current_line]}", current_line))
                backward.extend(block)

        for stmt in reversed(body):
            if not (isinstance(stmt, Op) and stmt.target in self.active):
                continue
            if stmt.line != current_line:
                flush()
                block = []
                current_line = stmt.line
            self.out = block
            self.adjoint_of(stmt)
        flush()

        self.out = backward
        grads = []
        for arg in self.wrt:
            if arg not in self.initialized:
                zeros = S.call(f"{self.np}.zeros", [S.call(f"{self.np}.shape", [S.name(arg)])])
                self.out.append(S.assign(self.adjoint(arg), zeros))
                self.initialized.add(arg)
            grads.append(S.name(self.adjoint(arg)))
        if preserve_result:
            grads.append(copy.deepcopy(result))
        value = grads[0] if len(grads) == 1 else gast.Tuple(elts=grads, ctx=gast.Load())

        args = copy.deepcopy(self.fn.node.args)
        args.args.append(S.name(seed, store=False))
        args.args[-1].ctx = gast.Param()
        if seed_default or args.defaults:
            args.defaults.append(S.constant(1.0))
        function = gast.FunctionDef(
            name=name,
            args=args,
            body=forward + [S.boundary()] + backward + [gast.Return(value=value)],
            decorator_list=[],
            returns=None,
            type_comment=None,
            type_params=[],
        )
        return ReverseResult(function, self.helpers, seed, dict(self.adjoints))


def _seed_owner(fn: Function, result: gast.expr) -> str:
    """``bloss`` for ``return <expression>`` in ``loss``; ``br`` for ``return r``."""
    if isinstance(result, gast.Name) and result.id != fn.result_temporary:
        return result.id
    return fn.name


def _basic_index(index: gast.expr) -> bool:
    """Constant ints, slices and None/Ellipsis: ``bx[index] += g`` is exact for these."""
    if isinstance(index, gast.Tuple):
        return all(_basic_index(e) for e in index.elts)
    if isinstance(index, gast.Slice):
        return True
    if isinstance(index, gast.Constant):
        return index.value is None or index.value is Ellipsis or isinstance(index.value, int)
    if isinstance(index, gast.Attribute):
        return index.attr == "newaxis"
    return False


def reverse(
    fn: Function,
    wrt: list[str],
    active: set[str],
    namer: Namer,
    numpy_alias: str,
    name: str,
    preserve_result: bool = False,
    seed_default: bool = True,
) -> ReverseResult:
    for arg in wrt:
        namer.reserve(arg)
    return _Reverse(fn, wrt, active, namer, numpy_alias).run(preserve_result, seed_default, name)
