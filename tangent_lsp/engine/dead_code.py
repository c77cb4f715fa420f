"""Dead-code elimination on the generated function, tape push/pop pairs included.

Liveness is computed on the structured code (branches, loops to a fixed point,
``break`` and ``continue``); in-place writes stay while their array, or a view of it read
for its values, is live.
"""

from __future__ import annotations

from typing import Callable

import gast

from . import syntax as S
from .tape import is_pop, is_push, pair_of
from .views import value_live, value_reads, views_of

_IMPURE_PREFIXES = ("random", "print", "input", "open")

_LIST_UPDATES = ("append", "pop")


def inplace_target(stmt: gast.stmt) -> str | None:
    """``bx[i] += g``, ``bx[i] = ...``, ``np.add.at(bx, i, g)``, ``hs.append(h)`` and
    ``hs.pop()`` update a variable in place: its name."""
    cls = stmt.__class__  # by identity, not isinstance: asked of every statement, often
    if cls is gast.AugAssign or cls is gast.Assign:
        target = stmt.target if cls is gast.AugAssign else stmt.targets[0]
        if target.__class__ is gast.Subscript:
            base = target.value
            return base.id if base.__class__ is gast.Name else None
        return None
    if (
        isinstance(stmt, gast.Expr)
        and isinstance(stmt.value, gast.Call)
        and isinstance(stmt.value.func, gast.Attribute)
        and stmt.value.func.attr in _LIST_UPDATES
        and isinstance(stmt.value.func.value, gast.Name)
    ):
        return stmt.value.func.value.id
    if (
        isinstance(stmt, gast.Expr)
        and isinstance(stmt.value, gast.Call)
        and (S.dotted_name(stmt.value.func) or "").endswith(".add.at")
        and stmt.value.args
        and isinstance(stmt.value.args[0], gast.Name)
    ):
        return stmt.value.args[0].id
    return None


def _is_list_pop(node: gast.AST) -> bool:
    return (
        node.__class__ is gast.Call and node.func.__class__ is gast.Attribute
        and node.func.attr == "pop" and node.func.value.__class__ is gast.Name
    )


def popped_lists(value) -> set[str]:
    """The lists an expression (or block) pops from (``xs`` in ``a + xs.pop()``)."""
    return {node.func.value.id for node in S.nodes_of(value, gast.Call) if _is_list_pop(node)}


def _pop_calls(value: gast.expr) -> list[gast.Call]:
    """The ``xs.pop()`` calls in an expression, in the order Python makes them."""
    calls = [node for node in S.nodes_of(value, gast.Call) if _is_list_pop(node)]
    if len(calls) > 1:  # walk's order is not evaluation order
        calls = [node for node in _evaluation_order(value) if _is_list_pop(node)]
    return calls


def _evaluation_order(node: gast.AST) -> list[gast.AST]:
    """Calls in the order Python evaluates them: arguments (left to right) before the call."""
    found: list[gast.AST] = []

    class Visit(gast.NodeVisitor):
        def visit_Call(self, call: gast.Call) -> None:
            self.generic_visit(call)
            found.append(call)

    Visit().visit(node)
    return found


def is_pure(value: gast.AST) -> bool:
    """Whether no call in ``value`` (a tree or a list of them) has side effects."""
    return calls_are_pure(S.nodes_of(value, gast.Call))


def calls_are_pure(calls: list[gast.Call]) -> bool:
    """Whether none of ``calls`` has side effects (nor checks its inputs: a call of the
    user's function marked ``checks``)."""
    for node in calls:
        if node.__dict__.get("checks"):  # (not getattr: a miss raises inside it)
            return False
        path = S.dotted_name(node.func) or ""
        if any(part.startswith(_IMPURE_PREFIXES) for part in path.split(".")):
            return False
    return True


def eliminate_dead_code(
    function: gast.FunctionDef, pure: bool | None = None, summaries: dict | None = None
) -> gast.FunctionDef:
    """Remove assignments nobody reads, including tape push/pop pairs.

    Liveness is computed on the structured code: a loop's body is analysed
    until the set of names live at its head stops growing. A pop whose value
    is not read before being overwritten is dead, and so is its push.
    ``pure``: whether no call in the function has side effects, if known.
    ``summaries``: if given, gets ``id(stmt) → (stmt, S.name_summary(stmt))`` for the
    top-level statements whose summary the sweep had (propagation, which runs next,
    needs them all; nothing here changes a statement it read).
    """
    params = {a.id for a in function.args.args}
    if pure is None:
        pure = is_pure(function.body)
    sweep = _Sweep(_assigned(function.body) - params, pure)
    sweep.views = views_of(function.body)
    sweep.view_names = set().union(*sweep.views.values())
    function.body, _ = _dce(function.body, set(), sweep, True)
    if sweep.dead_pairs:  # pushes come before their pops: one more sweep removes them
        function.body, _ = _dce(function.body, set(), sweep, True)
    if summaries is not None:
        for stmt in function.body:
            summary = sweep.statement_summary(stmt)
            if summary is not None:
                summaries[id(stmt)] = (stmt, summary)
    return function


