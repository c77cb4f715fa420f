"""What the aliasing check knows at one point of a function: which names view which
arrays, which are rows of which, what containers hold, and which names hold values
changed in place since they were bound (``aliasing.py`` walks the function with it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import gast

from .aliasing_messages import without_comment
from .ir import Op

_OLD = "\x00"  # joins a name to the number of an array it no longer names


@dataclass
class State:
    base: dict[str, tuple[str, Op]] = field(default_factory=dict)  # view → (root, where)
    stale: dict[str, tuple[Op, str]] = field(default_factory=dict)  # name → (write, written)
    popped: set[str] = field(default_factory=set)  # names holding a value from a tape
    # `r = X[0]`: a view of a matrix's row, or a vector's element (a number): known to be
    # a view once something writes into it by index (`r[0] = v`: r is an array)
    rows: dict[str, tuple[str, Op]] = field(default_factory=dict)
    lines: dict[int, str] = field(default_factory=dict)  # line number → its source text
    origins: dict[str, str] = field(default_factory=dict)  # SSA name → the user's variable
    callee: Callable[[str], gast.FunctionDef | None] | None = None
    written_names: set[str] = field(default_factory=set)  # names in the user's source
    # lists pushed to and popped from (a tape, in generated code differentiated again)
    tapes: set[str] = field(default_factory=set)
    repeating: int = 0  # inside a loop's body seen a second time: its next step
    # container → the arrays it may hold (`xs = [h]`, `xs.append(h)`, `rs = list(Y)`): a
    # write into one changes what the other holds
    holds: dict[str, set[str]] = field(default_factory=dict)
    # array → the fewest axes it has, from how it is indexed (`Y[i, j]`: two); a row
    # (`r = Y[0]`) is a view only when the array has more axes than the row's indexes
    ndim: dict[str, int] = field(default_factory=dict)
    rebound: int = 0  # how many old arrays were renamed when their name was bound again
    twice: set[str] = field(default_factory=set)  # containers holding an array twice
    filled: dict[str, Op] = field(default_factory=dict)  # container → where it last took one
    # the kind of what a call of the user's function returns (``returned_kind``)
    result_kind: Callable[[Op], str | None] | None = None
    # tuples, lists and dicts of separate objects, never an array: their elements
    # (`a, b = pair(x)`) are not rows of one array, writing into one leaves the others
    separate: set[str] = field(default_factory=set)
    # a literal's elements (`t = ([], [x])`), to tell which of them are containers too
    parts: dict[str, list] = field(default_factory=dict)
    # a tuple the user's function returned → for each position, the arguments that element
    # may be, those it may hold, and whether it is a new list or tuple (`return a, [b]`)
    positions: dict[str, list] = field(default_factory=dict)
    # an element of such a tuple → the arguments it may be (`a, b = pair(h, x)`: a is h)
    elements: dict[str, set[str]] = field(default_factory=dict)
    keyed: set[str] = field(default_factory=set)  # indexed by a string somewhere: dicts
    # (container, constant key) → the array stored there by name since it was bound
    # (`new["w"] = t`): an in-place update of that entry writes into `t` alone
    entries: dict[tuple[str, object], str] = field(default_factory=dict)
    # rows of unknown rank (`r = Y[0]`) whose array was written since they were bound: a
    # row of a matrix changed with it, a vector's element did not; read, they are checked
    # where the derivative runs after each of those writes (`unsure`: row → the writes,
    # each with the array written and the containers holding the row then; `guards`:
    # (write, row, written, made, the container read that holds the row or None, the
    # name checked) by (write, name checked), shared by every copy of the state)
    unsure: dict[str, dict[int, tuple[Op, str, frozenset[str]]]] = field(default_factory=dict)
    guards: dict[tuple[int, str], tuple[Op, str, str, Op, str | None, str]] = field(
        default_factory=dict)
    # for each loop being walked, the states at its breaks (an early `return` in a loop is
    # one): they reach the code after the loop, not the rest of its body nor its next step
    exits: list[list["State"]] = field(default_factory=list)

    def copy(self) -> "State":
        return State(
            dict(self.base), dict(self.stale), set(self.popped), dict(self.rows), self.lines,
            self.origins, self.callee, self.written_names, self.tapes, self.repeating,
            {name: set(held) for name, held in self.holds.items()}, dict(self.ndim),
            self.rebound, set(self.twice), dict(self.filled), self.result_kind,
            set(self.separate), dict(self.parts), dict(self.positions),
            {name: set(it) for name, it in self.elements.items()}, self.keyed,
            dict(self.entries), {row: dict(writes) for row, writes in self.unsure.items()},
            self.guards, self.exits,
        )

    def become(self, other: "State") -> None:
        """Continue from ``other`` (the branch that stays in the loop)."""
        self.__dict__.update(other.__dict__)

    def shown(self, name: str) -> str:
        name = name.partition(_OLD)[0]
        if name in self.origins:
            return self.origins[name]
        if name not in self.written_names:  # `hs21`, a version of the user's `hs2`
            for end in range(len(name) - 1, len(name.rstrip("0123456789")) - 1, -1):
                if name[:end] in self.written_names:
                    return name[:end]
        return name

    def code(self, op: Op) -> str:
        return without_comment(self.lines.get(op.line, "").strip()) or f"line {op.line}"

    def rebind(self, name: str) -> str:
        """``name`` is bound to a new value: the views, rows and containers of the array it
        named keep that array, under a name of its own (returned)."""
        self.rebound += 1
        old = f"{name}{_OLD}{self.rebound}"
        for table in (self.base, self.rows):
            for view, (root, made) in list(table.items()):
                if root == name and view != name:
                    table[view] = (old, made)
        for held in [*self.holds.values(), *self.elements.values()]:
            if name in held:
                held.discard(name)
                held.add(old)
        for table in self.positions.values():
            _renamed_in(table, name, old)
        if name in self.ndim:
            self.ndim[old] = self.ndim[name]
        return old

    def holders(self, name: str) -> list[str]:
        """The containers that may hold ``name``."""
        return [c for c, held in self.holds.items() if name in held]

    def holding(self, name: str) -> frozenset[str]:
        """The containers that hold ``name`` now, at any depth (``rows.append(V[i])`` in a
        loop: the rows before this step's are reached through ``rows`` alone)."""
        found: set[str] = set()
        pending = [name]
        while pending:
            for container in self.holders(pending.pop()):
                if container not in found:
                    found.add(container)
                    pending.append(container)
        return frozenset(found)

    def rows_read(self, name: str) -> list[tuple[str, str | None]]:
        """The rows of unknown rank written after they were read that reading ``name``
        reads, each with the container that holds it: ``name`` itself (None), or rows a
        container holds (``rs = [Y[0]]``, lists of lists too)."""
        found, seen, stack = [], set(), [(name, None)]
        while stack:
            item, holder = stack.pop()
            if item in seen:
                continue
            seen.add(item)
            if item in self.unsure and item not in self.stale and item in self.rows:
                found.append((item, holder))
            held = set(self.holds.get(item, ()))
            for part in self.parts.get(item, ()):  # `[[Y[0]], [Y[1]]]`: the inner lists' names
                if isinstance(part, (gast.List, gast.Tuple, gast.Dict, gast.Set)):
                    held.update(n.id for n in gast.walk(part) if isinstance(n, gast.Name))
            stack.extend((row, item) for row in sorted(held))
        return found

    def merge(self, other: "State") -> None:
        self.base.update(other.base)
        self.stale.update(other.stale)
        for row, writes in other.unsure.items():  # a write on either path
            self.unsure.setdefault(row, {}).update(writes)
        self.popped |= other.popped
        self.rows.update(other.rows)
        for name, held in other.holds.items():
            self.holds.setdefault(name, set()).update(held)
        for name, axes in other.ndim.items():
            self.ndim[name] = max(self.ndim.get(name, 0), axes)
        self.twice |= other.twice
        self.filled.update(other.filled)
        # separate only if separate on both paths (`t = (a, b)` or `t = Y`)
        self.separate &= other.separate
        self.parts = {k: v for k, v in self.parts.items() if other.parts.get(k) is v}
        self.positions = {
            k: v for k, v in self.positions.items() if other.positions.get(k) is v
        }
        for name, it in other.elements.items():
            self.elements.setdefault(name, set()).update(it)
        # an entry is known only if both paths stored the same array there
        self.entries = {k: v for k, v in self.entries.items() if other.entries.get(k) == v}


def _renamed_in(table: list[tuple] | None, name: str, old: str) -> None:
    """``name`` read as ``old`` in a table of ``returned_elements``, nested tables too."""
    for direct, held, _, nested in table or ():
        for names in (direct, held):
            if name in names:
                names.discard(name)
                names.add(old)
        _renamed_in(nested, name, old)
