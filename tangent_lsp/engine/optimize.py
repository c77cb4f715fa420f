"""Clean-ups on the generated function: dead-code elimination and assignment propagation.

Each pass is a plain function ``FunctionDef → FunctionDef`` over the flat
(straight-line) body, safe to run in any order, and the driver repeats them
until nothing changes — detected by counting statements and names, never by
re-printing the code.
"""

from __future__ import annotations

from bisect import bisect_right, insort

import gast

from . import syntax as S
from .shape_passes import drop_noop_unbroadcast, read_shapes_from_stable_names, spread_implicitly
from .flow_shapes import refine_shapes
from .reuse import reuse_values
from .simplify import simplify_backward
from .shapes import ShapeClasses
from .tape import is_pop, is_push, pair_of
from .views import value_live, value_reads, views_of

_IMPURE_PREFIXES = ("random", "print", "input", "open")
# Inlining stops before a statement grows past this many AST nodes: past it,
# one long line reads worse than two short ones.
MAX_INLINED_SIZE = 36


def optimize(
    function: gast.FunctionDef,
    inlinable: set[str],
    mergeable: set[str],
    classes: ShapeClasses | None = None,
    stable: set[str] = frozenset(),
    np_alias: str = "np",
    pure: bool | None = None,
) -> gast.FunctionDef:
    """Run the passes to a fixed point.

    ``inlinable``: names the engine made up for intermediate values, inlined into
    their single use. ``mergeable``: adjoints of the user's variables, which keep
    their own line but absorb copies and accumulation (``bx = a; bx = bx + b``).
    ``stable``: variables assigned once, outside branches and loops, so they hold
    the same value everywhere after their assignment. ``pure``: whether no call has side
    effects, if known (the passes add none, so the primal function can tell).
    """
    if stable:
        function = reuse_values(function, stable)
    if classes is not None:
        function = drop_noop_unbroadcast(function, classes)
        function = refine_shapes(function, classes, stable, inlinable)
        function = read_shapes_from_stable_names(function, classes, stable, inlinable)
    function = simplify_backward(function, np_alias, classes)
    if pure is None:
        pure = is_pure(function.body)  # no pass adds a call with side effects: asked once
    function = _clean_up(function, inlinable, mergeable, pure)
    if classes is not None:
        if spread_implicitly(function, classes):
            function = _clean_up(function, inlinable, mergeable, pure)
        # propagation moved values into shape-only arguments: read them from names again
        function = read_shapes_from_stable_names(function, classes, stable, inlinable)
    function = simplify_backward(function, np_alias, classes)  # again: merging made `e + e`
    return drop_empty_comments(function)


def _clean_up(
    function: gast.FunctionDef, inlinable: set[str], mergeable: set[str], pure: bool
) -> gast.FunctionDef:
    """Dead-code elimination and propagation until neither changes anything (each
    change removes a statement; the first pass to change nothing ends it)."""
    size = _size(function)
    # Straight-line code: propagation leaves nothing dead (it deletes the definitions it
    # inlines, and the `x = x` copies it makes), so one sweep of each is enough. Branches
    # and loops can still leave placeholders and counters unread.
    straight = not any(isinstance(stmt, _COMPOUND) for stmt in function.body)
    for _ in range(20):
        function = eliminate_dead_code(function, pure)
        after_dce = _size(function)
        if after_dce == size and _ > 0:
            break
        function = propagate_assignments(function, inlinable, mergeable)
        size = _size(function)
        if size == after_dce or straight:
            break
    return function


def _size(function: gast.FunctionDef) -> int:
    """How many statements: every pass that changes something removes one."""
    def count(stmts: list[gast.stmt]) -> int:
        total = len(stmts)
        for stmt in stmts:
            if isinstance(stmt, _COMPOUND):
                total += count(stmt.body) + count(stmt.orelse)
        return total

    return count(function.body)


# --- dead-code elimination -----------------------------------------------------------


_LIST_UPDATES = ("append", "pop")


def _inplace_target(stmt: gast.stmt) -> str | None:
    """``bx[i] += g``, ``bx[i] = ...``, ``np.add.at(bx, i, g)``, ``hs.append(h)`` and
    ``hs.pop()`` update a variable in place: its name."""
    if isinstance(stmt, (gast.AugAssign, gast.Assign)):
        target = stmt.target if isinstance(stmt, gast.AugAssign) else stmt.targets[0]
        if isinstance(target, gast.Subscript):
            base = target.value
            return base.id if isinstance(base, gast.Name) else None
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


