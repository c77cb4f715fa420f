"""Function body → A-normal form (``ir.Function``), rejecting what is unsupported.

The dispatch tables below are the single source of truth for what the engine
supports: a node type absent from them is rejected here, with the message and
hint from ``UNSUPPORTED``, before any later stage can trip over it. Statements are
handled here, expressions in ``expressions.py``, loops and branches in ``control.py``.

Straight-line code is put in SSA form: a name assigned twice gets a fresh
name the second time (``x = x * w`` → ``x2 = x * w``), so the backward sweep
can read every value it needs without saving copies.
"""

from __future__ import annotations

import ast
from typing import Callable

import gast

from . import syntax as S
from .errors import DiffError, unsupported
from .checks import check_module_names, check_signature
from .control import ControlFlow
from .expressions import Expressions, may_change_values
from .comprehensions import COMPREHENSIONS, dict_views_as_comprehensions, expand_comprehensions
from .lambdas import inline_lambdas
from .operands import lists_as_arrays
from .effects import check_statement_call
from .desugar import always_returns, hoist_returns, leave_loops, loop_else_as_flags
from .ir import Function, Keep, Op, Return, Statement
from .naming import RUNTIME_NAMES, Namer, temporary_hint
from .parse import Module
from .resolve import Resolver
from .templates import RUNTIME_MODULE

# (construct, hint) for node types the engine rejects.
UNSUPPORTED: dict[type, tuple[str, str]] = {
    # a local lambda only called by its name is inlined (lambdas.py); others are not
    gast.Lambda: ("lambda", "bind it to a name in a statement of its own, outside loops and "
                  "branches, and only call it by that name; or define it with 'def' at module "
                  "level, passing what it reads as arguments"),
    # comprehensions that always run become loops (comprehensions.py); these did not
    gast.ListComp: ("list comprehension on a conditional path (`a if c else b`, `and`/`or`)",
                    "assign it to a name in a statement of its own"),
    gast.DictComp: ("dict comprehension on a conditional path (`a if c else b`, `and`/`or`)",
                    "assign it to a name in a statement of its own"),
    gast.SetComp: ("set comprehension", "sets carry no gradient; use a list or an array"),
    gast.GeneratorExp: ("generator expression on a conditional path (`a if c else b`, "
                        "`and`/`or`)", "assign it to a name in a statement of its own"),
    gast.Yield: ("yield", "generators cannot be differentiated; return a value"),
    gast.YieldFrom: ("yield from", "generators cannot be differentiated; return a value"),
    gast.Await: ("await", "async code cannot be differentiated"),
    gast.NamedExpr: ("assignment expression (:=)", "assign on a line of its own"),
    gast.Starred: ("starred expression", "pass the values one by one"),
    gast.Set: ("set literal", "sets carry no gradient; use a list or an array"),
    gast.AsyncFor: ("async for", "async code cannot be differentiated"),
    gast.AsyncWith: ("async with", "async code cannot be differentiated"),
    gast.Try: ("try statement", "move exception handling out of the differentiated function"),
    gast.Global: ("global statement", "pass the value as an argument"),
    gast.Nonlocal: ("nonlocal statement", "pass the value as an argument"),
    gast.Delete: ("del statement", "remove the 'del'; the derivative needs the value"),
    gast.FunctionDef: ("nested function", "define the function at module level"),
    gast.AsyncFunctionDef: ("async function", "async code cannot be differentiated"),
    gast.ClassDef: ("class definition", "define the class at module level"),
    gast.Import: ("import inside a function", "import at the top of the module"),
    gast.ImportFrom: ("import inside a function", "import at the top of the module"),
    gast.Match: ("match statement", "write it as if/elif/else"),
}


