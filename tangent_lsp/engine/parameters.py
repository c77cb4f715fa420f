"""What a function of the user's does to its parameters, read from its source: the ones
it writes into in place, and the ones it may return (itself or a view of it); and so,
at a call, what it does to the caller's variables passed as those. The aliasing check
and the check of calls made for their effects ask this of callees."""

from __future__ import annotations

import gast

from . import syntax as S
from .ir import Op
from .views import viewed_by


def _assigned_and_returned(function: gast.FunctionDef) -> tuple[set, dict, list]:
    """``function``'s parameters, the values assigned to each name, its return values."""
    params = {a.id for a in function.args.posonlyargs + function.args.args}
    assigned: dict[str, list[gast.expr]] = {}
    returned: list[gast.expr] = []
    for node in S.walk(function):
        if isinstance(node, gast.Assign):
            for target in node.targets:
                if isinstance(target, gast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
        elif isinstance(node, gast.Return) and node.value is not None:
            returned.append(node.value)
    return params, assigned, returned


def returned_positions(function: gast.FunctionDef) -> list[tuple] | None:
    """For a function that returns a tuple or list literal of one length (``return a, [b]``),
    what each element may be: the parameters it may be itself or a view of (``a``), the
    parameters it may hold (``b`` in ``[b]``), whether it is a new tuple or list, and, for
    an element that is itself such a literal (or a name bound to one), the same of its
    elements (else None). None when something returned is not such a literal."""
    params, assigned, returned = _assigned_and_returned(function)
    if not returned or not all(isinstance(v, _LITERAL) for v in returned):
        return None
    return _positions(returned, params, assigned, depth=0)


_LITERAL = (gast.Tuple, gast.List)


def _positions(
    values: list[gast.expr], params: set, assigned: dict, depth: int
) -> list[tuple] | None:
    """``returned_positions`` of the literals ``values`` (one per return statement)."""
    if len({len(v.elts) for v in values}) != 1:
        return None
    positions = []
    for k in range(len(values[0].elts)):
        direct: set[str] = set()
        held: set[str] = set()
        seen: set[tuple[str, bool]] = set()

        def follow(name: str, itself: bool) -> None:
            if (name, itself) in seen:
                return
            seen.add((name, itself))
            if name in params:
                (direct if itself else held).add(name)
            for value in assigned.get(name, ()):
                visit(value, itself)

        def visit(value: gast.expr, itself: bool) -> None:
            if not itself:  # inside a container: whatever it may hold or be
                for name in _aliased_by(value):
                    follow(name, False)
            elif isinstance(value, _LITERAL):  # a new container holding its elements
                for elt in value.elts:
                    visit(elt, False)
            elif isinstance(value, gast.IfExp):
                visit(value.body, True)
                visit(value.orelse, True)
            else:
                for name in [value.id] if isinstance(value, gast.Name) else viewed_by(value):
                    follow(name, True)

        for value in values:
            visit(value.elts[k], True)
        fresh = all(isinstance(v.elts[k], _LITERAL + (gast.Dict,)) for v in values)
        inner = [_literal(v.elts[k], assigned) for v in values]
        nested = None
        if depth < 3 and all(v is not None for v in inner):
            nested = _positions(inner, params, assigned, depth + 1)
        positions.append((direct, held, fresh, nested))
    return positions


def _literal(value: gast.expr, assigned: dict) -> gast.expr | None:
    """The tuple or list literal ``value`` is, or the one a name is bound to (once)."""
    if isinstance(value, gast.Name) and len(assigned.get(value.id, ())) == 1:
        value = assigned[value.id][0]
    return value if isinstance(value, _LITERAL) else None


def returned_parameters(function: gast.FunctionDef) -> set[str]:
    """Parameters ``function`` may return, or return a view of: its return values and the
    names they view, followed back through its own assignments (``b = a.T; return b``)."""
    params, assigned, returned = _assigned_and_returned(function)
    found: set[str] = set()
    seen: set[str] = set()
    stack = [name for value in returned for name in _aliased_by(value)]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in params:
            found.add(name)
        stack.extend(n for value in assigned.get(name, ()) for n in _aliased_by(value))
    return found


def _aliased_by(value: gast.expr) -> list[str]:
    """The names ``value`` may be, or be a view of (or, a tuple, hold)."""
    if isinstance(value, gast.Name):
        return [value.id]
    if isinstance(value, (gast.Tuple, gast.List)):
        return [n for elt in value.elts for n in _aliased_by(elt)]
    if isinstance(value, gast.IfExp):
        return _aliased_by(value.body) + _aliased_by(value.orelse)
    return viewed_by(value)


def written_parameters(function: gast.FunctionDef, augmented: bool = False) -> set[str]:
    """Parameters ``function`` writes into in place: item assignment into them, or a
    method that changes a list or dict (``+=`` on a parameter may rebind a number, so it
    is not counted, unless ``augmented``: a function called only for its effects has no
    reason to rebind a number)."""
    params = {a.id for a in function.args.posonlyargs + function.args.args}
    written: set[str] = set()
    for node in S.walk(function):
        if isinstance(node, (gast.Assign, gast.AugAssign)):
            targets = node.targets if isinstance(node, gast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
                    written.add(target.value.id)
                elif augmented and isinstance(node, gast.AugAssign) and isinstance(
                    target, gast.Name
                ):
                    written.add(target.id)
        elif (
            isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
            and isinstance(node.func.value, gast.Name) and node.func.attr in _MUTATORS
        ):
            written.add(node.func.value.id)  # `a.fill(0.0)`
        if (
            isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
            and node.func.attr in _WRITES_FIRST and node.args
            and isinstance(node.args[0], gast.Name)
        ):
            written.add(node.args[0].id)
    return written & params


_MUTATORS = frozenset(
    "append extend insert pop remove clear update setdefault sort fill put itemset resize "
    "partition".split()
)
# NumPy functions that write into their first argument (`np.copyto(a, v)`, `np.add.at(a, i, v)`)
_WRITES_FIRST = frozenset("copyto put place putmask put_along_axis fill_diagonal at".split())


def written_arguments(op: Op, callee: gast.FunctionDef | None) -> list[str]:
    """The caller's variables a call of the user's function writes into: the arguments
    bound to parameters it writes into in place (``a[0] = ...``, ``a.append(...)``, and
    ``a *= 2.0``, which rebinds a number but writes into an array)."""
    if callee is None:
        return []
    written = written_parameters(callee, augmented=True)
    return [arg.id for param, arg in _bound(op, callee)
            if param in written and isinstance(arg, gast.Name)]


def _bound(op: Op, callee: gast.FunctionDef) -> list[tuple[str, gast.expr]]:
    params = [a.id for a in callee.args.posonlyargs + callee.args.args]
    return list(zip(params, op.args)) + list(op.keywords.items())


def returned_argument(op: Op, callee: gast.FunctionDef | None) -> str | None:
    """The argument a call of the user's function may return itself, or a view of
    (``def ident(a): return a``, ``return a[0]``, ``return a.T``)."""
    return next(iter(sorted(returned_arguments(op, callee))), None)


def returned_arguments(op: Op, callee: gast.FunctionDef | None) -> set[str]:
    """The arguments a call of the user's function may return, return a view of, or
    return in a tuple or list (``return a, b``)."""
    if callee is None:
        return set()
    returned = returned_parameters(callee)
    return {arg.id for param, arg in _bound(op, callee)
            if param in returned and isinstance(arg, gast.Name)}


def returned_elements(op: Op, callee: gast.FunctionDef | None) -> list | None:
    """For a call of the user's function returning a tuple literal, what each of its
    elements may be and hold among the caller's names (``returned_positions`` of the
    callee, read at the call)."""
    positions = returned_positions(callee) if callee is not None else None
    if positions is None:
        return None
    names = {param: arg.id for param, arg in _bound(op, callee) if isinstance(arg, gast.Name)}
    return _at_call(positions, names)


def _at_call(positions: list[tuple] | None, names: dict[str, str]) -> list[tuple] | None:
    """``returned_positions`` with the parameters replaced by the caller's names."""
    if positions is None:
        return None
    return [
        ({names[p] for p in direct if p in names}, {names[p] for p in held if p in names},
         fresh, _at_call(nested, names))
        for direct, held, fresh, nested in positions
    ]