def _popped_lists(value) -> set[str]:
    """The lists an expression (or block) pops from (``xs`` in ``a + xs.pop()``)."""
    return {
        node.func.value.id for node in S.walk(value)
        if node.__class__ is gast.Call and node.func.__class__ is gast.Attribute
        and node.func.attr == "pop" and node.func.value.__class__ is gast.Name
    }


def _pop_calls(value: gast.expr) -> list[gast.Call]:
    """The ``xs.pop()`` calls in an expression, in the order Python makes them."""
    calls = [
        node for node in S.walk(value)
        if node.__class__ is gast.Call and node.func.__class__ is gast.Attribute
        and node.func.attr == "pop" and node.func.value.__class__ is gast.Name
        and not node.args
    ]
    if len(calls) > 1:  # walk's order is not evaluation order: sort by position
        order = {id(node): k for k, node in enumerate(_evaluation_order(value))}
        calls.sort(key=lambda node: order[id(node)])
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
    for node in S.walk(value):
        if isinstance(node, gast.Call):
            path = S.dotted_name(node.func) or ""
            if any(part.startswith(_IMPURE_PREFIXES) for part in path.split(".")):
                return False
    return True


def eliminate_dead_code(function: gast.FunctionDef, pure: bool | None = None) -> gast.FunctionDef:
    """Remove assignments nobody reads, including tape push/pop pairs.

    Liveness is computed on the structured code: a loop's body is analysed
    until the set of names live at its head stops growing. A pop whose value
    is not read before being overwritten is dead, and so is its push.
    ``pure``: whether no call in the function has side effects, if known.
    """
    params = {a.id for a in function.args.args}
    if pure is None:
        pure = is_pure(function.body)
    sweep = _Sweep({n for n in S.stored_names(function) if n not in params}, pure)
    sweep.views = views_of(function.body)
    sweep.pops = bool(_popped_lists(function.body))  # else no statement is searched for one
    sweep.view_names = set().union(*sweep.views.values())
    function.body, _ = _dce(function.body, set(), sweep, True)
    if sweep.dead_pairs:  # pushes come before their pops: one more sweep removes them
        function.body, _ = _dce(function.body, set(), sweep, True)
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
        self.pops = True  # whether the function pops from a list anywhere
        self._reads: dict[int, tuple[gast.AST, list[str]]] = {}  # holds the node: ids stay unique
        # Usually no call in the function has side effects: then no statement is
        # walked again to ask.
        self.pure = _always_pure if all_pure else is_pure

    def reads(self, node: gast.AST) -> list[str]:
        """The names ``node`` reads, and a ``value_live`` marker for each view it reads
        for its values."""
        found = self._reads.get(id(node))
        if found is None:
            names = S.loaded_names(node)
            if self.view_names and not self.view_names.isdisjoint(names):
                names = names + [value_live(v) for v in value_reads(node) & self.view_names]
            found = self._reads[id(node)] = (node, names)
        return found[1]

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
        if S.comment_text(stmt) is not None:
            pass
        elif is_pop(stmt):
            target = stmt.targets[0]
            name = target.id if isinstance(target, gast.Name) else _inplace_target(stmt)
            if remove and (not sweep.needed(name, live) or pair_of(stmt) in dead_pairs):
                dead_pairs.add(pair_of(stmt))
                keep = False
            else:
                if isinstance(target, gast.Name):
                    sweep.kill(live, (name,))  # `x[i] = tape.pop()` updates x: x stays live
                live.update(sweep.reads(stmt))
        elif is_push(stmt):
            if remove and pair_of(stmt) in dead_pairs:
                keep = False
            else:
                live.update(sweep.reads(stmt))
        elif (inplace := _inplace_target(stmt)) is not None:
            if sweep.needed(inplace, live) or inplace not in local:
                live.update(sweep.reads(stmt))
            else:
                keep = False
        elif isinstance(stmt, gast.Assign) and sweep.pops and (pops := _pop_calls(stmt.value)):
            # `v = xs.pop()` and `bv = bv + xs.pop()` also shorten xs: when v is dead, the
            # pops may still matter
            targets = S.stored_names(stmt.targets[0])
            if not any(t in live for t in targets):
                needed = [
                    call for call in pops
                    if call.func.value.id in live or call.func.value.id not in local
                ]
                for call in reversed(needed):  # `kept` is built backwards
                    kept.append(gast.Expr(value=call))
                    live.add(call.func.value.id)
                keep = False
            else:
                sweep.kill(live, targets)
                live.update(sweep.reads(stmt.value))
        elif (
            isinstance(stmt, gast.Assign)
            and isinstance(stmt.targets[0], gast.Name)
            and isinstance(stmt.value, gast.Name)
            and stmt.targets[0].id == stmt.value.id
            and not is_pop(stmt)
        ):
            keep = False  # `by = by`, left behind when an unbroadcast turned out a no-op
        elif isinstance(stmt, gast.Assign) and pure(stmt.value):
            targets = S.stored_names(stmt.targets[0])
            if not any(t in live for t in targets):
                keep = False
            else:
                if remove and isinstance(stmt.targets[0], gast.Tuple):
                    for element in stmt.targets[0].elts:
                        if isinstance(element, gast.Name) and element.id not in live:
                            element.id = "_"
                sweep.kill(live, targets)
                live.update(sweep.reads(stmt.value))
        elif isinstance(stmt, (gast.Break, gast.Continue)) and exits is not None:
            live = set(exits[0] if isinstance(stmt, gast.Break) else exits[1])
        elif isinstance(stmt, gast.If):
            body, live_body = _dce(stmt.body, live, sweep, remove, exits)
            orelse, live_else = _dce(stmt.orelse, live, sweep, remove, exits)
            if remove:
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