class _Sweep:
    """What one dead-code elimination knows about the function: the variables it
    assigns (``local``: updating anything else in place is a side effect and always
    stays), the push/pop pairs found dead, and each tree's reads, asked for again on
    every round of a loop's fixed point and so computed once."""

    def __init__(self, local: set[str], all_pure: bool) -> None:
        self.local = local
        self.views: dict[str, set[str]] = {}  # array → variables that may be views of it
        self.view_names: set[str] = set()
        self.dead_pairs: set[int] = set()
        # per tree: (the tree, the names it reads, the lists it pops from); holding the
        # tree keeps its id unique
        self._reads: dict[int, tuple[gast.AST, list[str], set[str]]] = {}
        # a loop body's live names at its top, per (body, live after the body, live after
        # the loop), asked again by every round of each enclosing loop's fixed point: once
        # each, so nested loops cost their depth, not 3 ** depth
        self.body_lives: dict[tuple, tuple[list[gast.stmt], set[str]]] = {}
        # Usually no call in the function has side effects: then no statement is
        # walked again to ask.
        self.pure = _always_pure if all_pure else is_pure

    def reads(self, node: gast.AST) -> list[str]:
        """The names ``node`` reads, and a ``value_live`` marker for each view it reads
        for its values."""
        return self._summary(node)[1]

    def pops(self, node: gast.AST) -> set[str]:
        """The lists ``node`` pops from."""
        return self._summary(node)[2]

    def _summary(self, node: gast.AST) -> tuple[gast.AST, list[str], set[str], tuple]:
        found = self._reads.get(id(node))
        if found is None:
            summary = S.name_summary(node)
            loads, _, _, pops = summary
            names = list(loads)
            if self.view_names and not self.view_names.isdisjoint(names):
                names += [value_live(v) for v in value_reads(node) & self.view_names]
            found = self._reads[id(node)] = (node, names, pops, summary)
        return found

    def statement_summary(self, stmt: gast.stmt) -> tuple | None:
        """``S.name_summary(stmt)`` (new dicts and sets), if the sweep read the statement,
        or the value of ``v = value``; else None."""
        found = self._reads.get(id(stmt))
        if found is not None:
            loads, stores, count, pops = found[3]
            return dict(loads), set(stores), count, set(pops)
        if stmt.__class__ is not gast.Assign or len(stmt.targets) != 1:
            return None
        target = stmt.targets[0]
        found = self._reads.get(id(stmt.value))
        if (
            found is None or target.__class__ is not gast.Name
            or target.ctx.__class__ is not gast.Store or target.annotation is not None
        ):
            return None
        loads, _, count, pops = found[3]
        # the Assign node counts 1, its target Name and the Name's context 2
        return dict(loads), {target.id}, count + 3, set(pops)

    def needed(self, array: str, live: set[str]) -> bool:
        """Whether writing into ``array`` in place matters: it is live, or a view of it is
        read for its values later."""
        return array in live or any(value_live(v) in live for v in self.views.get(array, ()))

    def kill(self, live: set[str], names) -> None:
        """``names`` are assigned: their earlier values (and views) are dead."""
        for name in names:
            live.discard(name)
            if name in self.view_names:
                live.discard(value_live(name))


def _always_pure(value: gast.AST) -> bool:
    return True


