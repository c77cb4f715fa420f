"""Reverse mode: a normalized function → one function that runs the forward
sweep, then the adjoint of each active statement in reverse order.

Straight-line code at the top level is in SSA form, so the backward sweep reads
every value it needs directly. Inside branches and loops a variable keeps one
name; before each assignment there the forward sweep pushes the old value on
the tape, and the backward sweep pops it back right after that assignment's
adjoint, so each adjoint sees the values its statement saw. The optimizer then
deletes the push/pop pairs whose value nobody reads.

Branches push nothing extra: the condition is a variable (restored like any
other in loops). Loops run backwards over the same ``range`` (``reversed``),
and ``while`` loops (and ``for`` loops that may ``break``) count their trips.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import gast

from . import syntax as S
from .adjoints import StatementAdjoints
from .analysis import walk_ops
from .container_kinds import container_kinds
from .ir import Function, GradHook, If, Jump, Keep, Loop, Op, Return, Statement, as_returned
from .naming import Namer, adjoint_base
from .reads import first_use, reads, touched
from .unpacking import joined_unpacking
from .tape import assigned, initialize_loop_variables, pop, pop_into, push, push_value


@dataclass
class ReverseResult:
    function: gast.FunctionDef
    helpers: set[str] = field(default_factory=set)
    seed: str = ""
    adjoints: dict[str, str] = field(default_factory=dict)  # primal name → adjoint name
    containers: set[str] = field(default_factory=set)  # names of lists, tuples, dicts


class _Reverse(StatementAdjoints):
    def __init__(self, fn: Function, wrt: list[str], active: set[str], namer: Namer, np_alias: str,
                 calls=None):
        super().__init__(active, namer, np_alias)
        self.calls = calls
        self.fn = fn
        self.wrt = wrt
        self.tape: str | None = None
        self.pairs = 0
        self.blocks = 0  # blocks whose backward code has been written (see `zero_keys`)
        self.defined: set[str] = set(fn.params)
        # in the backward sweep: names still holding a later value, because the forward
        # sweep kept no earlier one (`v = b` on one path only, then `v = np.sin(x)`):
        # their shape is not the shape of the adjoint made here
        self.unrestored: set[str] = set()
        self.dict_keys: dict[str, set | None] = {}  # dict literals: the keys they hold
        self.ranges: set[str] = set()  # names bound to a range (their items are ints)
        self.enclosing: int | None = None  # the line of the branch or loop being written

    def tape_name(self) -> str:
        if self.tape is None:
            self.tape = self.namer.fresh("tape")
        return self.tape

    # --- forward sweep ----------------------------------------------------------------

    def forward(self, stmts: list[Statement], depth: int) -> list[gast.stmt]:
        return joined_unpacking(self._forward(stmts, depth))

    def _forward(self, stmts: list[Statement], depth: int) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        for stmt in stmts:
            if isinstance(stmt, Op) and stmt.kind == "append":
                out.append(gast.Expr(value=S.clone(stmt.value)))  # undone by a pop
            elif isinstance(stmt, Op) and stmt.kind == "setitem":
                location = S.clone(stmt.value)
                location.ctx = gast.Store()
                if self._adds_key(stmt, depth):  # `d["b"] = v`, a new key: nothing to keep
                    stmt.pair = None
                    out.append(S.assign(location, S.clone(stmt.args[1])))
                    continue
                self.pairs += 1
                stmt.pair = self.pairs
                old = S.clone(stmt.value)
                kind = self.containers.get(stmt.target)
                if kind in ("any", "positional"):  # an element may be a number (no `.copy()`)
                    self.helpers.add("copied")
                    old = S.call("copied", [old])
                elif not kind:
                    old = S.call(S.attribute(old, "copy"), [])
                elif kind == "dict" and not self._holds_key(stmt):
                    # the key may be new (first set in a loop or branch): nothing to keep then
                    test = gast.Compare(left=S.clone(old.slice), ops=[gast.In()],
                                        comparators=[S.clone(old.value)])
                    old = gast.IfExp(test=test, body=old, orelse=S.constant(None))
                out.append(push_value(self.tape_name(), old, stmt.pair))
                out.append(S.assign(location, S.clone(stmt.args[1])))
            elif isinstance(stmt, Op):
                stmt.pair = None
                if stmt.kind == "literal" and isinstance(stmt.value, gast.Dict) and depth == 0:
                    self.dict_keys[stmt.target] = _constant_keys(stmt.value.keys)
                if depth > 0 and stmt.target in self.defined:
                    self.pairs += 1
                    stmt.pair = self.pairs
                    out.append(push(self.tape_name(), stmt.target, stmt.pair))
                if stmt.kind == "call":
                    out.extend(self.call_forward(stmt, depth))
                else:
                    out.append(S.assign(stmt.target, S.clone(stmt.value)))
                if stmt.unpack:
                    out[-1].unpacked = True
                self.defined.add(stmt.target)
                if _integer_arithmetic(stmt.value, self.integers, self.ranges):
                    self.integers.add(stmt.target)  # `j = i + 1`: still an int index
                if isinstance(stmt.value, gast.Call) and S.dotted_name(stmt.value.func) == "range":
                    self.ranges.add(stmt.target)
            elif isinstance(stmt, Keep):
                out.append(S.clone(stmt.stmt))
            elif isinstance(stmt, If):
                before = set(self.defined)
                body = self.forward(stmt.body, depth + 1)
                after_body, self.defined = self.defined, before
                orelse = self.forward(stmt.orelse, depth + 1)
                self.defined = after_body & self.defined
                out.append(gast.If(test=S.clone(stmt.test), body=body or [gast.Pass()],
                                   orelse=orelse))
            elif isinstance(stmt, Loop):
                if stmt.target:
                    self.integers.add(stmt.target)  # loops run over ranges
                stmt.pair = None
                if stmt.kind == "for" and depth > 0 and stmt.target in self.defined:
                    # a loop inside a loop or branch rebinds its target: the backward sweep
                    # runs it again (backwards), then gives back what it held before, which
                    # code after the loop in an earlier step reads (`x[j]` after `for j`)
                    self.pairs += 1
                    stmt.pair = self.pairs
                    out.append(push(self.tape_name(), stmt.target, stmt.pair))
                body = self.forward(stmt.body, depth + 1)
                if stmt.kind == "for":
                    out.append(gast.For(
                        target=S.name(stmt.target, store=True), iter=S.clone(stmt.iterable),
                        body=body or [gast.Pass()], orelse=[], type_comment=None,
                    ))
                    self.defined.add(stmt.target)
                else:
                    out.append(gast.While(test=S.clone(stmt.test),
                                          body=body or [gast.Pass()], orelse=[]))
            elif isinstance(stmt, Jump):
                out.append(gast.Break() if stmt.kind == "break" else gast.Continue())
        return out

    def call_forward(self, stmt: Op, depth: int) -> list[gast.stmt]:
        """``y = g(a)`` → ``y, saved_g = dg_da_forward(a)``: what the backward half of g's
        derivative reads, kept (pushed on the tape in a loop or branch, where the next
        step's call overwrites it) instead of running g again in the backward sweep."""
        stmt.saved = stmt.saved_pair = None
        wrt, _ = self.call_wrt(stmt)
        forward = self.calls.halves(stmt.key, wrt, stmt.node).forward if wrt else None
        if forward is None:  # its backward half reads only the call's arguments and result
            return [S.assign(stmt.target, self._checked(stmt, S.clone(stmt.value)))]
        stmt.saved = self.namer.fresh(f"saved_{stmt.key.rpartition('.')[2]}")
        targets = gast.Tuple(
            elts=[S.name(stmt.target, store=True), S.name(stmt.saved, store=True)],
            ctx=gast.Store(),
        )
        value = self._checked(stmt, S.call(forward.name, [S.clone(a) for a in stmt.args],
                                           {k: S.clone(v) for k, v in stmt.keywords.items()}))
        code = [gast.Assign(targets=[targets], value=value, type_comment=None)]
        if depth > 0:
            self.pairs += 1
            stmt.saved_pair = self.pairs
            code.append(push(self.tape_name(), stmt.saved, stmt.saved_pair))
        return code

    def _checked(self, stmt: Op, call: gast.expr) -> gast.expr:
        """The call, marked as one dead-code elimination keeps when the callee checks its
        inputs (``raise``, ``assert``): the derivative raises where the function does."""
        if self.calls.checks(stmt.key):
            call.checks = True
        return call

    def _kept_result(self, result: gast.expr, forward: list[gast.stmt]) -> gast.expr:
        """The function's value for ``preserve_result``, as the forward sweep left it: the
        backward sweep restores overwritten variables from the tape (``s = tape.pop()``,
        ``y[i] = tape.pop()``), so a returned variable is read again only if nothing is."""
        if self.tape is None:
            return as_returned(self.fn, S.clone(result))
        mutated = {op.target for op in walk_ops(self.fn.body) if op.kind in ("setitem", "append")}

        def kept(atom: gast.expr) -> gast.expr:
            if isinstance(atom, gast.Name) and atom.id in mutated:
                self.helpers.add("copied")
                return S.call("copied", [S.clone(atom)])  # its elements are restored in place
            return S.clone(atom)

        value = as_returned(self.fn, gast.Tuple(elts=[kept(e) for e in result.elts], ctx=gast.Load())
                            if isinstance(result, gast.Tuple) else kept(result))
        name = self.namer.fresh("result")
        forward.append(S.assign(name, value))
        return S.name(name)

    def _holds_key(self, stmt: Op) -> bool:
        """``d["b"] = v`` where ``d``, a dict literal, is known to hold "b" already."""
        keys = self.dict_keys.get(stmt.target)
        index = stmt.value.slice
        return keys is not None and isinstance(index, gast.Constant) and index.value in keys

    def _adds_key(self, stmt: Op, depth: int) -> bool:
        """``d["b"] = v`` at the top level, ``d`` a dict literal known not to hold "b" yet
        (there is no old value to keep for the backward sweep: ``d["b"]`` would fail)."""
        keys = self.dict_keys.get(stmt.target)
        index = stmt.value.slice
        if keys is None or not (isinstance(index, gast.Constant) and isinstance(index.value, str)):
            return False
        if index.value in keys:
            return False
        if depth > 0:  # a second iteration would overwrite it: keep the old value then
            del self.dict_keys[stmt.target]
            return False
        keys.add(index.value)
        return True

    # --- backward sweep ---------------------------------------------------------------

    def backward(self, stmts: list[Statement], depth: int) -> list[gast.stmt]:
        """The adjoint of a block, statements in reverse order, under ``# Grad of:`` comments."""
        for index, stmt in enumerate(stmts):
            if isinstance(stmt, If) and stmt.exit_flag:
                # the statements after an `if` that may break/continue only ran if it didn't
                rest = self.branch(S.name(stmt.exit_flag), stmts[index + 1 :], [], depth, negate=True)
                own = self.sequence([stmt], depth)
                return rest + own + self.backward(stmts[:index], depth)
        return self.sequence(stmts, depth)

    def sequence(self, stmts: list[Statement], depth: int) -> list[gast.stmt]:
        pieces: list[tuple[int, list[gast.stmt]]] = []
        self.blocks += 1
        block = self.blocks
        for stmt in reversed(stmts):
            code = self.backward_statement(stmt, depth, block)
            if not code:
                continue
            if pieces and pieces[-1][0] == stmt.line and not isinstance(stmt, (If, Loop)):
                pieces[-1][1].extend(code)
            else:
                pieces.append((stmt.line, code))
        out: list[gast.stmt] = []
        for position, (line, code) in enumerate(pieces):
            # a branch of `return a if c else b` starts on the line its `if` just named
            named = position == 0 and line == self.enclosing
            if any(S.comment_text(s) is None for s in code) and not named:
                out.append(S.comment(f"Grad of: {self.fn.lines.get(line, '')}", line))
            out.extend(code)
        return out

    def backward_statement(self, stmt: Statement, depth: int, block: int) -> list[gast.stmt]:
        self.out = []
        self.depth = depth
        self.block = block
        if isinstance(stmt, Op) and stmt.kind != "subscript" and self.zero_keys:
            # anything else that touches a container (append's pop, a call, a copy)
            # may change its elements: their zero-ness is no longer known
            for name in {stmt.target, *S.loaded_names(stmt.value)} & set(self.zero_keys):
                del self.zero_keys[name]
        if isinstance(stmt, Op) and stmt.kind == "setitem":
            if stmt.target in self.active:
                self.adjoint_of(stmt)
            if stmt.pair is not None:  # a new key has no old value to restore
                location = S.clone(stmt.value)
                location.ctx = gast.Store()
                self.out.append(pop_into(self.tape_name(), location, stmt.pair))
            return self.out
        if isinstance(stmt, Op) and stmt.kind == "pop":
            if stmt.target in self.active or stmt.args[0].id in self.active:
                self.adjoint_of(stmt)
                self.initialized.discard(stmt.target)
                self.owned.discard(stmt.target)
            xs = stmt.args[0].id
            restore = S.call(S.attribute(S.name(xs), "append"), [S.name(stmt.target)])
            self.out.append(gast.Expr(value=restore))  # the element back on the list
            if getattr(stmt, "pair", None):
                self.out.append(pop(self.tape_name(), stmt.target, stmt.pair))
            return self.out
        if isinstance(stmt, Op) and stmt.kind == "append":
            if stmt.target in self.active:
                self.adjoint_of(stmt)
            restore = S.call(S.attribute(S.name(stmt.target), "pop"), [])
            self.out.append(gast.Expr(value=restore))  # the list as it was before
            return self.out
        if isinstance(stmt, Op):
            if stmt.saved_pair is not None:  # the step's saved state, back (see call_forward)
                self.out.append(pop(self.tape_name(), stmt.saved, stmt.saved_pair))
            # an active value nothing differentiable read (only a tape whose adjoint never
            # formed, in generated code differentiated again) has a zero adjoint
            if stmt.target in self.active and stmt.target in self.initialized:
                self.adjoint_of(stmt)
                self.initialized.discard(stmt.target)  # its adjoint is consumed
                self.owned.discard(stmt.target)
            if getattr(stmt, "pair", None):
                self.out.append(pop(self.tape_name(), stmt.target, stmt.pair))
                self.unrestored.discard(stmt.target)
            else:
                self.unrestored.add(stmt.target)
            return self.out
        if isinstance(stmt, (If, Loop)):
            enclosing, self.enclosing = self.enclosing, stmt.line
            try:
                if isinstance(stmt, If):
                    return self.branch(stmt.test, stmt.body, stmt.orelse, depth)
                return self.loop(stmt, depth)
            finally:
                self.enclosing = enclosing
        if isinstance(stmt, GradHook) and stmt.target in self.active:
            return self.hook(stmt)
        return []

    def hook(self, stmt: GradHook) -> list[gast.stmt]:
        """``dx = bx; <the user's block>; bx = dx``, with ``bx`` complete at this point."""
        code = [] if stmt.target in self.initialized else [self.zeros(stmt.target)]
        adjoint = self.adjoint(stmt.target)
        code.append(S.assign(stmt.alias, S.name(adjoint)))
        code.extend(S.clone(stmt.body))
        code.append(S.assign(adjoint, S.name(stmt.alias)))
        self.owned.discard(stmt.target)
        return code

    def carried(self, *blocks: list[Statement]) -> list[str]:
        """Adjoints that must hold a value on entry to and exit from a compound statement:
        those it contributes to, except the ones local to it (see ``local``)."""
        contributed: set[str] = set()
        for block in blocks:
            contributed |= touched(block, self.active)
        return [name for name in sorted(contributed) if not self.local(blocks, name)]

    def local(self, blocks: tuple[list[Statement], ...], name: str) -> bool:
        """Assigned in the blocks before any read on every path, and never read outside."""
        statements = [s for block in blocks for s in block]
        if name not in assigned(statements) or name in self.wrt:
            return False
        if name in reads(self.fn.body, exclude=statements):
            return False
        return all(first_use(block, name) != "read" for block in blocks)

    def materialize(self, names: list[str]) -> list[gast.stmt]:
        out = []
        for name in names:
            if name in self.initialized:
                continue
            if name in self.defined and name not in self.unrestored:
                out.append(self.zeros(name))
            else:  # assigned on some paths only: no shape to read here; 0.0 broadcasts
                self.initialized.add(name)
                self.owned.discard(name)
                self.maybe_numbers.add(name)
                out.append(S.assign(self.adjoint(name), S.constant(0.0)))
        return out

    def branch(self, test: gast.expr, body: list[Statement], orelse: list[Statement],
               depth: int, negate: bool = False) -> list[gast.stmt]:
        carried = self.carried(body, orelse)
        before = self.materialize(carried)
        start = (set(self.initialized), set(self.owned))
        body_code = self.backward(body, depth + 1)
        body_code += self.materialize(carried)
        after_body = (self.initialized, self.owned)
        self.initialized, self.owned = set(start[0]), set(start[1])
        else_code = self.backward(orelse, depth + 1)
        else_code += self.materialize(carried)
        self.initialized = after_body[0] & self.initialized
        self.owned = after_body[1] & self.owned
        if not _has_code(body_code) and not _has_code(else_code):
            return before
        test = S.clone(test)
        if negate:
            test = gast.UnaryOp(op=gast.Not(), operand=test)
        if not _has_code(body_code):
            test, body_code, else_code = S.negated(test), else_code, []
        return before + [gast.If(test=test, body=body_code, orelse=else_code)]

    def loop(self, stmt: Loop, depth: int) -> list[gast.stmt]:
        carried = self.carried(stmt.body)
        before = self.materialize(carried)
        # an adjoint local to the body (its variable assigned before any read, never read
        # outside) starts each step at zero, whatever a later loop left in it: the step's
        # first contribution assigns it (`b = x * i` in two loops: the first's steps added
        # into what the step before left)
        local = touched(stmt.body, self.active) - set(carried)
        self.initialized -= local
        self.owned -= local
        outer_copies, self.copies = self.copies, set()
        for attempt in range(2):
            entry_initialized = set(self.initialized)
            owned = set(self.owned)
            for _ in range(3):  # the body must preserve what it assumes is owned
                self.initialized, self.owned = set(entry_initialized), set(owned)
                body_code = self.backward(stmt.body, depth + 1)
                body_code += self.materialize(carried)
                if self.owned >= owned:
                    break
                owned &= self.owned
            # adjoints the body copies before writing into them (`bhs = list(bhs)` before
            # `bhs.pop()`, `bout = bout.copy()` before `bout[c] = 0.0`), on every step (a
            # copy of the whole array per element written): copied once before the loop
            gained = [n for n in carried if n in self.copies
                      and n in entry_initialized and n not in owned
                      and n not in self.maybe_numbers]
            self.initialized = entry_initialized
            self.owned = owned
            if not gained or attempt:
                break
            saved, self.out = self.out, []
            for name in gained:
                self.own(name)
            before += self.out
            self.out = saved
        self.copies = outer_copies | self.copies
        restore = [pop(self.tape_name(), stmt.target, stmt.pair)] if stmt.pair else []
        if not _has_code(body_code):
            return before + restore
        if stmt.kind == "for":
            steps = S.clone(stmt.iterable)
            if stmt.trips:
                steps = gast.Subscript(
                    value=steps, slice=gast.Slice(lower=None, upper=S.name(stmt.trips), step=None),
                    ctx=gast.Load(),
                )
            header = gast.For(
                target=S.name(stmt.target, store=True), iter=S.call("reversed", [steps]),
                body=body_code, orelse=[], type_comment=None,
            )
        else:
            header = gast.For(
                target=S.name("_", store=True), iter=S.call("range", [S.name(stmt.trips)]),
                body=body_code, orelse=[], type_comment=None,
            )
        return before + [header] + restore

    # --- the whole function -----------------------------------------------------------

    def run(self, preserve_result: bool, seed_default: bool, name: str) -> ReverseResult:
        calls = self.calls
        self.containers = container_kinds(
            self.fn, calls and calls.argument_kinds, calls and calls.result_kind,
            calls and calls.returned_argument, calls and calls.result_elements,
        )
        # tuples returned by the user's functions: their elements may be dicts or lists
        self.call_results = {op.target for op in walk_ops(self.fn.body) if op.kind == "call"}
        self.fn.body = initialize_loop_variables(self.fn.body, set(self.fn.params))
        forward = self.forward(self.fn.body, 0)
        result = next(s.value for s in reversed(self.fn.body) if isinstance(s, Return))
        seed = self.namer.fresh(adjoint_base(_seed_owner(self.fn, result)))
        if isinstance(result, gast.Name) and result.id in self.active:
            self.adjoints[result.id] = seed
            self.initialized.add(result.id)
        seeding: list[gast.stmt] = []
        if isinstance(result, gast.Tuple):  # `return a, b`: the seed is a tuple too
            self.out = seeding
            for index, element in enumerate(result.elts):
                item = gast.Subscript(value=S.name(seed), slice=S.constant(index), ctx=gast.Load())
                self.contribute(element, item, None)
            if seeding:
                line = next(s.line for s in reversed(self.fn.body) if isinstance(s, Return))
                seeding.insert(0, S.comment(f"Grad of: {self.fn.lines.get(line, '')}", line))

        backward = seeding + self.backward(self.fn.body, 0)
        self.out = backward
        grads = []
        for arg in self.wrt:
            if arg not in self.initialized:  # nothing reached it: its kind is unknown here
                self.containers.setdefault(arg, "positional")
                self.out.append(self.zeros(arg))
            grads.append(S.name(self.adjoint(arg)))
        if preserve_result:
            grads.append(self._kept_result(result, forward))
        value = grads[0] if len(grads) == 1 else gast.Tuple(elts=grads, ctx=gast.Load())
        if self.tape is not None:
            forward.insert(0, S.assign(self.tape, gast.List(elts=[], ctx=gast.Load())))

        args = S.clone(self.fn.node.args)
        args.args.append(S.name(seed, store=False))
        args.args[-1].ctx = gast.Param()
        if seed_default or args.defaults:
            # a tuple result's seed is a tuple: differentiated again, this function's
            # seed parameter is then known to be one (a default that is a tuple literal)
            args.defaults.append(
                gast.Tuple(elts=[S.constant(1.0) for _ in result.elts], ctx=gast.Load())
                if isinstance(result, gast.Tuple) else S.constant(1.0)
            )
        function = gast.FunctionDef(
            name=name,
            args=args,
            body=forward + [S.boundary()] + backward + [gast.Return(value=value)],
            decorator_list=[],
            returns=None,
            type_comment=None,
            type_params=[],
        )
        return ReverseResult(function, self.helpers, seed, dict(self.adjoints), set(self.containers))


def _integer_arithmetic(value: gast.expr, integers: set[str], ranges: set[str] = frozenset()) -> bool:
    """``i + 1``, ``2 * i - 1`` with ``i`` a loop index, ``steps[k]`` of a range: an int."""
    if isinstance(value, gast.Name):
        return value.id in integers
    if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name):
        return value.value.id in ranges and _integer_arithmetic(value.slice, integers, ranges)
    if isinstance(value, gast.Constant):
        return type(value.value) is int
    if isinstance(value, gast.BinOp) and isinstance(
        value.op, (gast.Add, gast.Sub, gast.Mult, gast.FloorDiv, gast.Mod)
    ):
        return _integer_arithmetic(value.left, integers, ranges) and _integer_arithmetic(
            value.right, integers, ranges
        )
    return False


def _seed_owner(fn: Function, result: gast.expr) -> str:
    """``bloss`` for ``return <expression>`` in ``loss``; ``br`` for ``return r``."""
    if isinstance(result, gast.Name) and result.id != fn.result_temporary:
        return result.id
    return fn.name


def _has_code(stmts: list[gast.stmt]) -> bool:
    return any(S.comment_text(s) is None for s in stmts)


def _constant_keys(keys: list) -> set | None:
    """The keys of a dict literal, when all are constants."""
    if all(isinstance(k, gast.Constant) for k in keys):
        return {k.value for k in keys}
    return None


def reverse(
    fn: Function,
    wrt: list[str],
    active: set[str],
    namer: Namer,
    numpy_alias: str,
    name: str,
    preserve_result: bool = False,
    seed_default: bool = True,
    calls=None,
) -> ReverseResult:
    """``calls`` answers for calls of the user's own functions (see program.py)."""
    for arg in wrt:
        namer.reserve(arg)
    transform = _Reverse(fn, wrt, active, namer, numpy_alias, calls)
    return transform.run(preserve_result, seed_default, name)
