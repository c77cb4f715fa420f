"""Assignment propagation: a temporary the engine made up is inlined into its single
use, and a copy into every use; adjoints of the user's variables absorb accumulation.

Every block is handled on its own, with per-statement read and write counts kept up to
date as statements change, so finding a definition's uses is a lookup, not a scan.
"""

from __future__ import annotations

from bisect import bisect_right, insort

import gast

from . import syntax as S
from .dead_code import inplace_target, popped_lists
from .tape import is_pop
from .views import views_of

_COMPOUND_CLASSES = frozenset(S.COMPOUND)

# Inlining stops before a statement grows past this many AST nodes: past it,
# one long line reads worse than two short ones.
MAX_INLINED_SIZE = 36


def _nodes(node: gast.AST) -> int:
    """Size of a tree, counting each ``Load``/``Store`` context as a node too."""
    return S.size(node)


def _defines(
    stmt: gast.stmt, popped: set[str] = frozenset(), stored: set[str] | None = None,
    pops: set[str] | None = None,
) -> set[str]:
    """Names a simple statement assigns (``v = xs.pop()`` changes ``xs`` too: ``popped`` are
    the lists the function pops anywhere), or anything a compound statement may assign.
    ``stored`` and ``pops``: the names the statement stores into and the lists it pops
    from, when the caller has them already."""
    inplace = inplace_target(stmt)
    if inplace:
        return {inplace}
    if isinstance(stmt, (gast.Assign, *S.COMPOUND)):
        targets = set(S.stored_names(stmt)) if stored is None else stored
        if stmt.__class__ is gast.Assign:
            if not popped:
                return targets
            return targets | (popped_lists(stmt.value) if pops is None else pops)
        return targets | {name for n in S.statements([stmt]) if (name := inplace_target(n))}
    return set()


def propagate_assignments(
    function: gast.FunctionDef, inlinable: set[str], mergeable: set[str] = frozenset(),
    summaries: dict | None = None,
) -> gast.FunctionDef:
    """Inline ``t = expr`` into its single use (or copies ``t = x`` into every use).

    Only names the engine made up are inlined; the user's own variables stay,
    because the generated code should read like the code it came from. Every
    block (branch and loop bodies too) is handled on its own; nothing moves
    into or out of a loop. ``summaries``: ``id(stmt) → (stmt, S.name_summary(stmt))``
    for top-level statements, where known already (dead-code elimination's).
    """
    updated_in_place = {name for n in S.statements(function.body) if (name := inplace_target(n))}
    # One walk per top-level statement gives the function's read counts and, for the
    # simple statements, the top-level block's facts (nothing changes them before).
    known = summaries or {}
    summaries = []
    for stmt in function.body:
        found = known.get(id(stmt))
        summaries.append(found[1] if found is not None and found[0] is stmt else S.name_summary(stmt))
    total_loads: dict[str, int] = {}
    popped: set[str] = set()  # a popped list stays a name: `list(...).pop()` could not be
    for loads, _, _, pops in summaries:  # differentiated again
        for name, count in loads.items():
            total_loads[name] = total_loads.get(name, 0) + count
        popped |= pops
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
        function.body, candidates, inlinable, mergeable, total_loads, popped, aliases, summaries
    )
    if any(isinstance(stmt, S.COMPOUND) for stmt in function.body):
        _propagate_copies_into_blocks(function, inlinable - updated_in_place - popped)
    return function


def _propagate_copies_into_blocks(function: gast.FunctionDef, inlinable: set[str]) -> None:
    """``t2 = t`` at the top level, both names bound once in the whole function: every
    read of ``t2`` (inside branches and loops too, where block-wise propagation does not
    reach) reads ``t``, the same object."""
    stores: dict[str, int] = {}
    for node in S.names(function.body):
        if node.ctx.__class__ is not gast.Load:
            stores[node.id] = stores.get(node.id, 0) + 1
    params = {a.id for a in function.args.args}
    renamed: dict[str, gast.expr] = {}
    kept = []
    for stmt in function.body:
        if (
            stmt.__class__ is gast.Assign and stmt.targets[0].__class__ is gast.Name
            and stmt.value.__class__ is gast.Name and not is_pop(stmt)
            and stmt.targets[0].id in inlinable and stores.get(stmt.targets[0].id) == 1
            and stores.get(stmt.value.id, 0) == (0 if stmt.value.id in params else 1)
        ):
            source = renamed.get(stmt.value.id, stmt.value)
            renamed[stmt.targets[0].id] = source
            continue
        kept.append(stmt)
    if renamed:
        function.body = [S.substitute(stmt, renamed) for stmt in kept]