def normalize(
    module: Module, function: gast.FunctionDef, resolver: Resolver, namer: Namer,
    every_name: list[gast.Name] | None = None,
) -> Function:
    """Normalize ``function`` (a node of ``module``) to A-normal form. ``every_name``:
    ``S.names(function)``, if the caller has it already."""
    check_signature(function)
    return _Normalizer(module, function, resolver, namer, every_name).run()


def statement_text(module: Module, stmt: gast.stmt) -> str:
    """The original text of a statement, on one line, for ``# Grad of:`` comments."""
    start, end = stmt.lineno, getattr(stmt, "end_lineno", stmt.lineno)
    if start == end or isinstance(stmt, (gast.For, gast.While, gast.With)):
        return module.line(start)  # a loop's header line, as written
    return ast.unparse(gast.gast_to_ast(S.clone(stmt))).splitlines()[0]




# What ``lists_as_arrays`` wraps: without one in the function, it has nothing to do
_LIST_OPERANDS = frozenset((gast.List, gast.Tuple, gast.ListComp))


class _Normalizer(ControlFlow, Expressions):
    def __init__(
        self, module: Module, function: gast.FunctionDef, resolver: Resolver, namer: Namer,
        every_name: list[gast.Name] | None = None,
    ):
        self.module = module
        self.function = function
        self.resolver = resolver
        self.namer = namer
        args = function.args
        self.params = [a.id for a in args.posonlyargs + args.args + args.kwonlyargs]
        self.local_names = set(self.params)
        self.sequences: set[str] = set()  # names bound to a list or tuple literal, list(...)
        # the element reads of the statement being normalized, by their text: `x[i] * x[i]`
        # reads x[i] once, as `x_i * x_i` (a hand-written loop's, and one adjoint)
        self.reads: dict[str, str] = {}
        if every_name is None:
            every_name = S.names(function)  # one walk for the names it assigns and reads
        self.identifiers = frozenset(n.id for n in every_name)
        self.local_names.update(n.id for n in every_name if n.ctx.__class__ is gast.Store)
        self.function_reads = {n.id for n in every_name if n.ctx.__class__ is gast.Load}
        self.current: dict[str, str] = {p: p for p in self.params}
        self.origins: dict[str, str] = {}  # a renamed definition → the user's variable
        self.body: list[Statement] = []
        self.lines: dict[int, str] = {}
        self.line = function.lineno
        self.result_temporary: str | None = None
        self.depth = 0  # >0 inside if/loop bodies: no SSA renaming there
        self.loop_depth = 0

    # --- statements ------------------------------------------------------------

    def run(self) -> Function:
        # one walk tells which rewrites below have anything to do: most functions have no
        # walrus, lambda or comprehension, and then each would walk the body to find none
        present = S.classes_in(self.function.body)
        if gast.NamedExpr in present:
            for walrus in S.nodes_of(self.function.body, gast.NamedExpr):  # before its name
                raise _rejection(walrus)  # is read as unassigned in a test that binds it
        check_module_names(self.function, self.resolver, self.local_names)
        body = S.clone(self.function.body)
        if gast.With in present:
            body = self.errstate_blocks_unwrapped(body)
        if gast.Lambda in present:
            body = inline_lambdas(body, self.namer.fresh)
        if gast.Attribute in present and dict_views_as_comprehensions(body, self.namer.fresh):
            present = present | {gast.ListComp}  # `sum(d.values())`: a list built by a loop
        if gast.Lambda in present or not present.isdisjoint(_LIST_OPERANDS):
            lists_as_arrays(body, self.resolver, self.local_names)  # (it adds no comprehension)
        if gast.Lambda in present or not present.isdisjoint(COMPREHENSIONS):
            body = expand_comprehensions(body, self.namer.fresh)
            # a comprehension's renamed variables, a lambda's bound arguments (the names
            # the body stored before are in local_names already)
            self.local_names.update(S.stored_names(body))
        if any(isinstance(s, (gast.For, gast.While)) and s.orelse for s in S.statements(body)):
            body = loop_else_as_flags(body, self.namer.fresh)
        body = leave_loops(body, self.namer.fresh, self.result_name)
        stmts = hoist_returns(body)
        if not isinstance(stmts[-1], gast.Return):  # several returns, in branches
            self.result_temporary = self.result_name()
        for stmt in stmts:
            self.statement(stmt)
        if not any(isinstance(s, gast.Return) for s in S.statements(stmts)):
            raise DiffError(
                "function without return",
                f"'{self.function.name}' raises on every path: it has no value to differentiate",
                hint="return the value to differentiate",
            ).at(self.function)
        if not always_returns(stmts):
            raise DiffError(
                "function without return",
                f"'{self.function.name}' does not return a value on every path",
                hint="end the function with 'return <value>'",
            ).at(self.function)
        if not isinstance(self.body[-1], Return):
            self.body.append(Return(S.name(self.result_temporary), self.line, self.function))
        return Function(
            name=self.function.name,
            params=self.params,
            defaults=list(self.function.args.defaults),
            body=self.body,
            lines=self.lines,
            node=self.function,
            identifiers=self.identifiers,
            result_temporary=self.result_temporary,
            origins=self.origins,
        )

    def statement(self, stmt: gast.stmt) -> None:
        handler = _STATEMENTS.get(type(stmt))
        if handler is None:
            raise _rejection(stmt)
        self.line = stmt.lineno
        self.reads = {}
        if stmt.lineno not in self.lines:  # a loop header's line, not its desugared binding
            self.lines[stmt.lineno] = statement_text(self.module, stmt)
        handler(self, stmt)

    def assign(self, stmt: gast.Assign) -> None:
        if len(stmt.targets) != 1:
            raise unsupported("chained assignment", stmt, "assign one target per line")
        self.bind(stmt.targets[0], stmt.value, stmt)

    def annotated_assign(self, stmt: gast.AnnAssign) -> None:
        if stmt.value is not None:
            self.bind(stmt.target, stmt.value, stmt)

    def augmented_assign(self, stmt: gast.AugAssign) -> None:
        target = stmt.target
        if isinstance(target, gast.Subscript):  # x[i] += v  →  x[i] = x[i] + v
            load = gast.Subscript(
                value=S.clone(target.value), slice=S.clone(target.slice),
                ctx=gast.Load(),
            )
        elif isinstance(target, gast.Name):
            load = S.name(target.id)
        else:
            raise unsupported(
                "augmented assignment into an attribute", stmt,
                "compute a new value instead of writing into an object",
            )
        gast.copy_location(load, target)
        value = gast.BinOp(left=load, op=stmt.op, right=stmt.value)
        gast.copy_location(value, stmt)
        value.in_place = isinstance(target, gast.Name)  # NumPy's `t += v` writes into t
        # `xs[0] += v` writes into the array a list holds (for an array, into xs itself)
        value.item_in_place = isinstance(target, gast.Subscript)
        store = S.clone(target)
        store.ctx = gast.Store()
        self.bind(store, value, stmt)

    def bind(self, target: gast.expr, value: gast.expr, stmt: gast.stmt) -> None:
        if isinstance(target, gast.Name):
            ssa = self.new_name(target.id)
            if self.depth > 0 and ssa in self.names_read(value):
                # `y = y * x` in a branch or loop: the adjoint needs the old `y`, which the
                # backward sweep restores only after the assignment, so compute into a
                # temporary first (`t = y * x; y = t`)
                atom = self.expr(value)
                if not (isinstance(atom, gast.Name) and atom.id == ssa):  # `y = y` does nothing
                    self.emit(ssa, atom, "copy", stmt)
            else:
                self.expr(value, target=ssa)
            self.current[target.id] = ssa
        elif isinstance(target, (gast.Tuple, gast.List)):
            if isinstance(value, (gast.Tuple, gast.List)) and len(value.elts) == len(target.elts) \
                    and all(isinstance(e, gast.Name) for e in target.elts):
                atoms = [self.expr(e) for e in value.elts]
                if self.depth > 0:  # `a, b = b, a` in a block keeps the names: read old values
                    assigned = {self.current.get(e.id) for e in target.elts}
                    atoms = [
                        self.emit(None, atom, "copy", element)
                        if isinstance(atom, gast.Name) and atom.id in assigned else atom
                        for element, atom in zip(target.elts, atoms)
                    ]
                for element, atom in zip(target.elts, atoms):
                    self.emit(self.define(element.id), atom, "copy", element)
                return
            self.unpack(target, self.expr(value))
        elif (
            isinstance(target, gast.Subscript)
            and isinstance(target.value, gast.Name)
            and target.value.id in self.local_names
        ):
            self.setitem(target, value, stmt)
        elif isinstance(target, gast.Subscript) and isinstance(target.value, gast.Subscript):
            raise unsupported(  # y[0][1] = v: a write into what y[0] returned
                "assignment into an element of an element", target,
                "index once: y[0, 1] = v for an array (or rebuild the inner list)",
            )
        else:
            raise unsupported(
                "assignment into an attribute or a global", target,
                "compute a new value instead of writing into an object",
            )

    def unpack(self, target: gast.Tuple | gast.List, whole: gast.expr) -> None:
        """``a, (b, c) = whole``: one element at a time, a nested target from a temporary."""
        names = {n.id for n in S.names(target) if isinstance(n.ctx, gast.Store)}
        if not isinstance(whole, gast.Name):  # `(a, b), c = (x, y), z`: name the literal,
            whole = self.emit(None, whole, "literal", target)  # whose adjoint reaches x, y, z
        elif self.depth > 0 and any(
            self.current.get(n) == whole.id for n in names
        ):  # `x, y = x` in a loop: x keeps its name, so read the elements from a copy
            whole = self.emit(None, whole, "copy", target)
        count = len(target.elts)
        starred = next((i for i, e in enumerate(target.elts) if isinstance(e, gast.Starred)), None)
        # `a, *rest, z = xs` reads `xs[0]`, `list(xs[1:-1])` and `xs[-1]`; it is not written
        # back as one unpacking (`a, rest, z = xs` would say xs has three elements)
        joined = starred is None
        for index, element in enumerate(target.elts):
            if index == starred:
                self.starred_part(element, whole, index, count - index - 1)
                continue
            position = index - count if starred is not None and index > starred else index
            item = gast.Subscript(value=S.clone(whole), slice=S.constant(position), ctx=gast.Load())
            if isinstance(element, gast.Name):
                self.body.append(
                    Op(self.define(element.id), item, "subscript", self.line, element, unpack=joined)
                )
            elif isinstance(element, (gast.Tuple, gast.List)):
                self.unpack(element, self.emit(None, item, "subscript", element, unpack=joined))
            else:
                raise unsupported(
                    "unpacking into a subscript or attribute", element, "unpack into plain names",
                )

    def starred_part(self, element: gast.Starred, whole: gast.expr, start: int, after: int) -> None:
        """``*rest`` in an unpacking: a list of the elements between those named before and
        after it, as Python makes it (``list(xs[1:-1])``: a list even of a tuple or array)."""
        if not isinstance(element.value, gast.Name):
            raise unsupported("starred unpacking into a nested target", element,
                              "unpack into a name first, then unpack that")
        builtin_list = S.name("list")
        if "list" in self.local_names or self.resolver.qualname(builtin_list) != "builtins.list":
            raise unsupported("starred unpacking", element,
                              "'list' is redefined here: unpack by indexing instead")
        bounds = gast.Slice(lower=S.constant(start), upper=S.constant(-after) if after else None,
                            step=None)
        part = self.emit(None, gast.Subscript(value=S.clone(whole), slice=bounds,
                                              ctx=gast.Load()), "subscript", element)
        value = S.call(builtin_list, [part])
        self.emit(self.define(element.value.id), value, "rule", element, key="builtins.list",
                  shown="'list'", args=[part], keywords={})

    def setitem(self, target: gast.Subscript, value: gast.expr, stmt: gast.stmt) -> None:
        """``x[i] = v`` writes into ``x``: the backward sweep restores what it overwrote."""
        item = self.expr(value)
        if isinstance(item, (gast.Tuple, gast.List)):  # `xs[1:] = [a]`: name the literal,
            item = self.emit(None, item, "literal", value)  # whose adjoint reaches a
        base = self.lookup(target.value)
        index = self.index(target.slice)
        location = gast.Subscript(value=base, slice=index, ctx=gast.Load())
        self.body.append(Op(base.id, location, "setitem", self.line, stmt, args=[base, item]))

    def expression_statement(self, stmt: gast.Expr) -> None:
        if isinstance(stmt.value, gast.Constant):
            return  # docstring or bare literal
        call = stmt.value
        if not isinstance(call, gast.Call):
            raise _rejection(call)
        func = call.func
        if (
            isinstance(func, gast.Attribute) and func.attr in _CONTAINER_MUTATORS
            and isinstance(func.value, (gast.Subscript, gast.Attribute))
            and self.is_local(_root(func.value))
        ):  # d["h"].append(v): a list inside a container, changed where it sits
            raise unsupported(
                f"'.{func.attr}()' on an element of a container", stmt,
                "build the list under its own name (hs = []; hs.append(v)) and store it "
                "in the container when it is complete",
            )
        if isinstance(func, gast.Attribute) and self.is_local(func.value):
            if func.attr == "append" and len(call.args) == 1 and not call.keywords:
                receiver = self.lookup(func.value)
                item = self.expr(call.args[0])
                value = S.call(S.attribute(receiver, "append"), [item])
                self.body.append(
                    Op(receiver.id, value, "append", self.line, stmt, args=[receiver, item])
                )
                return
            if func.attr == "pop" and not call.args and not call.keywords:
                self.expr(call)  # `xs.pop()` for its effect: a pop into an unused name
                return
            x = S.dotted_name(func.value) or "x"
            hint = (f"build a new value instead ({x} = ...); of the methods that change a "
                    "value in place, only a list's append and pop() are differentiated")
            if func.attr == "fill" and len(call.args) == 1:
                value = gast.unparse(call.args[0]).strip()
                hint = f"build a new array instead: {x} = np.full_like({x}, {value})"
            elif func.attr == "sort":
                hint = f"sort into a new value: {x} = np.sort({x}) (an array, for a list too)"
            raise unsupported(f"in-place method '.{func.attr}()'", stmt, hint)
        if self.resolver.qualname(func) == "numpy.add.at" and _adds_into_local(call, self):
            self.add_at(call, stmt)
            return
        check_statement_call(
            call, self.resolver.qualname(func), self.resolver, self.function, self.is_local,
        )
        self.keep(stmt, [])  # print(...), a call for its side effect

    def add_at(self, call: gast.Call, stmt: gast.stmt) -> None:
        """``np.add.at(a, i, v)`` adds at repeated indices too, in place: read as
        ``a = add_at(a, i, v)``, a new array with rules. Generated code accumulates adjoints
        this way, so this is what differentiating a gradient again meets."""
        name = call.args[0].id
        args = [self.lookup(call.args[0]), self.argument(call.args[1]), self.expr(call.args[2])]
        value = S.call("add_at", args)
        value.in_place = True  # for the aliasing check: views of `a` see the update
        key, shown = f"{RUNTIME_MODULE}.add_at", "'np.add.at'"
        ssa = self.new_name(name)
        if self.depth > 0 and ssa in self.names_read(value):  # the old `a` stays for the adjoint
            atom = self.emit(None, value, "rule", value, key=key, shown=shown, args=args)
            self.emit(ssa, atom, "copy", stmt)
        else:
            self.emit(ssa, value, "rule", value, key=key, shown=shown, args=args)
        self.current[name] = ssa

    def keep(self, stmt: gast.stmt, defines: list[str]) -> None:
        self.body.append(Keep(self.rename(stmt), self.line, defines))

    def check_statement(self, stmt: gast.Assert | gast.Raise) -> None:
        """``assert``, or ``raise`` (a validation branch): run as written in the forward
        sweep; a derivative whose function raised has nothing to compute."""
        self.keep(stmt, [])

    def return_statement(self, stmt: gast.Return) -> None:
        if self.depth > 0:  # one of several returns: assign the shared result
            if stmt.value is None:
                raise unsupported("return without a value", stmt, "return the value to differentiate")
            self.expr(stmt.value, target=self.result_temporary)
            return
        if stmt.value is None:
            raise unsupported("return without a value", stmt, "return the value to differentiate")
        if isinstance(stmt.value, (gast.Tuple, gast.List)):  # several values: a tuple seed
            atoms = [self.expr(e) for e in stmt.value.elts]
            self.body.append(Return(gast.Tuple(elts=atoms, ctx=gast.Load()), self.line, stmt))
            return
        target = None
        if not self.is_local(stmt.value):
            target = self.result_temporary = self.result_name()
        atom = self.expr(stmt.value, target=target)
        self.body.append(Return(atom, self.line, stmt))

    def result_name(self) -> str:
        """``loss = <returned expression>`` reads best, and shadowing the primal
        function inside its own derivative is harmless unless the body calls it."""
        own = self.function.name
        if (
            own not in self.local_names and own not in self.function_reads
            and own not in RUNTIME_NAMES  # the derivative may call the helper `add_at`
        ):
            self.namer.temporaries.add(own)
            self.local_names.add(own)  # taken: a second result gets its own name
            return own
        return self.namer.fresh(f"{own}_value", temporary=True)

    def pass_statement(self, stmt: gast.Pass) -> None:
        return

    # --- names -----------------------------------------------------------------

    def names_read(self, node: gast.AST) -> set[str]:
        """The current names of the local variables ``node`` reads."""
        return {self.current.get(n, n) for n in S.loaded_names(node) if n in self.local_names}

    def is_local(self, node: gast.AST) -> bool:
        return isinstance(node, gast.Name) and node.id in self.local_names

    def new_name(self, identifier: str) -> str:
        """The name a new definition of ``identifier`` gets.

        At the top level that is SSA: a fresh name if the variable is already
        defined. Inside branches and loops a variable keeps one name (the
        backward sweep restores overwritten values from the tape). The caller
        records it in ``current`` only after normalizing the value, which
        still reads the previous definition (``x = x * w``)."""
        if identifier in self.current:
            if self.depth > 0:
                return self.current[identifier]
            renamed = self.namer.fresh(identifier)
            self.origins[renamed] = identifier
            return renamed
        self.namer.reserve(identifier)
        return identifier

    def define(self, identifier: str) -> str:
        ssa = self.new_name(identifier)
        self.current[identifier] = ssa
        return ssa

    def lookup(self, node: gast.Name) -> gast.Name:
        if node.id not in self.current:
            if self.loop_depth > 0 and node.id in self.local_names:
                raise DiffError(  # valid Python when an earlier iteration assigned it
                    "name", f"'{node.id}' is read before this loop assigns it: a value "
                    "carried from an earlier iteration needs a first value",
                    hint=f"assign '{node.id}' before the loop ({node.id} = 0.0, or None)",
                ).at(node)
            raise DiffError(
                "name", f"'{node.id}' is used before it is assigned",
                hint="assign the variable before using it",
            ).at(node)
        renamed = S.name(self.current[node.id])
        return gast.copy_location(renamed, node)

    def rename(self, node: gast.AST) -> gast.AST:
        node = S.clone(node)
        mapping = {k: S.name(v) for k, v in self.current.items() if k != v}
        return S.substitute(node, mapping)

    # --- expressions -------------------------------------------------------------

    def emit(self, target: str | None, value: gast.expr, kind: str, node: gast.AST, **info) -> gast.Name:
        if target is None:
            target = self.namer.fresh(temporary_hint(value), temporary=True)
        if (kind == "literal" and isinstance(value, (gast.Tuple, gast.List))) or info.get(
            "key"
        ) in ("builtins.list", "builtins.tuple", "operator.concat"):
            self.sequences.add(target)
        self.local_names.add(target)
        self.current.setdefault(target, target)
        self.body.append(Op(target, value, kind, self.line, node, **info))
        if self.reads and may_change_values(kind, info.get("key"), value):
            self.reads = {}
        return S.name(target)

    def expr(self, node: gast.expr, target: str | None = None) -> gast.expr:
        """Normalize ``node``; return an atom naming its value (``target`` if given)."""
        handler = _EXPRESSIONS.get(type(node))
        if handler is None:
            raise _rejection(node)
        return handler(self, node, target)

