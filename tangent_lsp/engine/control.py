"""Normalizing branches, loops and ``with insert_grad_of``: the control-flow half of
``normalize.py`` (a mixin of its normalizer, sharing its state).

Loops become ``for`` over a ``range`` (iteration over arrays, lists, ``enumerate``,
``zip`` and ``reversed`` turns into indexing), branch conditions are stored in
names the backward sweep can read, and a ``break``/``continue`` inside an ``if``
gets a flag that tells the backward sweep which statements did not run.
"""

from __future__ import annotations

import gast

from . import syntax as S
from .errors import unsupported
from .ir import GradHook, If, Jump, Loop, Op, Statement
from .truth import lifted_test


class ControlFlow:

    def block(self, stmts: list[gast.stmt], loop: bool = False) -> list[Statement]:
        """Normalize a nested block (no SSA renaming inside: see reverse.py's tape)."""
        saved, self.body = self.body, []
        self.depth += 1
        self.loop_depth += loop
        for stmt in stmts:
            self.statement(stmt)
            if isinstance(stmt, (gast.Break, gast.Continue)):
                break  # the rest of the block never runs
        self.depth -= 1
        self.loop_depth -= loop
        self.reads = {}  # an element read in a branch (`x[i] if c else ...`) is not read after
        out, self.body = self.body, saved
        self.mark_exits(out)
        return out

    def mark_exits(self, block: list[Statement]) -> None:
        """Give each ``if`` that may break/continue a flag the backward sweep reads."""
        for position in range(len(block) - 1, -1, -1):
            stmt = block[position]
            if isinstance(stmt, If) and position < len(block) - 1 and _jumps(stmt):
                flag = self.namer.fresh("jumped")
                stmt.exit_flag = flag
                _set_before_jumps(stmt, flag, stmt.line)
                block.insert(position, Op(flag, S.constant(False), "constant", stmt.line, stmt.node))

    def condition(self, test: gast.expr, node: gast.AST) -> gast.Name:
        """Store a branch condition in a name, so the backward sweep knows the branch
        (in a form the normalizer reads back: truth.py)."""
        cond = self.namer.fresh("cond")
        self.local_names.add(cond)
        value = lifted_test(self.rename(test), self.resolver, self.local_names)
        self.body.append(Op(cond, value, "constant", self.line, node))
        return S.name(cond)

    def if_statement(self, stmt: gast.If) -> None:
        line = self.line
        test = self.condition(stmt.test, stmt.test)
        body = self.block(stmt.body)
        orelse = self.block(stmt.orelse)
        self.body.append(If(test, body, orelse, line, stmt))

    def jump_statement(self, stmt: gast.Break | gast.Continue) -> None:
        if self.loop_depth == 0:
            raise unsupported(type(stmt).__name__.lower(), stmt, "use it inside a loop")
        self.body.append(Jump(type(stmt).__name__.lower(), self.line, stmt))

    def for_statement(self, stmt: gast.For) -> None:  # (an else clause: desugar.py)
        line = self.line
        target, steps, prelude = self.loop_header(stmt)
        trips = self.trip_counter(stmt) if _breaks(stmt.body) else None
        self.local_names.add(target)
        self.current.setdefault(target, target)
        body = self.block(prelude + stmt.body, loop=True)
        if trips:
            body.insert(0, _count(trips, line, stmt))
        self.body.append(
            Loop("for", body, line, stmt, target=target, iterable=steps, trips=trips)
        )

    def while_statement(self, stmt: gast.While) -> None:
        line = self.line
        test = self.rename(stmt.test)
        trips = self.trip_counter(stmt)
        body = self.block(stmt.body, loop=True)
        body.insert(0, _count(trips, line, stmt))
        self.body.append(Loop("while", body, line, stmt, test=test, trips=trips))

    def with_statement(self, stmt: gast.With) -> None:
        """Only ``with insert_grad_of(x) as dx:`` is differentiable (gradient surgery);
        ``with np.errstate(...):`` blocks are gone by now (``errstate_blocks_unwrapped``)."""
        item = stmt.items[0] if len(stmt.items) == 1 else None
        expr = item.context_expr if item else None
        surgery = [i for i in stmt.items if isinstance(i.context_expr, gast.Call)
                   and self.resolver.qualname(i.context_expr.func) in _INSERT_GRAD_OF]
        if surgery:  # insert_grad_of, written in a way it cannot run: say which way
            problem = _surgery_problem(stmt, surgery[0], self.local_names)
            if problem is not None:
                raise unsupported("insert_grad_of", stmt, problem,
                                  message="insert_grad_of is used only as `with "
                                          "insert_grad_of(x) as dx:`")
        if not (
            isinstance(expr, gast.Call)
            and self.resolver.qualname(expr.func) in _INSERT_GRAD_OF
            and len(expr.args) == 1
            and isinstance(expr.args[0], gast.Name)
            and expr.args[0].id in self.local_names
            and isinstance(item.optional_vars, gast.Name)
        ):
            raise unsupported(
                "with statement", stmt,
                "only 'with insert_grad_of(x) as dx:' and 'with np.errstate(...):' are "
                "supported; move other blocks out",
            )
        target = self.lookup(expr.args[0]).id
        body = [self.rename(_AugmentedAsPlain().visit(s)) for s in stmt.body]
        self.body.append(GradHook(target, item.optional_vars.id, body, self.line, stmt))

    def errstate_blocks_unwrapped(self, body: list[gast.stmt]) -> list[gast.stmt]:
        """``with np.errstate(divide="ignore"):`` blocks replaced by their statements, at
        any depth, before returns and breaks are rewritten (one inside such a block is one
        of the function's own): the block changes which warnings NumPy gives, not values,
        and the derivative's own operations warn as they would outside it. A block that
        makes NumPy raise is a check of the values: refused."""
        unwrapped: list[gast.stmt] = []
        for stmt in body:
            if isinstance(stmt, gast.With) and self._is_errstate(stmt):
                unwrapped.extend(self.errstate_blocks_unwrapped(stmt.body))
                continue
            for field in ("body", "orelse"):
                block = getattr(stmt, field, None)
                if isinstance(block, list) and block and isinstance(block[0], gast.stmt):
                    setattr(stmt, field, self.errstate_blocks_unwrapped(block))
            unwrapped.append(stmt)
        return unwrapped

    def _is_errstate(self, stmt: gast.With) -> bool:
        """Whether every context of the block is ``np.errstate(...)`` (``with np.errstate(
        divide="ignore"), np.errstate(invalid="ignore"):`` too), none bound by ``as``."""
        calls = [item.context_expr for item in stmt.items if item.optional_vars is None]
        if len(calls) != len(stmt.items) or not all(
            isinstance(call, gast.Call) and self.resolver.qualname(call.func) == "numpy.errstate"
            for call in calls
        ):
            return False
        for call in calls:
            for keyword in call.keywords:
                value = keyword.value
                if keyword.arg is not None and isinstance(value, gast.Constant) and (
                    value.value in _ERRSTATE_WARNINGS
                ):
                    continue
                setting = f"**{S.dotted_name(value) or '...'}" if keyword.arg is None else (
                    f"{keyword.arg}={value.value!r}" if isinstance(value, gast.Constant)
                    else f"{keyword.arg}={S.dotted_name(value) or 'a value'}"
                )
                raise unsupported(
                    "np.errstate", value, "check the values with an if and raise instead",
                    message=f"np.errstate with {setting} may make NumPy raise or call on "
                            "values: not differentiated (only 'ignore', 'warn', 'print' and "
                            "'log' are)",
                )
            if call.args:
                raise unsupported(
                    "np.errstate", call.args[0], "name each setting: np.errstate(divide='ignore')",
                    message="np.errstate with a positional argument is not differentiated",
                )
        return True

    def trip_counter(self, node: gast.AST) -> str:
        trips = self.namer.fresh("trips")
        self.local_names.add(trips)
        self.body.append(Op(trips, S.constant(0), "constant", self.line, node))
        return trips

    def loop_header(self, stmt: gast.For) -> tuple[str, gast.Name, list[gast.stmt]]:
        """``for`` over anything → (index name, name of a range, statements that bind
        the user's targets from the index)."""
        iterator, target = stmt.iter, stmt.target
        kind = None
        if isinstance(iterator, gast.Call) and not self.is_local(iterator.func):
            kind = self.resolver.qualname(iterator.func)
            if kind == "builtins.enumerate" and (len(iterator.args) > 1 or iterator.keywords):
                raise unsupported(
                    "enumerate with a start", iterator,
                    "count from 0 and add the start in the body (k = i + 1)",
                )
            if kind == "builtins.zip" and all(k.arg == "strict" for k in iterator.keywords):
                pass  # zip(a, b, strict=True) goes over the same pairs
            elif iterator.keywords:
                kind = None
        if kind == "builtins.range":
            if not isinstance(target, gast.Name):
                raise unsupported("unpacking a range", target, "loop over range with one name")
            args = [self.expr(a) for a in iterator.args]
            steps = self.emit(self.namer.fresh("steps"), S.call("range", args), "constant", iterator)
            self.local_names.add(target.id)
            index, bind = self.own_index(target.id, stmt)
            return index, steps, bind
        if kind == "builtins.enumerate" and len(iterator.args) == 1:
            if not (isinstance(target, gast.Tuple) and len(target.elts) == 2
                    and isinstance(target.elts[0], gast.Name)):
                raise unsupported("enumerate target", target, "write 'for i, value in enumerate(xs)'")
            inner, item = iterator.args[0], target.elts[1]
            index, bind = self.own_index(target.elts[0].id, stmt)
            pairs = self.zipped(item, inner) if self.is_zip(inner) and not inner.keywords \
                else None
            if pairs is not None:  # `for i, (p, q) in enumerate(zip(a, b))`: index each by i
                sequences = [self.iterated(a, stmt) for _, a in pairs]
                count = S.call("min", [S.call("len", [s]) for s in sequences]) \
                    if len(sequences) > 1 else S.call("len", [sequences[0]])
                steps = self.steps([count], iterator)
                return index, steps, bind + [
                    _bind_item(t, s, index, stmt) for (t, _), s in zip(pairs, sequences)
                ]
            sequence = self.iterated(iterator.args[0], stmt)
            steps = self.steps([S.call("len", [sequence])], iterator)
            return index, steps, bind + [_bind_item(item, sequence, index, stmt)]
        if kind == "builtins.zip" and iterator.args:
            pairs = self.zipped(target, iterator)
            if pairs is None:
                raise unsupported("zip target", target, "unpack one name per zipped sequence")
            sequences = [self.iterated(a, stmt) for _, a in pairs]
            index = self.namer.fresh("i")
            count = S.call("min", [S.call("len", [s]) for s in sequences]) if len(sequences) > 1 \
                else S.call("len", [sequences[0]])
            steps = self.steps([count], iterator)
            return index, steps, [
                _bind_item(t, s, index, stmt) for (t, _), s in zip(pairs, sequences)
            ]
        dictionary = _dict_iteration(stmt, self.function)
        if dictionary is not None:
            return self.dict_loop_header(stmt, *dictionary)
        if kind == "builtins.reversed" and len(iterator.args) == 1:
            inner = iterator.args[0]
            if is_dict(inner, self.function):  # `for k in reversed(d)`: its keys, backwards
                inner = gast.copy_location(S.call("list", [inner]), inner)
            sequence = self.iterated(inner, stmt)
            index = self.namer.fresh("i")
            last = gast.BinOp(left=S.call("len", [sequence]), op=gast.Sub(), right=S.constant(1))
            steps = self.steps([last, S.constant(-1), S.constant(-1)], iterator)
            return index, steps, [_bind_item(target, sequence, index, stmt)]
        sequence = self.iterated(iterator, stmt)
        if not isinstance(sequence, gast.Name):  # `for v in [a, b]`: name the list
            sequence = self.emit(None, sequence, "literal", iterator)
        index = self.namer.fresh("i")
        steps = self.steps([S.call("len", [sequence])], iterator)
        return index, steps, [_bind_item(target, sequence, index, stmt)]

    def is_zip(self, node: gast.expr) -> bool:
        """``zip(...)`` (``strict=True`` goes over the same items)."""
        return (
            isinstance(node, gast.Call) and not self.is_local(node.func)
            and self.resolver.qualname(node.func) == "builtins.zip"
            and all(k.arg == "strict" for k in node.keywords)
        )

    def zipped(
        self, target: gast.expr, iterator: gast.Call
    ) -> list[tuple[gast.expr, gast.expr]] | None:
        """The (target, sequence) pairs a ``zip`` loop binds, with the zips inside it
        unpacked in the target flattened (``for w, (x, y) in zip(ws, zip(xs, ys))``
        goes over ``ws``, ``xs`` and ``ys`` together); None when the target does not
        unpack one item per zipped sequence."""
        if not (isinstance(target, gast.Tuple) and len(target.elts) == len(iterator.args)):
            return None
        pairs = []
        for element, sequence in zip(target.elts, iterator.args):
            if isinstance(element, gast.Tuple) and self.is_zip(sequence):
                inner = self.zipped(element, sequence)
                if inner is None:
                    return None
                pairs.extend(inner)
            else:
                pairs.append((element, sequence))
        return pairs

    def iterated(self, node: gast.expr, loop: gast.For) -> gast.expr:
        """The sequence a loop goes over, read once as Python does: a copy of the name
        when the body binds it again (``for row in X: X = X * row[0]`` still iterates
        the first ``X``)."""
        if (
            isinstance(node, gast.Call) and not self.is_local(node.func)
            and self.resolver.qualname(node.func) in _ITERATORS
            and not (self.resolver.qualname(node.func) == "builtins.reversed"
                     and len(node.args) == 1 and not is_dict(node.args[0], self.function))
        ):  # `zip(x, map(...))`: an iterator has no length and no index, a list has both
            # (`reversed(y)` is read as the slice `y[::-1]`, which has them)
            node = gast.copy_location(S.call("list", [node]), node)
        sequence = self.expr(node)
        if isinstance(node, gast.Name) and node.id in S.stored_names([loop.target, *loop.body]):
            sequence = self.emit(None, sequence, "copy", node)  # `for x in x:` too
        return sequence

    def own_index(self, name: str, loop: gast.For) -> tuple[str, list[gast.stmt]]:
        """The loop's index and the statements that bind the user's name from it. A name
        that already holds a value (``i = x * 2.0; for i in range(3)``, a parameter), or
        that the body binds again (an inner ``for i``), is assigned from a fresh index in
        the body, like any variable the loop changes: the backward sweep then restores its
        old value and drops its old adjoint."""
        if name not in self.current and name not in S.stored_names(loop.body):
            return name, []  # (an inner loop or an assignment in the body rebinds it too)
        index = self.namer.fresh(name)
        self.local_names.add(index)
        bind = gast.Assign(targets=[S.name(name, store=True)], value=S.name(index), type_comment=None)
        return index, [gast.copy_location(bind, loop.target)]

    def dict_loop_header(
        self, stmt: gast.For, mapping: gast.expr, view: str
    ) -> tuple[str, gast.Name, list[gast.stmt]]:
        """``for k, v in d.items()`` (``.keys()``, ``.values()``, or ``d`` itself): over
        the keys, a list that carries no derivative, reading ``d[k]``."""
        target, iterator = stmt.target, stmt.iter
        if view == "items" and not (
            isinstance(target, gast.Tuple) and len(target.elts) == 2
            and isinstance(target.elts[0], gast.Name)
        ):
            raise unsupported("items() target", target, "write 'for key, value in d.items()'")
        mapping = self.expr(mapping)
        # `list(d.keys())`: differentiated again, `.keys()` still says that d is a dict
        listed = S.call("list", [S.call(S.attribute(mapping, "keys"), [])])
        keys = self.emit(self.namer.fresh("keys"), listed, "constant", iterator, key=DICT_KEYS)
        index = self.namer.fresh("i")
        steps = self.steps([S.call("len", [keys])], iterator)
        if view == "values":
            key = gast.Name(id=self.namer.fresh("key"), ctx=gast.Store(), annotation=None,
                            type_comment=None)
            self.local_names.add(key.id)
            targets = [key, target]
        elif view == "items":
            targets = list(target.elts)
        else:
            targets = [target]
        binds = [_bind_item(targets[0], keys, index, stmt)]
        if len(targets) == 2:
            value = gast.Subscript(value=S.clone(mapping), slice=S.name(targets[0].id),
                                   ctx=gast.Load())
            binds.append(gast.copy_location(
                gast.Assign(targets=[S.clone(targets[1])], value=value, type_comment=None), stmt,
            ))
        return index, steps, binds

    def steps(self, args: list[gast.expr], node: gast.AST) -> gast.Name:
        return self.emit(self.namer.fresh("steps"), S.call("range", args), "constant", node)

    def ifexp(self, node: gast.IfExp, target: str | None) -> gast.expr:
        line = self.line
        test = self.condition(node.test, node.test)
        name = target or self.namer.fresh("t", temporary=False)
        self.local_names.add(name)
        body = self.block([_assign_to(name, node.body, node)])
        orelse = self.block([_assign_to(name, node.orelse, node)])
        self.body.append(If(test, body, orelse, line, node))
        return S.name(name)