class _BlockFacts:
    """Per statement of a block: how often it reads each name and what it assigns, and,
    per name, the positions that read or assign it. Computed once and updated as
    statements change, so finding a definition's uses is a lookup, not a scan (walking
    trees and scanning blocks was the cost here). Deleted statements stay as ``None``
    until the pass ends, so positions never shift."""

    def __init__(
        self, body: list[gast.stmt], popped: set[str] = frozenset(), summaries: list | None = None
    ) -> None:
        """``summaries``: the statements' ``name_summary``, where known (a compound
        statement's is computed again: its blocks changed)."""
        self.popped = popped
        self.aliases: dict[str, set[str]] = {}  # arrays and their views, written in place
        self.loads: list[dict[str, int]] = []
        self.defines: list[set[str]] = []
        self.load_positions: dict[str, list[int]] = {}
        self.define_positions: dict[str, list[int]] = {}
        self.sizes: list[int] = []  # nodes per statement
        for position, stmt in enumerate(body):
            if summaries is None or stmt.__class__ in _COMPOUND_CLASSES:
                loads, stores, size, pops = S.name_summary(stmt)
            else:
                loads, stores, size, pops = summaries[position]
            self.loads.append(loads)
            self.defines.append(_defines(stmt, popped, stores, pops))
            self.sizes.append(size)
            self._index(position)

    def _index(self, position: int) -> None:
        """Add the statement at ``position``, the last so far: its position goes at the end
        of each name's list."""
        for name in self.loads[position]:
            self.load_positions.setdefault(name, []).append(position)
        for name in self.defines[position]:
            self.define_positions.setdefault(name, []).append(position)

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
        self.sizes[position] += times * (value_size - 2)  # a Name with its context is 2

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


def _propagate_block(
    body, candidates, inlinable, mergeable, total_loads, popped, aliases, summaries=None
) -> None:
    for stmt in body:
        if isinstance(stmt, S.COMPOUND):
            for block in (stmt.body, stmt.orelse):
                _propagate_block(
                    block, candidates, inlinable, mergeable, total_loads, popped, aliases
                )
    facts = _BlockFacts(body, popped, summaries)
    _drop_copies_back(body, facts, total_loads)
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
        value_size = _nodes(stmt.value) if is_atom else facts.sizes[index] - 3  # less `name =`
        if not is_atom and facts.sizes[uses[0]] + value_size > MAX_INLINED_SIZE:
            continue
        found = sum(facts.loads[u].get(name, 0) for u in uses)
        value_loads = facts.loads[index]
        for u in uses:
            # a value other than a name or a number has one use that reads it once, and
            # its definition goes: it moves there (no copy to make)
            body[u] = S.substitute(body[u], {name: stmt.value}, moved=not is_atom)
            facts.substituted(u, name, value_loads, value_size)
            if _self_copy(body[u]):  # `bt = by; by = bt` leaves `by = by`
                facts.delete(body, u)
        facts.delete(body, index)
        total_loads[name] = total_loads.get(name, 0) - found
        for operand, count in value_loads.items():  # each use got a copy; the definition went
            total_loads[operand] = total_loads.get(operand, 0) + count * (found - 1)
    body[:] = [stmt for stmt in body if stmt is not None]


def _drop_copies_back(body: list[gast.stmt], facts: _BlockFacts, total_loads: dict[str, int]) -> None:
    """``bt = by; ...; by = bt`` with neither name assigned in between: the second copy
    changes nothing (the adjoint of ``y = y + v`` in a loop leaves that pair)."""
    copies: dict[str, str] = {}  # a -> b for `a = b` still true
    copied_to: dict[str, set[str]] = {}  # b -> every such a
    for position, stmt in enumerate(body):
        copy = _is_copy(stmt)
        if copy:
            target, source = stmt.targets[0].id, stmt.value.id
            if copies.get(source) == target:
                facts.delete(body, position)
                total_loads[source] = total_loads.get(source, 0) - 1
                continue
        if copies:
            for name in facts.defines[position]:  # these copies no longer hold
                if name in copies:
                    copied_to[copies.pop(name)].discard(name)
                for target_of in copied_to.pop(name, ()):
                    del copies[target_of]
        if copy:
            copies[target] = source
            copied_to.setdefault(source, set()).add(target)


def _is_copy(stmt: gast.stmt) -> bool:
    return (
        stmt.__class__ is gast.Assign and stmt.targets[0].__class__ is gast.Name
        and stmt.value.__class__ is gast.Name and not is_pop(stmt)
    )


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
        if isinstance(body[u], S.COMPOUND) or (facts.loads[u][name] > 1 and not is_atom):
            return None
    if uses and any(
        facts.defined_between(r, index, uses[-1])
        for operand in facts.loads[index] for r in (operand, *facts.aliases.get(operand, ()))
    ):
        return None  # an operand changes before a read: inlining would read the new value
    if uses and any(
        facts.reads_between(xs, index, uses[-1])
        for xs in (popped_lists(stmt.value) if facts.popped else ())
    ):
        return None  # a pop moved past another use of its list would take another element
    if redefined is not None:
        if isinstance(body[redefined], S.COMPOUND):
            return None  # a conditional redefinition: the value may live on
        return uses
    # the value reaches the end of the block: every read of the name must be one we saw
    found = sum(facts.loads[u].get(name, 0) for u in uses)
    return uses if found == total_loads.get(name, 0) else None
