"""Reuse of computed values: ``np.cos(x)`` in an adjoint reads ``cos_x`` when the
forward sweep already assigned ``cos_x = np.cos(x)``.

Adjoint templates spell out what they need (``d[x] = d[y] * np.cos(x)`` for
``sin``), and the forward sweep often computed the same thing under a name. An
expression is reused only when it is pure and everything it reads holds one
value for the whole function (a stable name, or a global such as ``np``), and
the name it is reused from is stable too.
"""

from __future__ import annotations

import gast

from . import syntax as S

_IMPURE = ("random", "print", "input", "open")
# Methods that change their object: `xs.pop()` twice gives two different values.
_MUTATING = frozenset("pop append extend insert remove clear update setdefault popitem sort reverse".split())
Key = tuple
# NumPy functions whose second positional parameter is ``axis``
_AXIS_SECOND = frozenset("sum mean var std max min prod amax amin nansum nanmean".split())


def reuse_values(function: gast.FunctionDef, stable: set[str]) -> gast.FunctionDef:
    changed = _changed_in_place(function)  # `hs.pop()`, `x[0] = v`: one name, two values
    stored = S.bound_names(function) | changed
    fixed = set(stable) - changed

    memo: dict[int, tuple[gast.AST, int | None]] = {}  # holds the node: its id stays unique
    # Equal expressions get the same number, and a key holds its operands' numbers:
    # hashing a key is then constant time, not a walk of nested tuples.
    numbers: dict[Key, int] = {}

    # a name's number depends on its identifier alone: one entry per identifier, not per
    # node (names are most of the nodes keyed)
    name_numbers: dict[str, int | None] = {}

    def key(node: gast.AST) -> int | None:
        if node.__class__ is gast.Name:
            identifier = node.id
            if identifier in name_numbers:
                return name_numbers[identifier]
            number = None
            if identifier in fixed or identifier not in stored:
                number = numbers.setdefault(("n", identifier), len(numbers))
            name_numbers[identifier] = number
            return number
        found = memo.get(id(node))
        if found is None:
            shape = _key(node)
            number = None if shape is None else numbers.setdefault(shape, len(numbers))
            found = memo[id(node)] = (node, number)
        return found[1]

    def _key(node: gast.AST) -> Key | None:  # operands by number (names: see `key`)
        cls = node.__class__  # compared by identity: every operand of the function is keyed
        if cls is gast.Constant:
            return ("c", type(node.value).__name__, node.value) if _hashable(node.value) else None
        if cls is gast.Attribute:
            inner = key(node.value)
            return ("a", inner, node.attr) if inner is not None else None
        if cls is gast.Subscript:
            inner, index = key(node.value), _index_key(node.slice)
            return ("s", inner, index) if inner is not None and index is not None else None
        if cls is gast.UnaryOp:
            inner = key(node.operand)
            return ("u", type(node.op).__name__, inner) if inner is not None else None
        if cls is gast.BinOp:
            left, right = key(node.left), key(node.right)
            if left is None or right is None:
                return None
            return ("b", type(node.op).__name__, left, right)
        if cls is gast.Call:
            if isinstance(node.func, gast.Attribute) and node.func.attr in _MUTATING:
                return None
            func = key(node.func)
            path = S.dotted_name(node.func) or ""
            if func is None or any(part.startswith(_IMPURE) for part in path.split(".")):
                return None
            positional = list(node.args)
            named = [(k.arg, k.value) for k in node.keywords]
            if (
                isinstance(node.func, gast.Attribute) and node.func.attr in _AXIS_SECOND
                and isinstance(node.func.value, gast.Name) and node.func.value.id not in stored
                and len(positional) == 2
            ):  # np.mean(x, -1) is np.mean(x, axis=-1): a rule's spelling meets the user's
                named.append(("axis", positional.pop()))
            args = tuple(key(arg) for arg in positional)
            keywords = tuple(sorted((name, key(value)) for name, value in named))
            if None in args or any(k is None or v is None for k, v in keywords):
                return None
            return ("f", func, args, keywords)
        return None

    known: dict[int, str] = {}

    class Replace(S.Transformer):
        def visit_Call(self, node: gast.Call) -> gast.expr:
            return self._reuse(node)

        def visit_BinOp(self, node: gast.BinOp) -> gast.expr:
            return self._reuse(node)

        def visit_Attribute(self, node: gast.Attribute) -> gast.expr:
            return self._reuse(node) if node.attr == "T" else node

        def visit_Subscript(self, node: gast.Subscript) -> gast.expr:
            if node.ctx.__class__ is not gast.Load:  # a target: written, not read
                self.generic_visit(node)
                return node
            return self._reuse(node)

        def _reuse(self, node: gast.expr) -> gast.expr:
            found = known.get(key(node)) if known else None
            if found is not None:
                return S.name(found)
            self.generic_visit(node)
            return node

    replace = Replace()
    for stmt in function.body:
        if _defines_stable(stmt, fixed):
            stmt.value = replace.visit(stmt.value)
            value = stmt.value
            if isinstance(value, _REUSED):
                value_key = key(value)
                if value_key is not None:
                    known.setdefault(value_key, stmt.targets[0].id)
        elif known:
            replace.visit(stmt)
    # `key` and `_key` call each other: a reference cycle, freed only by the cycle
    # collector, with every node and key the tables hold
    memo.clear()
    numbers.clear()
    return function