_ITERATORS = frozenset(
    f"builtins.{name}" for name in ("reversed", "zip", "enumerate", "map", "filter", "iter")
)
_INSERT_GRAD_OF = {"tangent_lsp.insert_grad_of", "tangent_lsp.surgery.insert_grad_of"}
_ERRSTATE_WARNINGS = frozenset(("ignore", "warn", "print", "log"))  # not "raise", "call"


def _jumps(stmt: Statement) -> bool:
    """Whether a break/continue inside ``stmt`` leaves the enclosing loop body."""
    if isinstance(stmt, Jump):
        return True
    if isinstance(stmt, If):
        return any(_jumps(s) for s in stmt.body + stmt.orelse)
    return False


def _set_before_jumps(stmt: If, flag: str, line: int) -> None:
    for block in (stmt.body, stmt.orelse):
        for position in range(len(block) - 1, -1, -1):
            inner = block[position]
            if isinstance(inner, Jump):
                block.insert(position, Op(flag, S.constant(True), "constant", line, inner.node))
            elif isinstance(inner, If):
                _set_before_jumps(inner, flag, line)


def _breaks(stmts: list[gast.stmt]) -> bool:
    """Whether the loop body may ``break`` (not counting breaks of inner loops)."""
    for stmt in stmts:
        if isinstance(stmt, gast.Break):
            return True
        if isinstance(stmt, gast.If) and (_breaks(stmt.body) or _breaks(stmt.orelse)):
            return True
    return False