def _dce(
    stmts: list[gast.stmt], live_out: set[str], sweep: _Sweep, remove: bool,
    exits: tuple[set[str], set[str]] | None = None,
) -> tuple[list[gast.stmt], set[str]]:
    """``exits``: inside a loop, what is live after a ``break`` (after the loop) and after
    a ``continue`` (at the next iteration)."""
    dead_pairs, local, pure = sweep.dead_pairs, sweep.local, sweep.pure
    live = set(live_out)
    kept: list[gast.stmt] = []
    for stmt in reversed(stmts):
        keep = True
        if (  # the common case first: `v = expr`, no tape, no write into an array
            stmt.__class__ is gast.Assign and stmt.targets[0].__class__ is not gast.Subscript
            and pair_of(stmt) is None
        ):
            keep = _assignment(stmt, live, kept, sweep, remove, pure)
        elif S.comment_text(stmt) is not None:
            pass
        elif is_pop(stmt):
            target = stmt.targets[0]
            if isinstance(target, gast.Name):  # rebinding: the old value's views keep it
                needed = target.id in live
            else:  # `x[i] = tape.pop()` writes into x, and into its views
                needed = sweep.needed(inplace_target(stmt), live)
            if not needed or pair_of(stmt) in dead_pairs:
                # dead, and read nothing: also while only asking what is live (a loop's
                # fixed point), else `x[i] = tape.pop()` keeps x live for the next step's
                if remove:
                    dead_pairs.add(pair_of(stmt))
                    keep = False
            else:
                if isinstance(target, gast.Name):
                    sweep.kill(live, (target.id,))  # `x[i] = tape.pop()` updates x: x stays live
                live.update(sweep.reads(stmt))
        elif is_push(stmt):
            if pair_of(stmt) in dead_pairs:  # removed in this sweep: also while only asking
                keep = not remove  # what is live (a loop's fixed point), it reads nothing,
            else:  # so the tape it appends to is not kept for it
                live.update(sweep.reads(stmt))
        elif (inplace := inplace_target(stmt)) is not None:
            if sweep.needed(inplace, live) or inplace not in local:
                live.update(sweep.reads(stmt))
            else:
                keep = False
        elif isinstance(stmt, gast.Assign):
            keep = _assignment(stmt, live, kept, sweep, remove, pure)
        elif stmt.__class__ is gast.AugAssign and stmt.target.__class__ is gast.Name:
            # `bx += g` reads bx and writes into it (an array in place): needed if bx is
            # live, or held outside (a parameter); the value before it is live then
            name = stmt.target.id
            if sweep.needed(name, live) or name not in local:
                live.update(sweep.reads(stmt))
                live.add(name)
            else:
                keep = False
        elif isinstance(stmt, (gast.Break, gast.Continue)) and exits is not None:
            live = set(exits[0] if isinstance(stmt, gast.Break) else exits[1])
        elif isinstance(stmt, gast.If):
            body, live_body = _dce(stmt.body, live, sweep, remove, exits)
            orelse, live_else = _dce(stmt.orelse, live, sweep, remove, exits)
            if remove:
                if not _has_code(body) and _has_code(orelse):  # `if c: pass else: raise ...`
                    stmt.test, body, orelse = S.negated(stmt.test), orelse, []
                stmt.body, stmt.orelse = body or [gast.Pass()], orelse
                keep = _has_code(body) or _has_code(orelse) or not pure(stmt.test)
            live = live_body | live_else | set(sweep.reads(stmt.test))
        elif isinstance(stmt, (gast.For, gast.While)):
            keep, live = _dce_loop(stmt, live, sweep, remove)
        else:
            live.update(sweep.reads(stmt))
        if keep or not remove:
            kept.append(stmt)
    return list(reversed(kept)), live


def _assignment(
    stmt: gast.Assign, live: set[str], kept: list[gast.stmt], sweep: _Sweep, remove: bool,
    pure: Callable[[gast.AST], bool],
) -> bool:
    """Whether to keep an assignment that neither pops from the tape nor writes into an
    array (``_dce`` goes backwards: ``live`` becomes what is live before it, and ``kept``
    gets the pops a dead one must still make)."""
    if sweep.pops(stmt.value) and (pops := _pop_calls(stmt.value)):
        # `v = xs.pop()` and `bv = bv + xs.pop()` also shorten xs: when v is dead, the
        # pops may still matter
        targets = S.stored_names(stmt.targets[0])
        if not any(t in live for t in targets):
            needed = [
                call for call in pops
                if call.func.value.id in live or call.func.value.id not in sweep.local
            ]
            for call in reversed(needed):  # `kept` is built backwards
                kept.append(gast.Expr(value=call))
                live.add(call.func.value.id)
            return False
        sweep.kill(live, targets)
        live.update(sweep.reads(stmt.value))
        return True
    if (
        isinstance(stmt.targets[0], gast.Name)
        and isinstance(stmt.value, gast.Name)
        and stmt.targets[0].id == stmt.value.id
        and not is_pop(stmt)
    ):
        return False  # `by = by`, left behind when an unbroadcast turned out a no-op
    if pure(stmt.value):
        targets = S.stored_names(stmt.targets[0])
        if not any(t in live for t in targets):
            return False
        if remove and isinstance(stmt.targets[0], gast.Tuple):
            _drop_dead_elements(stmt, live)
        sweep.kill(live, targets)
        live.update(sweep.reads(stmt.value))
        return True
    if remove and getattr(stmt.value, "checks", False) and not any(
        t in live for t in S.stored_names(stmt.targets[0])
    ):  # a check's call whose value nobody reads: called for the check alone
        kept.append(gast.Expr(value=stmt.value))
        live.update(sweep.reads(stmt.value))
        return False
    live.update(sweep.reads(stmt))
    return True