def _dce_loop(
    loop: gast.For | gast.While, live_out: set[str], sweep: _Sweep, remove: bool,
) -> tuple[bool, set[str]]:
    if remove and _loop_is_dead(loop, live_out, sweep):
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
        _, body_live = _dce(loop.body, following, sweep, False, (live_out, following))
        new_head = (body_live - target) | head
        if new_head == head:
            break
        head = new_head
    following = head | live_out | again
    body, body_live = _dce(loop.body, following, sweep, remove, (live_out, following))
    keep = True
    if remove:
        loop.body = body or [gast.Pass()]
        keep = _has_code(body) or not sweep.pure(header) or read_after
    return keep, (body_live - target) | live_out | header_reads


def _loop_is_dead(loop: gast.For | gast.While, live_out: set[str], sweep: _Sweep) -> bool:
    """Nothing the loop assigns, updates or pops is read after it, and it calls nothing
    with side effects (a `while` whose variables only its own test reads)."""
    if not sweep.pure(loop) or not set(S.stored_names(loop)).isdisjoint(live_out):
        return False
    for stmt in S.statements(loop.body):
        name = _inplace_target(stmt)
        if name is not None and (name not in sweep.local or sweep.needed(name, live_out)):
            return False
    return all(xs in sweep.local and xs not in live_out for xs in _popped_lists(loop))


def _has_code(stmts: list[gast.stmt]) -> bool:
    return any(S.comment_text(s) is None and not isinstance(s, gast.Pass) for s in stmts)


# --- assignment propagation ------------------------------------------------------------


def _nodes(node: gast.AST) -> int:
    """Size of a tree, counting each ``Load``/``Store`` context as a node too."""
    return sum(2 if "ctx" in n.__dict__ else 1 for n in S.walk(node))


def _defines(stmt: gast.stmt, popped: set[str] = frozenset()) -> set[str]:
    """Names a simple statement assigns (``v = xs.pop()`` changes ``xs`` too: ``popped`` are
    the lists the function pops anywhere), or anything a compound statement may assign."""
    inplace = _inplace_target(stmt)
    if inplace:
        return {inplace}
    if isinstance(stmt, gast.Assign):
        targets = set(S.stored_names(stmt.targets[0]))
        return targets | _popped_lists(stmt.value) if popped else targets
    if isinstance(stmt, (gast.If, gast.For, gast.While)):
        return set(S.stored_names(stmt)) | {
            name for n in S.statements([stmt]) if (name := _inplace_target(n))
        }
    inplace = _inplace_target(stmt)
    return {inplace} if inplace else set()


_COMPOUND = (gast.If, gast.For, gast.While)