def _count(trips: str, line: int, node: gast.AST) -> Op:
    value = gast.BinOp(left=S.name(trips), op=gast.Add(), right=S.constant(1))
    return Op(trips, value, "constant", line, node)


# The key of a `constant` Op ``keys = list(d)`` that lists a dict's keys for a loop:
# analysis reads ``d`` as a dict
DICT_KEYS = "dict.keys"
_VIEWS = ("items", "keys", "values")


def _dict_iteration(loop: gast.For, function: gast.FunctionDef) -> tuple | None:
    """(the dict, "items"/"keys"/"values") when a ``for`` iterates over a dict: a
    ``.items()``, ``.keys()`` or ``.values()`` call, or a name that only a dict can be:
    one the function also reads by a string key (``params["W"]``), or one the loop reads
    by its own variable (``for name in blocks: blocks[name]``)."""
    iterator = loop.iter
    if (
        isinstance(iterator, gast.Call) and isinstance(iterator.func, gast.Attribute)
        and iterator.func.attr in _VIEWS and not iterator.args and not iterator.keywords
    ):
        return iterator.func.value, iterator.func.attr
    if is_dict(iterator, function):
        return iterator, "keys"
    return None


def is_dict(node: gast.expr, function: gast.FunctionDef) -> bool:
    """Whether ``node`` names a variable that only a dict can be, anywhere in the function
    (an earlier loop over it is a dict's loop too): one read by a string key
    (``params["W"]``), one whose ``.items()``, ``.keys()`` or ``.values()`` is asked, or
    one a loop over it reads by the loop's variable (``for name in blocks: blocks[name]``)."""
    if not isinstance(node, gast.Name):
        return False
    name = node.id
    for sub in S.nodes_of(function.body, gast.Subscript):
        if isinstance(sub.value, gast.Name) and sub.value.id == name and isinstance(
            sub.slice, gast.Constant
        ) and isinstance(sub.slice.value, str):
            return True
    for call in S.nodes_of(function.body, gast.Call):
        func = call.func
        if isinstance(func, gast.Attribute) and func.attr in _VIEWS and isinstance(
            func.value, gast.Name
        ) and func.value.id == name and not call.args:
            return True
    def over(iterated: gast.expr) -> bool:  # `for k in d`, `for k in reversed(d)`
        if isinstance(iterated, gast.Call) and isinstance(iterated.func, gast.Name) and (
            iterated.func.id == "reversed" and len(iterated.args) == 1
        ):
            iterated = iterated.args[0]
        return isinstance(iterated, gast.Name) and iterated.id == name

    return any(
        over(loop.iter)
        and isinstance(loop.target, gast.Name) and any(
            isinstance(sub.value, gast.Name) and sub.value.id == name
            and isinstance(sub.slice, gast.Name) and sub.slice.id == loop.target.id
            for sub in S.nodes_of(loop.body, gast.Subscript)
        )
        for loop in S.nodes_of(function.body, gast.For)
    )