def _adds_into_local(call: gast.Call, normalizer) -> bool:
    """``np.add.at(a, i, v)`` into a local variable (not an argument, whose caller would
    see the change)."""
    return (
        len(call.args) == 3 and not call.keywords and isinstance(call.args[0], gast.Name)
        and normalizer.is_local(call.args[0]) and call.args[0].id not in normalizer.params
    )


def _rejection(node: gast.AST) -> DiffError:
    why = getattr(node, "not_inlined", None)  # a lambda bound to a name: why it stayed
    if why is not None:
        return unsupported(why[0], node, why[1])
    construct, hint = UNSUPPORTED.get(
        type(node), (type(node).__name__, "rewrite it with supported Python and NumPy")
    )
    return unsupported(construct, node, hint)







_STATEMENTS: dict[type, Callable] = {
    gast.Assign: _Normalizer.assign,
    gast.AnnAssign: _Normalizer.annotated_assign,
    gast.AugAssign: _Normalizer.augmented_assign,
    gast.Expr: _Normalizer.expression_statement,
    gast.Assert: _Normalizer.check_statement,
    gast.Raise: _Normalizer.check_statement,
    gast.Return: _Normalizer.return_statement,
    gast.Pass: _Normalizer.pass_statement,
    gast.If: _Normalizer.if_statement,
    gast.For: _Normalizer.for_statement,
    gast.While: _Normalizer.while_statement,
    gast.Break: _Normalizer.jump_statement,
    gast.Continue: _Normalizer.jump_statement,
    gast.With: _Normalizer.with_statement,
}

_EXPRESSIONS: dict[type, Callable] = {
    gast.Name: _Normalizer.name_expr,
    gast.Constant: _Normalizer.constant_expr,
    gast.BinOp: _Normalizer.binop,
    gast.UnaryOp: _Normalizer.unaryop,
    gast.Compare: _Normalizer.compare,
    gast.Tuple: _Normalizer.literal,
    gast.List: _Normalizer.literal,
    gast.Call: _Normalizer.call,
    gast.Attribute: _Normalizer.attribute_expr,
    gast.Subscript: _Normalizer.subscript,
    gast.IfExp: _Normalizer.ifexp,
    gast.BoolOp: _Normalizer.boolean,
    gast.Dict: _Normalizer.dict_literal,
    gast.JoinedStr: _Normalizer.formatted,
}


_CONTAINER_MUTATORS = frozenset("append extend insert pop remove clear update setdefault".split())


def _root(node: gast.expr) -> gast.expr:
    """``d`` of ``d["h"][0].x``."""
    while isinstance(node, (gast.Subscript, gast.Attribute)):
        node = node.value
    return node