def propagate_assignments(
    function: gast.FunctionDef, inlinable: set[str], mergeable: set[str] = frozenset()
) -> gast.FunctionDef:
    """Inline ``t = expr`` into its single use (or copies ``t = x`` into every use).

    Only names the engine made up are inlined; the user's own variables stay,
    because the generated code should read like the code it came from. Every
    block (branch and loop bodies too) is handled on its own; nothing moves
    into or out of a loop.
    """
    updated_in_place = {name for n in S.statements(function.body) if (name := _inplace_target(n))}
    total_loads: dict[str, int] = {}
    for n in S.names(function.body):
        if n.ctx.__class__ is gast.Load:
            total_loads[n.id] = total_loads.get(n.id, 0) + 1
    # a list that is popped stays a name: `list(...).pop()` could not be differentiated again
    popped = _popped_lists(function.body)
    candidates = (inlinable | mergeable) - updated_in_place - popped
    # writing into an array changes its views' values and the other way round: a value
    # that reads one must not move past an in-place write into the other
    aliases: dict[str, set[str]] = {}
    for array, views in views_of(function.body).items():
        if array in updated_in_place or views & updated_in_place:
            for view in views:
                aliases.setdefault(array, set()).add(view)
                aliases.setdefault(view, set()).add(array)
    _propagate_block(
        function.body, candidates, inlinable, mergeable, total_loads, popped, aliases
    )
    return function




class _BlockFacts:
    """Per statement of a block: how often it reads each name and what it assigns, and,
    per name, the positions that read or assign it. Computed once and updated as
    statements change, so finding a definition's uses is a lookup, not a scan (walking
    trees and scanning blocks was the cost here). Deleted statements stay as ``None``
    until the pass ends, so positions never shift."""

    def __init__(self, body: list[gast.stmt], popped: set[str] = frozenset()) -> None:
        self.popped = popped
        self.aliases: dict[str, set[str]] = {}  # arrays and their views, written in place
        self.loads: list[dict[str, int]] = []
        self.defines: list[set[str]] = []
        self.load_positions: dict[str, list[int]] = {}
        self.define_positions: dict[str, list[int]] = {}
        self.sizes: dict[int, int] = {}  # nodes per statement, asked for lazily
        for position, stmt in enumerate(body):
            self.loads.append(_load_counts(stmt))
            self.defines.append(_defines(stmt, popped))
            self._index(position)

    def _index(self, position: int) -> None:
        for name in self.loads[position]:
            insort(self.load_positions.setdefault(name, []), position)
        for name in self.defines[position]:
            insort(self.define_positions.setdefault(name, []), position)

    def _unindex(self, position: int) -> None:
        for name in self.loads[position]:
            self.load_positions[name].remove(position)
        for name in self.defines[position]:
            self.define_positions[name].remove(position)

    def substituted(self, position: int, name: str, value_loads: dict[str, int], value_size: int) -> None:
        """``name``'s reads at ``position`` were replaced by a value: update the counts
        without walking the statement again."""
        loads = self.loads[position]
        times = loads.pop(name, 0)
        self.load_positions[name].remove(position)
        for operand, count in value_loads.items():
            if operand not in loads:
                insort(self.load_positions.setdefault(operand, []), position)
                loads[operand] = 0
            loads[operand] += count * times
        if position in self.sizes:
            self.sizes[position] += times * (value_size - 2)  # a Name with its context is 2

    def size(self, body: list, position: int) -> int:
        found = self.sizes.get(position)
        if found is None:
            found = self.sizes[position] = _nodes(body[position])
        return found

    def delete(self, body: list, position: int) -> None:
        self._unindex(position)
        body[position] = None
        self.loads[position] = {}
        self.defines[position] = set()

    def next_definition(self, name: str, position: int) -> int | None:
        positions = self.define_positions.get(name, [])
        k = bisect_right(positions, position)
        return positions[k] if k < len(positions) else None

    def reads_between(self, name: str, start: int, stop: int) -> list[int]:
        """Positions in (start, stop] that read ``name``."""
        positions = self.load_positions.get(name, [])
        return positions[bisect_right(positions, start): bisect_right(positions, stop)]

    def defined_between(self, name: str, start: int, stop: int) -> bool:
        """Whether some position in (start, stop) assigns ``name``."""
        positions = self.define_positions.get(name, [])
        k = bisect_right(positions, start)
        return k < len(positions) and positions[k] < stop


def _load_counts(node: gast.AST) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in S.loaded_names(node):
        counts[name] = counts.get(name, 0) + 1
    return counts