# what a later statement reads from a name assigned it: a computed value, a transpose
# (`HT = H.T`), an element or row (`y1 = y[1]`)
_REUSED = (gast.Call, gast.BinOp, gast.Attribute, gast.Subscript)


def _index_key(index: gast.expr) -> tuple | None:
    """An index written with constants only (``1``, ``-1``, ``1:3``, ``0, 2``), as a key;
    None for one that reads a name or is anything else."""
    if isinstance(index, gast.Constant) and type(index.value) in (int, type(None)):
        return ("c", index.value)
    if isinstance(index, gast.Slice):
        parts = (index.lower, index.upper, index.step)
        if all(p is None or (isinstance(p, gast.Constant) and type(p.value) is int) for p in parts):
            return ("sl", *(p.value if p is not None else None for p in parts))
        return None
    if isinstance(index, gast.Tuple):
        keys = tuple(_index_key(e) for e in index.elts)
        return ("t", keys) if None not in keys else None
    if isinstance(index, gast.UnaryOp) and isinstance(index.op, gast.USub) and isinstance(
        index.operand, gast.Constant
    ) and type(index.operand.value) is int:
        return ("c", -index.operand.value)
    return None


def _changed_in_place(function: gast.FunctionDef) -> set[str]:
    """The names whose object the function changes without rebinding them: a mutating
    method's object (``hs.pop()``), a subscript or attribute written (``x[0] = v``), an
    argument written by NumPy (``np.copyto(x, v)``, ``out=x``)."""
    changed: set[str] = set()
    # one tight walk (gast.walk, a generator, tripled this pass's time on long functions)
    for node in S.nodes_of_any(function.body, (gast.Call, gast.Subscript, gast.Attribute)):
        if node.__class__ is not gast.Call:
            if node.ctx.__class__ is not gast.Load:
                changed |= {n.id for n in S.names(node.value)}
            continue
        func = node.func
        if isinstance(func, gast.Attribute) and func.attr in _MUTATING and isinstance(
            func.value, gast.Name
        ):
            changed.add(func.value.id)
        if isinstance(func, gast.Attribute) and func.attr == "copyto" and node.args and (
            isinstance(node.args[0], gast.Name)
        ):
            changed.add(node.args[0].id)
        for keyword in node.keywords:
            if keyword.arg == "out":
                changed |= {n.id for n in S.names(keyword.value)}
    return changed


def _defines_stable(stmt: gast.stmt, stable: set[str]) -> bool:
    return (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
        and stmt.targets[0].id in stable
    )


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