def _drop_dead_elements(stmt: gast.Assign, live: set[str]) -> None:
    """``bL, _ = (np.tril(s), 0.0)`` → ``bL = np.tril(s)``: a pure tuple's dead parts go
    with their names (a rule's derivative of a pair, one part of which is read); where the
    value is not a tuple of as many parts, the dead names become ``_``."""
    target, value = stmt.targets[0], stmt.value
    dead = [isinstance(t, gast.Name) and t.id not in live for t in target.elts]
    if value.__class__ is gast.Tuple and len(value.elts) == len(target.elts) and not any(
        isinstance(part, gast.Starred) for part in target.elts + value.elts
    ):
        kept = [(t, v) for t, v, gone in zip(target.elts, value.elts, dead) if not gone]
        if len(kept) == 1:
            stmt.targets[0], stmt.value = kept[0]
        else:
            target.elts, value.elts = [t for t, _ in kept], [v for _, v in kept]
        return
    for element, gone in zip(target.elts, dead):
        if gone:
            element.id = "_"


def _dce_loop(
    loop: gast.For | gast.While, live_out: set[str], sweep: _Sweep, remove: bool,
) -> tuple[bool, set[str]]:
    if remove and _loop_is_dead(loop, live_out, sweep):
        sweep.dead_pairs.update(  # its pops go with it: their pushes are dead too
            pair for stmt in S.statements(loop.body)
            if is_pop(stmt) and (pair := pair_of(stmt)) is not None
        )
        return False, set(live_out)
    header = loop.iter if isinstance(loop, gast.For) else loop.test
    header_reads = set(sweep.reads(header))
    target = set(S.stored_names(loop.target)) if isinstance(loop, gast.For) else set()
    read_after = not target.isdisjoint(live_out)  # `for i in ...: ...` then `x[i]`
    target |= {value_live(t) for t in target}
    # a `for` evaluates its iterable once; a `while` tests before every iteration
    again = header_reads if isinstance(loop, gast.While) else set()
    head: set[str] = set()
    while True:  # names live at the top of the body, to a fixed point
        following = head | live_out | again  # the next iteration, or the exit
        body_live = _body_live(loop.body, following, live_out, sweep)
        new_head = (body_live - target) | head
        if new_head == head:
            break
        head = new_head
    following = head | live_out | again
    if remove:
        body, body_live = _dce(loop.body, following, sweep, remove, (live_out, following))
    else:
        body, body_live = loop.body, _body_live(loop.body, following, live_out, sweep)
    keep = True
    if remove:
        loop.body = body or [gast.Pass()]
        keep = _has_code(body) or not sweep.pure(header) or read_after
    return keep, (body_live - target) | live_out | header_reads


def _body_live(
    body: list[gast.stmt], following: set[str], live_out: set[str], sweep: _Sweep
) -> set[str]:
    """What is live at the top of a loop body (read only: nothing removed)."""
    key = (id(body), frozenset(following), frozenset(live_out))
    known = sweep.body_lives.get(key)
    if known is None:  # (the body is kept with the answer: its id stays its own)
        known = sweep.body_lives[key] = (body, _dce(body, following, sweep, False,
                                                    (live_out, following))[1])
    return known[1]


def _loop_is_dead(loop: gast.For | gast.While, live_out: set[str], sweep: _Sweep) -> bool:
    """Nothing the loop assigns, updates or pops is read after it, and it calls nothing
    with side effects nor checks anything (a `while` whose variables only its own test
    reads)."""
    if not sweep.pure(loop) or not set(S.stored_names(loop)).isdisjoint(live_out):
        return False
    for stmt in S.statements(loop.body):
        if stmt.__class__ in _CHECKS:  # `assert`, `raise`: the function's own checks
            return False
        name = inplace_target(stmt)
        if name is not None and (name not in sweep.local or sweep.needed(name, live_out)):
            return False
    return all(xs in sweep.local and xs not in live_out for xs in popped_lists(loop))


def _assigned(body: list[gast.stmt]) -> set[str]:
    """The names the statements assign (their targets only: values assign nothing in
    generated code)."""
    names: set[str] = set()
    for stmt in S.statements(body):
        cls = stmt.__class__
        if cls is gast.Assign:
            names.update(S.stored_names(stmt.targets[0]))
        elif cls is gast.For:
            names.update(S.stored_names(stmt.target))
        elif cls is gast.AugAssign:
            names.update(S.stored_names(stmt.target))
        elif cls not in _ASSIGN_NOTHING:
            names.update(S.stored_names(stmt) if cls not in S.COMPOUND else ())
    return names


_CHECKS = (gast.Assert, gast.Raise)

# Statements that bind no name themselves (a compound one's blocks come as statements)
_ASSIGN_NOTHING = frozenset((gast.Expr, gast.Return, gast.Pass, gast.Break, gast.Continue,
                             gast.If, gast.While))


def _has_code(stmts: list[gast.stmt]) -> bool:
    return any(S.comment_text(s) is None and not isinstance(s, gast.Pass) for s in stmts)
