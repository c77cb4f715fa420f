"""Forward mode: a normalized function → one function that computes each value
and, right after it, its tangent (``dh = dz * (1.0 - h * h)``).

No tape is needed: tangents flow in program order, through branches and loops
exactly as the values do. The tangent of an argument that is not differentiated
is zero; the rules' terms for it are folded away (``ZERO``), so the code only
mentions the tangents that exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import gast

from . import syntax as S
from .analysis import walk_ops
from .container_kinds import container_kinds
from .errors import no_rule_error
from .ir import Function, GradHook, If, Jump, Keep, Loop, Op, Return, Statement, as_returned
from .naming import Namer, tangent_base
from .templates import Contribution, expand
from .views import viewed_by

ZERO = "__zero_tangent__"  # stands for a tangent that is identically zero, folded away


@dataclass
class ForwardResult:
    function: gast.FunctionDef
    helpers: set[str] = field(default_factory=set)
    tangents: dict[str, str] = field(default_factory=dict)  # primal name → tangent name


def _zero() -> gast.Name:
    return S.name(ZERO)


def _is_zero(node: gast.AST) -> bool:
    return isinstance(node, gast.Name) and node.id == ZERO


class _FoldZeros(S.Transformer):
    """Simplify an expression that is linear in the tangents, some of them zero."""

    def __init__(self, tangent_names: set[str]) -> None:
        self.tangent_names = tangent_names

    def carries(self, node: gast.AST) -> bool:
        return any(
            isinstance(n, gast.Name) and (n.id == ZERO or n.id in self.tangent_names)
            for n in gast.walk(node)
        )

    def visit_BinOp(self, node: gast.BinOp) -> gast.expr:
        self.generic_visit(node)
        left, right = _is_zero(node.left), _is_zero(node.right)
        if isinstance(node.op, (gast.Mult, gast.MatMult)) and (left or right):
            return _zero()
        if isinstance(node.op, gast.Div) and left:
            return _zero()
        if isinstance(node.op, (gast.Add, gast.Sub)):
            if left and right:
                return _zero()
            if right:
                return node.left
            if left:
                return node.right if isinstance(node.op, gast.Add) else gast.UnaryOp(
                    op=gast.USub(), operand=node.right
                )
        return node

    def visit_UnaryOp(self, node: gast.UnaryOp) -> gast.expr:
        self.generic_visit(node)
        return _zero() if _is_zero(node.operand) else node

    def visit_Subscript(self, node: gast.Subscript) -> gast.expr:
        self.generic_visit(node)
        return _zero() if _is_zero(node.value) else node

    def visit_Attribute(self, node: gast.Attribute) -> gast.expr:
        self.generic_visit(node)
        return _zero() if _is_zero(node.value) else node

    def visit_Tuple(self, node: gast.Tuple) -> gast.expr:
        self.generic_visit(node)
        return _zero() if node.elts and all(_is_zero(e) for e in node.elts) else node

    visit_List = visit_Tuple

    def visit_Call(self, node: gast.Call) -> gast.expr:
        self.generic_visit(node)
        operands = list(node.args) + [k.value for k in node.keywords]
        carrying = [a for a in operands if self.carries(a)]
        if carrying and all(_is_zero(a) for a in carrying):
            return _zero()  # a linear function of tangents that are all zero
        return node


class _ZeroLiteral(S.Transformer):
    def visit_Name(self, node: gast.Name) -> gast.expr:
        return S.constant(0.0) if node.id == ZERO else node


class _Forward:
    def __init__(self, fn: Function, wrt: list[str], active: set[str], namer: Namer,
                 np_alias: str, calls=None):
        self.fn = fn
        self.wrt = wrt
        self.active = active
        self.namer = namer
        self.np = np_alias
        self.calls = calls
        self.tangents: dict[str, str] = {}
        self.helpers: set[str] = set()
        # tangents known to be fresh arrays of their own, which `x[i] = v` may write into
        self.owned: set[str] = set()
        # results of the user's functions, which `a, b = g(x)` may unpack (tuples)
        self.call_results = {op.target for op in walk_ops(fn.body) if op.kind == "call"}
        self.containers = set(container_kinds(
            fn, calls and calls.argument_kinds, calls and calls.result_kind,
            calls and calls.returned_argument, calls and calls.result_elements,
        )) | {
            op.target for op in walk_ops(fn.body) if op.key in _CONTAINER_MAKERS
        }

    def tangent(self, name: str) -> str:
        if name not in self.tangents:
            self.tangents[name] = self.namer.fresh(tangent_base(name))
        return self.tangents[name]

    def of(self, expr: gast.expr) -> gast.expr:
        """The tangent of an operand: ``dx``, ZERO, or a tuple of them for a literal."""
        if isinstance(expr, gast.Name):
            return S.name(self.tangent(expr.id)) if expr.id in self.active else _zero()
        if isinstance(expr, (gast.Tuple, gast.List)):
            return gast.Tuple(elts=[self.of(e) for e in expr.elts], ctx=gast.Load())
        return _zero()

    def fold(self, expr: gast.expr) -> gast.expr:
        return _FoldZeros(set(self.tangents.values())).visit(expr)

    def zeros(self, name: str) -> gast.expr:
        if name in self.containers:  # a list or dict of values: a list or dict of zeros
            self.helpers.add("zeros_like")
            return S.call("zeros_like", [S.name(name)])
        return S.call(f"{self.np}.zeros", [S.call(f"{self.np}.shape", [S.name(name)])])

    def finish(self, target: str, value: gast.expr) -> list[gast.stmt]:
        """``dtarget = value``, with zeros of the right shape when the value is zero."""
        value = self.fold(value)
        self.owned.discard(target)
        if self.owned:  # `dz = broadcast_like(dy, z)` may be dy itself: writing into dy in
            primal_of = {t: p for p, t in self.tangents.items()}  # place would change dz
            for shared in viewed_by(value):
                self.owned.discard(primal_of.get(shared, shared))
        if _is_zero(value):
            value = self.zeros(target)
            self.owned.add(target)  # a fresh array: safe to write into
        return [S.assign(self.tangent(target), _ZeroLiteral().visit(value))]

    # --- tangent of one statement ---------------------------------------------------

    def tangent_of(self, op: Op) -> list[gast.stmt]:
        target = op.target
        if op.kind in ("copy", "constant") and S.number_literal(op.value) is not None:
            self.owned.discard(target)  # `x = 0.3`: a float, not a 0-d array, for every
            return [S.assign(self.tangent(target), S.constant(0.0))]  # step computed with it
        if op.kind == "copy" and not isinstance(op.value, (gast.Tuple, gast.List)):
            return self.finish(target, self.of(op.value))
        if op.kind == "constant":
            return self.finish(target, _zero())
        # a literal copied into a name (`hs, cs = [], []` splits into `hs = []`, ...; `a = [a[0], x]`
        # in a loop goes through a temporary) is the literal: its tangent is a list for a list
        if op.kind in ("literal", "copy"):
            if isinstance(op.value, gast.Dict):
                values = [self.zeros_if_zero(self.of(v), v) for v in op.value.values]
                value = gast.Dict(keys=S.clone(op.value.keys), values=values)
                return [S.assign(self.tangent(target), value)]
            elements = [self.zeros_if_zero(self.of(e), e) for e in op.value.elts]
            return [S.assign(self.tangent(target), type(op.value)(elts=elements, ctx=gast.Load()))]
        if op.kind == "subscript":  # also each name of `a, b = split_like(...)`
            tangent = self.of(op.value.value)
            if _is_zero(tangent):
                return self.finish(target, _zero())
            location = S.clone(op.value)
            location.value = tangent
            return self.finish(target, location)
        if op.kind == "append":
            item = self.zeros_if_zero(self.of(op.args[1]), op.args[1])
            call = S.call(S.attribute(S.name(self.tangent(target)), "append"), [item])
            return [gast.Expr(value=call)]
        if op.kind == "pop":
            if not _is_active_name(op.args[0], self.active):
                return self.finish(target, _zero())  # nothing on the list varies
            popped = S.call(S.attribute(self.of(op.args[0]), "pop"), [])
            return [S.assign(self.tangent(target), popped)]
        if op.kind == "setitem":
            out = []
            if target not in self.owned:  # it may share memory with a seed or another tangent
                tangent = S.name(self.tangent(target))
                if target in self.containers:  # a list or dict: `copied`, which has rules
                    self.helpers.add("copied")  # (a list's `.copy()` reads as an array's)
                    fresh = S.call("copied", [tangent])
                else:
                    fresh = S.call(S.attribute(tangent, "copy"), [])
                out.append(S.assign(self.tangent(target), fresh))
                self.owned.add(target)
            location = S.clone(op.value)
            location.value = S.name(self.tangent(target))
            location.ctx = gast.Store()
            value = op.args[1]
            item = self.fold(self.of(value))
            if _is_zero(item) and isinstance(value, gast.Name) and value.id in self.containers:
                self.helpers.add("zeros_like")  # a dict or list keeps its structure
                item = S.call("zeros_like", [S.name(value.id)])
            elif _is_zero(item) and target in self.containers:
                # an entry of a list or dict keeps its shape (an array's slot takes a 0.0)
                item = self.zeros_if_zero(item, value)
            return out + [S.assign(location, _ZeroLiteral().visit(item))]
        return self.rule(op)  # calls of the user's functions: `user_call`

    def zeros_if_zero(self, tangent: gast.expr, primal: gast.expr) -> gast.expr:
        if isinstance(tangent, gast.Tuple) and isinstance(primal, (gast.Tuple, gast.List)):
            return type(primal)(  # a literal inside a literal: zeros element by element
                elts=[self.zeros_if_zero(t, p) for t, p in zip(tangent.elts, primal.elts)],
                ctx=gast.Load(),
            )
        if _is_zero(tangent):
            if isinstance(primal, gast.Name):
                return self.zeros(primal.id)  # a list or dict keeps its structure
            return S.call(f"{self.np}.zeros", [S.call(f"{self.np}.shape", [S.clone(primal)])])
        return tangent

    def rule(self, op: Op) -> list[gast.stmt]:
        if op.error is not None:
            raise op.error
        template = op.forward_template
        if template is None:
            raise no_rule_error("forward-mode", op.key, op.shown, (
                "it has a reverse-mode rule (@adjoint) only: write its @tangent_ too"
                if op.template is not None
                else "write one with @tangent_, or wrap the value in stop_gradient(...)"
            )).at(op.node)
        derivatives = {param: self.of(value) for param, value in op.forward_bound.items()}
        expansion = expand(template, op.forward_bound, S.name(op.target), derivatives,
                           self.namer, self.np)
        self.helpers |= expansion.helpers
        out: list[gast.stmt] = []
        zeros: dict[str, gast.expr] = {}
        for item in expansion.statements:
            if isinstance(item, Contribution):
                value = S.substitute(item.value, zeros) if zeros else item.value
                out.extend(self.finish(op.target, value))
                continue
            value = self.fold(S.substitute(item.value, zeros) if zeros else item.value)
            if _is_zero(value) and isinstance(item.targets[0], gast.Name):
                zeros[item.targets[0].id] = _zero()
                continue
            item.value = _ZeroLiteral().visit(value)
            out.append(item)
        return out

    def user_call(self, op: Op, primal: list[gast.stmt]) -> list[gast.stmt]:
        """``y = g(a, 2.0)`` → ``dy, y = tg_da(a, 2.0, da=da)``: g's tangent function
        returns g's value too, so g runs once (twice would repeat what it does to its
        arguments: `lst.append(v)`). ``primal``: the call itself, kept where no argument
        varies."""
        params = self.calls.parameters(op.key, op.node)
        wrt, seeds = [], []
        # `g((W, b), x)` with only b varying: W's tangent is zeros of its shape, which the
        # callee's rules may multiply (`dW @ x`), not the number 0.0
        for param, arg in zip(params, op.args):
            if set(S.loaded_names(arg)) & self.active:
                wrt.append(param)
                seeds.append(self.zeros_if_zero(self.of(arg), arg))
        keywords = dict(op.keywords)
        for key, arg in op.keywords.items():
            if set(S.loaded_names(arg)) & self.active:
                wrt.append(key)
                seeds.append(self.zeros_if_zero(self.of(arg), arg))
        if not wrt:
            return primal + self.finish(op.target, _zero())
        name, tangent_params = self.calls.derivative(op.key, wrt, op.node, mode="forward")
        for param, seed in zip(tangent_params, seeds):
            keywords[param] = _ZeroLiteral().visit(seed)
        targets = gast.Tuple(elts=[S.name(self.tangent(op.target), store=True),
                                   S.name(op.target, store=True)], ctx=gast.Store())
        call = S.call(name, [S.clone(a) for a in op.args], keywords)
        return [gast.Assign(targets=[targets], value=call, type_comment=None)]

    # --- the sweep --------------------------------------------------------------------

    def block(self, stmts: list[Statement]) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        line, commented = None, False
        for stmt in stmts:
            code = self.statement(stmt)
            if not code:
                continue
            if getattr(stmt, "line", None) != line:
                line, commented = getattr(stmt, "line", None), False
            if isinstance(stmt, Op) and not commented and stmt.target in self.active:
                # above the line's first active op (its `np.arange(3)` may come before)
                text = self.fn.lines.get(stmt.line, "")
                out.append(S.comment(f"Primal and tangent of: {text}", stmt.line))
                commented = True
            out.extend(code)
        return out

    def statement(self, stmt: Statement) -> list[gast.stmt]:
        if isinstance(stmt, Op):
            if stmt.kind == "append":
                primal = [gast.Expr(value=S.clone(stmt.value))]
            elif stmt.kind == "setitem":
                location = S.clone(stmt.value)
                location.ctx = gast.Store()
                primal = [S.assign(location, S.clone(stmt.args[1]))]
            else:
                primal = [S.assign(stmt.target, S.clone(stmt.value))]
            if stmt.target in self.active:
                if stmt.kind == "call":
                    return self.user_call(stmt, primal)
                return primal + self.tangent_of(stmt)
            if stmt.kind == "pop" and _is_active_name(stmt.args[0], self.active):
                # the tangent list mirrors the list: pop it too, even if this value is unused
                popped = S.call(S.attribute(self.of(stmt.args[0]), "pop"), [])
                return primal + [gast.Expr(value=popped)]
            return primal
        if isinstance(stmt, Keep):
            return [S.clone(stmt.stmt)]
        if isinstance(stmt, If):
            entry = set(self.owned)
            body = self.block(stmt.body) or [gast.Pass()]
            after_body, self.owned = self.owned, entry
            orelse = self.block(stmt.orelse)
            self.owned &= after_body
            return [gast.If(test=S.clone(stmt.test), body=body, orelse=orelse)]
        if isinstance(stmt, Loop):
            # ownership survives the back edge only for tangents the body never reassigns
            self.owned -= {op.target for op in walk_ops(stmt.body) if op.kind != "setitem"}
            body = self.block(stmt.body) or [gast.Pass()]
            self.owned -= {op.target for op in walk_ops(stmt.body) if op.kind != "setitem"}
            if stmt.kind == "for":
                return [gast.For(target=S.name(stmt.target, store=True),
                                 iter=S.clone(stmt.iterable), body=body, orelse=[],
                                 type_comment=None)]
            return [gast.While(test=S.clone(stmt.test), body=body, orelse=[])]
        if isinstance(stmt, Jump):
            return [gast.Break() if stmt.kind == "break" else gast.Continue()]
        if isinstance(stmt, GradHook):
            return []  # backward-sweep surgery: nothing to do in forward mode
        return []

    def run(self, name: str, preserve_result: bool) -> ForwardResult:
        seeds = [self.tangent(arg) for arg in self.wrt]
        # a parameter outside wrt that takes an active value in a branch or loop has a zero
        # tangent until then (dead-code elimination drops it where nothing reads it)
        entry = [
            S.assign(self.tangent(param.id), self.zeros(param.id))
            for param in self.fn.node.args.args
            if param.id in self.active and param.id not in self.wrt
        ]
        body = entry + self.block(self.fn.body)
        result = next(s.value for s in reversed(self.fn.body) if isinstance(s, Return))
        if isinstance(result, gast.Tuple):  # `return a, b`: a tuple of tangents
            tangent = gast.Tuple(
                elts=[self.zeros_if_zero(self.of(e), e) for e in result.elts], ctx=gast.Load()
            )
        else:
            tangent = self.zeros_if_zero(self.of(result), result)
        tangent = as_returned(self.fn, tangent)
        value = tangent if not preserve_result else gast.Tuple(
            elts=[tangent, as_returned(self.fn, S.clone(result))], ctx=gast.Load()
        )
        args = S.clone(self.fn.node.args)
        for seed in seeds:
            args.args.append(gast.Name(id=seed, ctx=gast.Param(), annotation=None,
                                       type_comment=None))
        if args.defaults:  # seeds follow defaulted parameters: give them defaults too
            args.defaults.extend(S.constant(1.0) for _ in seeds)
        function = gast.FunctionDef(
            name=name, args=args, body=body + [gast.Return(value=value)], decorator_list=[],
            returns=None, type_comment=None, type_params=[],
        )
        return ForwardResult(function, self.helpers, dict(self.tangents))


# calls whose result is a list or dict (in generated code differentiated again)
_CONTAINER_MAKERS = {
    "builtins.list", "builtins.dict", "builtins.tuple", "tangent_lsp.runtime.zeros_like",
    "tangent_lsp.runtime.add_grad", "tangent_lsp.runtime.dict_of_tangents",
    "tangent_lsp.runtime.undict",
}


def _is_active_name(node: gast.expr, active: set[str]) -> bool:
    return isinstance(node, gast.Name) and node.id in active


def forward(
    fn: Function,
    wrt: list[str],
    active: set[str],
    namer: Namer,
    numpy_alias: str,
    name: str,
    preserve_result: bool = False,
    calls=None,
) -> ForwardResult:
    """Forward mode; ``calls`` answers for calls of the user's own functions."""
    for arg in wrt:
        namer.reserve(arg)
    return _Forward(fn, wrt, active, namer, numpy_alias, calls).run(name, preserve_result)