def _bind_item(target: gast.expr, sequence: gast.expr, index: str, node: gast.AST) -> gast.stmt:
    item = gast.Subscript(value=S.clone(sequence), slice=S.name(index), ctx=gast.Load())
    stmt = gast.Assign(targets=[S.clone(target)], value=item, type_comment=None)
    return gast.copy_location(stmt, node)


def _assign_to(name: str, value: gast.expr, where: gast.AST) -> gast.stmt:
    stmt = gast.Assign(targets=[S.name(name, store=True)], value=value, type_comment=None)
    # a branch's own position, else the expression's (a lambda's argument put in has none)
    return gast.copy_location(stmt, value if hasattr(value, "lineno") else where)


class _AugmentedAsPlain(gast.NodeTransformer):
    """``dx *= 0.5`` in an ``insert_grad_of`` block as ``dx = dx * 0.5``: a new array, so
    the adjoint it came from (perhaps a read-only broadcast, perhaps shared) is not
    written into, and the clean-up passes see the read of ``dx``."""

    def visit_AugAssign(self, node: gast.AugAssign) -> gast.AST:
        if not isinstance(node.target, gast.Name):
            return node
        value = gast.BinOp(left=S.name(node.target.id), op=node.op, right=node.value)
        plain = gast.Assign(targets=[node.target], value=value, type_comment=None)
        return gast.copy_location(plain, node)


def _surgery_problem(stmt: gast.With, item: gast.withitem, local_names: set[str]) -> str | None:
    """What is wrong with a ``with insert_grad_of(...)`` block, as a hint (None: nothing)."""
    call = item.context_expr
    if len(stmt.items) > 1:
        return "give insert_grad_of a with statement of its own: with insert_grad_of(x) as dx:"
    if len(call.args) != 1 or call.keywords:
        return "insert_grad_of takes one variable: with insert_grad_of(x) as dx:"
    if not (isinstance(call.args[0], gast.Name) and call.args[0].id in local_names):
        return ("insert_grad_of takes a variable of the function, not an expression: "
                "assign it first (y2 = y * 2), then with insert_grad_of(y2) as dy2:")
    if not isinstance(item.optional_vars, gast.Name):
        name = call.args[0].id
        return (f"name the gradient the block reads and may change: "
                f"with insert_grad_of({name}) as d{name}:")
    return None