def _propagate_block(
    body, candidates, inlinable, mergeable, total_loads, popped, aliases
) -> None:
    for stmt in body:
        if isinstance(stmt, _COMPOUND):
            for block in (stmt.body, stmt.orelse):
                _propagate_block(
                    block, candidates, inlinable, mergeable, total_loads, popped, aliases
                )
    facts = _BlockFacts(body, popped)
    facts.aliases = aliases
    for index in range(len(body)):
        stmt = body[index]
        if not (
            isinstance(stmt, gast.Assign)
            and isinstance(stmt.targets[0], gast.Name)
            and stmt.targets[0].id in candidates
            and not is_pop(stmt)
        ):
            continue
        name = stmt.targets[0].id
        uses = _uses_of_definition(body, facts, index, name, total_loads)
        is_atom = isinstance(stmt.value, (gast.Name, gast.Constant))
        merge_only = name in mergeable and name not in inlinable and not is_atom
        if uses is None or not uses:
            continue
        if merge_only and not (len(uses) == 1 and name in facts.defines[uses[0]]):
            continue
        if (len(uses) > 1 and not is_atom) or any(
            isinstance(body[u], gast.Return) for u in uses
        ):
            continue
        value_size = _nodes(stmt.value) if is_atom else facts.size(body, index) - 3  # less `name =`
        if not is_atom and facts.size(body, uses[0]) + value_size > MAX_INLINED_SIZE:
            continue
        found = sum(facts.loads[u].get(name, 0) for u in uses)
        value_loads = facts.loads[index]
        for u in uses:
            body[u] = S.substitute(body[u], {name: stmt.value})
            facts.substituted(u, name, value_loads, value_size)
            if _self_copy(body[u]):  # `bt = by; by = bt` leaves `by = by`
                facts.delete(body, u)
        facts.delete(body, index)
        total_loads[name] = total_loads.get(name, 0) - found
        for operand, count in value_loads.items():  # each use got a copy; the definition went
            total_loads[operand] = total_loads.get(operand, 0) + count * (found - 1)
    body[:] = [stmt for stmt in body if stmt is not None]


def _self_copy(stmt: gast.stmt) -> bool:
    return (
        stmt.__class__ is gast.Assign and stmt.targets[0].__class__ is gast.Name
        and stmt.value.__class__ is gast.Name and stmt.targets[0].id == stmt.value.id
        and not is_pop(stmt)
    )


def _uses_of_definition(
    body: list, facts: _BlockFacts, index: int, name: str, total_loads: dict[str, int]
) -> list[int] | None:
    """Statements of the block that read the value assigned at ``index``, or None when
    some read cannot be inlined into (inside a compound statement, or after an
    operand changed, or the value may flow beyond the block)."""
    stmt = body[index]
    is_atom = isinstance(stmt.value, (gast.Name, gast.Constant))
    redefined = facts.next_definition(name, index)
    stop = redefined if redefined is not None else len(body) - 1
    uses = facts.reads_between(name, index, stop)
    for u in uses:
        if isinstance(body[u], _COMPOUND) or (facts.loads[u][name] > 1 and not is_atom):
            return None
    if uses and any(
        facts.defined_between(r, index, uses[-1])
        for operand in facts.loads[index] for r in (operand, *facts.aliases.get(operand, ()))
    ):
        return None  # an operand changes before a read: inlining would read the new value
    if uses and any(
        facts.reads_between(xs, index, uses[-1])
        for xs in (_popped_lists(stmt.value) if facts.popped else ())
    ):
        return None  # a pop moved past another use of its list would take another element
    if redefined is not None:
        if isinstance(body[redefined], _COMPOUND):
            return None  # a conditional redefinition: the value may live on
        return uses
    # the value reaches the end of the block: every read of the name must be one we saw
    found = sum(facts.loads[u].get(name, 0) for u in uses)
    return uses if found == total_loads.get(name, 0) else None


def drop_empty_comments(function: gast.FunctionDef) -> gast.FunctionDef:
    """Remove ``# Grad of:`` markers whose block was optimized away."""
    function.body = _drop_empty_comments(function.body)
    return function


def _drop_empty_comments(body: list[gast.stmt]) -> list[gast.stmt]:
    for stmt in body:
        if isinstance(stmt, _COMPOUND):
            stmt.body = _drop_empty_comments(stmt.body) or [gast.Pass()]
            stmt.orelse = _drop_empty_comments(stmt.orelse)
    kept: list[gast.stmt] = []
    for position, stmt in enumerate(body):
        if S.comment_text(stmt) is not None and not S.is_boundary(stmt):
            following = body[position + 1] if position + 1 < len(body) else None
            if following is None or S.comment_text(following) is not None or isinstance(
                following, gast.Return
            ):
                continue
        kept.append(stmt)
    return kept
