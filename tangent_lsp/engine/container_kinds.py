"""Which variables hold lists, dicts or tuples rather than arrays: their adjoints and
tangents are containers too, built and updated element by element.

Nothing here runs the code: the evidence is what the function does with a name (a list
literal, ``.append``, a string key, a loop over ``.items()``, a key passed in), what a
callee's source does with a parameter, and what it returns.
"""

from __future__ import annotations

import gast

from . import syntax as S
from .analysis import integer_names, walk_ops
from .control import DICT_KEYS
from .ir import Function, If, Loop, Return, Statement
from .shapes import ELEMENTWISE_BINARY, ELEMENTWISE_UNARY
from .templates import RUNTIME_MODULE
from ..runtime import TUPLE_RESULTS

__all__ = [
    "container_kinds", "returned_elements", "returned_kind", "returned_parameter",
    "string_names",
]


# NumPy functions that return a list when given several arrays (`np.atleast_2d(a, b)[0]`)
_LIST_OF_SEVERAL = frozenset(f"numpy.atleast_{n}d" for n in (1, 2, 3))
# Runtime helpers whose result is of their argument's kind (an array for an array)
_SAME_KIND = frozenset(f"{RUNTIME_MODULE}.{name}" for name in ("copied", "zeros_like", "add_grad"))
# Runtime helpers whose result is a tuple (the others give arrays: `bP = unbroadcast(...)`
# then `bP[0] += ...` indexes an array)
_TUPLES = frozenset(f"{RUNTIME_MODULE}.{name}" for name in TUPLE_RESULTS)
# Functions that always return a list (or tuple) of values
_LISTS = frozenset((
    "numpy.split", "numpy.array_split", "builtins.list", "builtins.tuple",
    "numpy.linalg.eigh", "numpy.linalg.slogdet", "numpy.linalg.svd",
    "numpy.linalg.qr", "numpy.linalg.lstsq", "operator.concat",
))
# Functions that always return a dict (`dict()`, `dict(params)`)
_DICTS = frozenset(("builtins.dict", f"{RUNTIME_MODULE}.dict_of_tangents"))
# Runtime helpers whose result is of their second argument's kind (`undict(g, mapping)`:
# a dict for a dict, a list of pairs for pairs)
_KIND_OF_SECOND = frozenset((f"{RUNTIME_MODULE}.undict",))


# NumPy functions (and the operators read as them) whose result is an array, never a tuple:
# `p = 2 * theta; w, b = p` unpacks an array's rows
_ARRAYS = ELEMENTWISE_UNARY | ELEMENTWISE_BINARY | frozenset(("numpy.matmul", "numpy.dot"))


def _makes_an_array(op, lists: set[str]) -> bool:
    """``op``'s result is an array: an elementwise function or operator with no list among
    its operands (``hs + [h]`` joins lists, ``[0.0] * n`` repeats one)."""
    return op.key in _ARRAYS and not any(
        isinstance(a, (gast.List, gast.Tuple, gast.ListComp))
        or (isinstance(a, gast.Name) and a.id in lists)
        for a in op.args
    )


def _rule_indexes_its_result(op) -> bool:
    """A user's rule that reads ``y[0]`` or ``d[y][1]`` of its result ``y``: the function
    returns a tuple (``r = normalize(x); r[0]``), whose adjoint is one too."""
    return any(
        template is not None and not template.built_in and template.indexes_result()
        for template in (getattr(op, "template", None), getattr(op, "forward_template", None))
    )


def _singular_values_only(op) -> bool:
    """``np.linalg.svd(a, compute_uv=False)``: one array, where svd returns three."""
    if op.key != "numpy.linalg.svd":
        return False
    flag = op.keywords.get("compute_uv", op.args[2] if len(op.args) > 2 else None)
    return flag is not None and not (isinstance(flag, gast.Constant) and flag.value is True)


def container_kinds(
    fn: Function, callee_kinds=None, result_kind=None, returned_argument=None,
    result_elements=None,
) -> dict[str, str]:
    """Variables that are statically lists or dicts (``[]``, ``.append``, ``d["key"]``),
    and ``"any"`` for those that hold other values (containers or arrays: which, only the
    run time knows).

    Their adjoints are lists/dicts too, and are updated element by element.
    ``callee_kinds(op)``, for a call of the user's function, gives the kinds of the
    arguments (what the callee's source does with its parameters); ``result_kind(op)``
    the kind of what it returns (``returned_kind`` of its body): a caller that only reads
    it by a key held in a variable, or loops over it, shows nothing of it itself.
    ``returned_argument(op)``: the argument such a call returns itself (``def pick(Ws):
    return Ws``), whose kind the result has (``pick([W1, W2])``: a list).
    ``result_elements(op)``: for a call returning a tuple literal, the kinds of its
    elements (``returned_elements``), which the caller's unpacking gives its names.
    """
    kinds: dict[str, str] = {}
    elements_of: dict[str, tuple] = {}  # call result → the kinds of its elements
    # a parameter whose default is a tuple or list literal (a generated derivative's seed
    # for a function returning a tuple)
    args = fn.node.args
    for param, default in zip(args.args[len(args.args) - len(args.defaults):], args.defaults):
        if isinstance(default, (gast.Tuple, gast.List)):
            kinds[param.id] = "list"
    # a call's result unpacked into names (`a, b = split_like(...)`) is a tuple
    calls = {
        op.target for op in walk_ops(fn.body)
        if op.kind == "call" and (result_kind is None or result_kind(op) != "array")
    }
    unpacked = {
        op.value.value.id for op in walk_ops(fn.body)
        if op.kind == "subscript" and getattr(op, "unpack", False)
        and isinstance(op.value.value, gast.Name)
    }
    # so is a runtime helper's result read by position (`grads = solve_adjoint(...)`; `grads[0]`)
    indexed = {
        op.value.value.id for op in walk_ops(fn.body)
        if op.kind == "subscript" and isinstance(op.value.value, gast.Name)
        and isinstance(op.value.slice, gast.Constant) and type(op.value.slice.value) is int
    }
    helper_results = {
        op.target for op in walk_ops(fn.body)
        if op.kind == "rule" and op.key.startswith(RUNTIME_MODULE + ".")
    }
    # lists by their making (what else is a list is known only below)
    lists = {op.target for op in walk_ops(fn.body) if op.kind == "literal" or (
        op.kind == "rule" and op.key in _LISTS)} | set(kinds)
    calls |= {
        op.target for op in walk_ops(fn.body) if op.kind == "rule" and (
            (op.target in unpacked and not _makes_an_array(op, lists))
            or (op.target in indexed and (
                op.key in _TUPLES
                or (op.key in _LIST_OF_SEVERAL and len(op.args) > 1)
                or _rule_indexes_its_result(op)
            ))
        )
    }
    key_lists: set[str] = set()  # lists of string constants (`["W", "b"]`)
    strings = string_names(fn)
    keys = set(strings)  # and the elements of those lists (`for k in ["W", "b"]`)
    passed: list[tuple[str, str]] = []  # `r = pick(Ws)`: r is Ws
    for op in walk_ops(fn.body):
        if op.kind == "call" and result_kind is not None:
            returned = result_kind(op)
            if returned and returned != "array":  # `g = grads(p, x)`: a dict, since grads returns one
                kinds[op.target] = returned
        if op.kind == "call" and result_elements is not None:
            elements = result_elements(op)
            if elements:
                elements_of[op.target] = elements
        argument = returned_argument(op) if op.kind == "call" and returned_argument else None
        if isinstance(argument, (gast.List, gast.Tuple, gast.ListComp)):
            kinds[op.target] = "list"  # `pick([W1, W2])`: the list passed in
        elif isinstance(argument, (gast.Dict, gast.DictComp)):
            kinds[op.target] = "dict"
        elif isinstance(argument, gast.Name):
            passed.append((op.target, argument.id))
            if kinds.get(argument.id) in ("list", "dict", "any"):
                kinds[op.target] = kinds[argument.id]
        if (
            op.kind == "subscript"
            and isinstance(op.value.value, gast.Name)
            and op.value.value.id in calls
            and (op.value.value.id in unpacked or op.value.value.id in indexed)
        ):  # `a, b = g(x)` or `g(x)[0]`: g returned a tuple (`g(x)[..., :2]` slices an array)
            kinds[op.value.value.id] = "list"
        if (
            op.kind == "subscript" and isinstance(op.value.value, gast.Name)
            and kinds.get(op.value.value.id) == "list" and (
                op.target in unpacked
                or (op.target in indexed and op.value.value.id in helper_results)
            )
        ):  # `a, b = pairs[1]`, or a helper's nested result `parts = grads[1]; parts[0]`
            kinds[op.target] = "list"
        if op.kind == "subscript" and isinstance(op.value.value, gast.Name):
            elements = elements_of.get(op.value.value.id)
            index = op.value.slice
            if elements and isinstance(index, gast.Constant) and type(index.value) is int and (
                -len(elements) <= index.value < len(elements)
            ) and elements[index.value]:  # `h, saved = g_forward(x)`: saved is a tuple
                kinds[op.target] = elements[index.value]
        if op.kind == "rule" and op.key in _SAME_KIND and op.args and isinstance(
            op.args[0], gast.Name
        ) and kinds.get(op.args[0].id) in ("list", "dict"):  # `copied(d)` of a dict: a dict
            kinds[op.target] = kinds[op.args[0].id]
        if op.kind == "rule" and op.key in _KIND_OF_SECOND and len(op.args) > 1 and isinstance(
            op.args[1], gast.Name
        ) and kinds.get(op.args[1].id) in ("list", "dict"):
            kinds[op.target] = kinds[op.args[1].id]
        if op.kind == "rule" and op.key in _LISTS and not _singular_values_only(op):
            kinds[op.target] = "list"  # np.split's pieces, maybe of several shapes
        if op.kind == "rule" and op.key == "operator.concat":  # `hs + [h]`: hs is one too
            kinds.update((a.id, "list") for a in op.args if isinstance(a, gast.Name))
        if op.kind == "rule" and op.key in _DICTS:  # `cache = dict()`, then `cache[i] = ...`
            kinds[op.target] = "dict"
        if op.kind == "constant" and S.is_repeated_constants(op.value):  # `hs = [None] * T`
            kinds[op.target] = "list"
        if op.kind == "constant" and op.key == DICT_KEYS:  # `for k in params`: keys of a
            key_lists.add(op.target)  # dict, which index another (`grads[k]`) as one
        if op.kind == "literal":
            kinds[op.target] = "dict" if isinstance(op.value, gast.Dict) else "list"
            if not isinstance(op.value, gast.Dict) and op.value.elts and all(
                isinstance(e, gast.Constant) and isinstance(e.value, str) for e in op.value.elts
            ):
                key_lists.add(op.target)
        elif op.kind in ("append", "pop"):
            kinds[op.target if op.kind == "append" else op.args[0].id] = "list"
        elif op.kind == "setitem" and isinstance(op.value.slice, gast.Constant) and isinstance(
            op.value.slice.value, str
        ):  # `d["k"] = v`, of a dict passed in: no array takes a string key
            kinds[op.target] = "dict"
        elif op.kind == "subscript" and isinstance(op.value.value, gast.Name):
            index = op.value.slice
            if (isinstance(index, gast.Constant) and isinstance(index.value, str)) or (
                isinstance(index, gast.Name) and index.id in keys
            ):  # `d["W"]`, or `d[k]` for `k` from a list of strings (`for k in ["W", "b"]`)
                kinds[op.value.value.id] = "dict"
            if op.value.value.id in key_lists:
                keys.add(op.target)
        elif op.kind == "copy" and isinstance(op.value, gast.Name) and op.value.id in kinds:
            kinds[op.target] = kinds[op.value.id]
    _holders(fn, kinds, callee_kinds, strings, passed)
    for op in walk_ops(fn.body):  # `p[key]` with both passed in: a dict, a list or an array
        if op.kind == "subscript" and isinstance(op.value.value, gast.Name) and isinstance(
            op.value.slice, gast.Name
        ) and op.value.value.id in fn.params and op.value.slice.id in fn.params:
            kinds.setdefault(op.value.value.id, "any")
    return kinds


def returned_kind(fn: Function, kinds: dict[str, str]) -> str | None:
    """The kind of what ``fn`` returns, given its ``container_kinds``: a list's, a dict's,
    ``"list"`` for ``return a, b`` (a tuple), ``"array"`` for what only arithmetic makes
    (``return t * 2.0``: a caller unpacking it unpacks rows), or None (an array, a number:
    nothing known). A parameter read by position (``"positional"``) is, at the call site,
    a value that may hold others: ``"any"``."""
    result = next((s.value for s in reversed(fn.body) if isinstance(s, Return)), None)
    if isinstance(result, (gast.Tuple, gast.List)):
        return "list"
    found = kinds.get(result.id) if isinstance(result, gast.Name) else None
    if found is None and isinstance(result, gast.Name):
        made = [op for op in walk_ops(fn.body) if op.target == result.id]
        if made and result.id not in fn.params and all(
            op.kind == "rule" and _makes_an_array(op, set(kinds)) for op in made
        ):
            return "array"
    return "any" if found == "positional" else found


def returned_elements(fn: Function, kinds: dict[str, str]) -> tuple[str | None, ...] | None:
    """For ``fn`` returning a tuple or list literal, the kind of each element (a nested
    literal is a list, a name has its ``container_kinds``), else None."""
    result = next((s.value for s in reversed(fn.body) if isinstance(s, Return)), None)
    if not isinstance(result, (gast.Tuple, gast.List)):
        return None
    found: list[str | None] = []
    for element in result.elts:
        if isinstance(element, (gast.Tuple, gast.List)):
            found.append("list")
        elif isinstance(element, gast.Dict):
            found.append("dict")
        elif isinstance(element, gast.Name):
            kind = kinds.get(element.id)
            found.append("any" if kind == "positional" else kind)
        else:
            found.append(None)
    return tuple(found)


def returned_parameter(fn: Function) -> str | None:
    """The parameter ``fn`` returns itself, never binding it to anything else
    (``def pick(Ws): return Ws``): at a call site, the result is that argument."""
    result = next((s.value for s in reversed(fn.body) if isinstance(s, Return)), None)
    if not isinstance(result, gast.Name) or result.id not in fn.params:
        return None
    returns = [s for s in fn.body if isinstance(s, Return)]
    rebound = {op.target for op in walk_ops(fn.body) if op.kind not in ("setitem", "append")}
    rebound |= _loop_targets(fn.body)
    if len(returns) != 1 or result.id in rebound:
        return None
    return result.id


def _loop_targets(stmts: list[Statement]) -> set[str]:
    found: set[str] = set()
    for stmt in stmts:
        if isinstance(stmt, Loop):
            found |= {stmt.target} if stmt.target else set()
            found |= _loop_targets(stmt.body)
        elif isinstance(stmt, If):
            found |= _loop_targets(stmt.body) | _loop_targets(stmt.orelse)
    return found


# The runtime's helpers for adjoints of containers: in a generated derivative
# differentiated again, what they take and make holds containers (arrays get
# `np.zeros(np.shape(x))` and `+`)
_GENERIC_HELPERS = frozenset(f"{RUNTIME_MODULE}.{name}" for name in ("zeros_like", "add_grad"))


def string_names(fn: Function) -> set[str]:
    """Variables that hold strings by construction: ``k = f"W{i}"``, ``k = "b" + str(i)``,
    ``k = name.upper()`` for a string ``name``. A container indexed by one is a dict."""
    strings: set[str] = set()

    def is_string(node: gast.expr) -> bool:
        cls = node.__class__
        if cls is gast.Constant:
            return type(node.value) is str
        if cls is gast.Name:
            return node.id in strings
        if cls is gast.JoinedStr:
            return True
        if cls is gast.BinOp:  # "W" + str(i), "W%d" % i
            return is_string(node.left) or (
                isinstance(node.op, gast.Add) and is_string(node.right)
            )
        if cls is gast.Call:
            func = node.func
            if isinstance(func, gast.Name):
                return func.id in ("str", "repr", "format")
            return isinstance(func, gast.Attribute) and is_string(func.value)  # "W{}".format(i)
        return False

    for _ in range(2):  # a loop's body may build from a name bound further down
        for op in walk_ops(fn.body):
            if op.kind in ("constant", "rule", "copy") and is_string(op.value):
                strings.add(op.target)
    return strings


def _holders(
    fn: Function, kinds: dict[str, str], callee_kinds, strings: set[str],
    passed: list[tuple[str, str]] = (),
) -> None:
    """Mark ``"any"`` what holds containers: ``for W, b in params`` reads
    ``t = params[i]; W = t[0]; b = t[1]``, so ``t`` and ``params`` hold tuples (an array's
    rows unpack too, so the kind stays open); an argument the callee indexes by key is a
    dict; ``for p in layers: h = layer(p, h)`` makes ``layers`` a list of dicts. Their
    adjoints are then built with the runtime's generic helpers (``zeros_like``,
    ``add_grad``), which are right for arrays too. A parameter read by position or by a
    loop index (``p[0]``, ``for v in xs``: an array's rows, or a tuple's or list's elements)
    is ``"positional"``: its adjoint starts as ``zeros_like(p)`` and takes ``bp[0] += g``
    like an array's."""
    elements: dict[str, set[str]] = {}  # x -> the y of `x = y[i]` (not a string key)
    from_containers: dict[str, set[str]] = {}  # the same, any key
    indexed: set[str] = set()  # read by a position or key held in a variable
    copies: list[tuple[str, str]] = list(passed)  # `t = p`: one object, two names
    for op in walk_ops(fn.body):
        if op.kind == "copy" and isinstance(op.value, gast.Name):
            copies.append((op.target, op.value.id))
        if op.kind == "subscript" and isinstance(op.value.value, gast.Name):
            base, index = op.value.value.id, op.value.slice
            from_containers.setdefault(op.target, set()).add(base)
            if (isinstance(index, gast.Constant) and isinstance(index.value, str)) or (
                isinstance(index, gast.Name) and index.id in strings
            ):
                continue
            elements.setdefault(op.target, set()).add(base)
            if getattr(op, "unpack", False):
                kinds.setdefault(base, "any")
        elif op.kind == "constant" and op.key == DICT_KEYS:  # `list(d.keys())`, `list(d)`
            mapping = op.value.args[0] if op.value.args else op.value.func.value
            if isinstance(mapping, gast.Call):  # list(d.keys())
                mapping = mapping.func.value
            if isinstance(mapping, gast.Name):
                kinds.setdefault(mapping.id, "dict")
        elif op.key in _GENERIC_HELPERS:  # generated code: it made these for containers
            for name in [op.target] + [a.id for a in op.args if isinstance(a, gast.Name)]:
                kinds.setdefault(name, "any")
        elif op.kind == "call" and callee_kinds is not None:
            for arg, kind in callee_kinds(op):
                if isinstance(arg, gast.Name):
                    kinds.setdefault(arg.id, kind)
    indices = _loop_indices(fn.body)
    indices |= integer_names(fn, indices)  # `Ws[-1 - i]`, `Ws[len(Ws) - 1 - i]`: positions too
    # a generated derivative differentiated again loops over its ranges' positions
    # (`for i3 in steps3: i = steps[i3]`): `i` indexes like a loop index
    ranges = {
        op.target for op in walk_ops(fn.body) if op.kind == "constant"
        and isinstance(op.value, gast.Call) and S.dotted_name(op.value.func) == "range"
    }
    indices |= {
        op.target for op in walk_ops(fn.body)
        if op.kind == "subscript" and isinstance(op.value.value, gast.Name)
        and op.value.value.id in ranges and isinstance(op.value.slice, gast.Name)
        and op.value.slice.id in indices
    }
    # `rest = ps[1:]`: a parameter's slice is read like the parameter (a list's slice is a
    # list), and what is read of it by position is read of the parameter
    sliced = {
        op.target: op.value.value.id for op in walk_ops(fn.body)
        if op.kind == "subscript" and isinstance(op.value.slice, gast.Slice)
        and isinstance(op.value.value, gast.Name) and op.value.value.id in fn.params
    }
    for op in walk_ops(fn.body):  # `rs = list(ps)`, `list(reversed(ps))`: read like ps too
        if op.kind == "rule" and op.key in ("builtins.list", "builtins.tuple") and len(
            op.args
        ) == 1 and isinstance(op.args[0], gast.Name):
            source = sliced.get(op.args[0].id, op.args[0].id)
            if source in fn.params:
                sliced[op.target] = source
    for op in walk_ops(fn.body):  # an element read by position holds values itself
        if op.kind == "subscript" and isinstance(op.value.value, gast.Name):
            element, index = op.value.value.id, op.value.slice
            if isinstance(index, gast.Constant) and type(index.value) is int:
                if element in elements:
                    kinds.setdefault(element, "any")
                elif element in fn.params or element in sliced:  # `p[0]`: a row, or an element
                    kinds.setdefault(element, "positional")
                    if element in sliced:
                        kinds.setdefault(sliced[element], "positional")
                elif element in from_containers:  # `a = e["a"]; a[1]`: a dict with int keys?
                    indexed.add(element)
            elif isinstance(index, gast.Name) and index.id in indices and (
                element in fn.params or element in sliced
            ):
                kinds.setdefault(element, "positional")  # `for x in xs`: rows, or a list
                if element in sliced:
                    kinds.setdefault(sliced[element], "positional")
            elif element in from_containers:
                indexed.add(element)

    def holds(name: str) -> bool:
        """Mark ``name`` as holding values of its own; whether that changed anything."""
        if kinds.get(name, "positional") == "positional":
            kinds[name] = "any"
            return True
        return False

    changed = True
    while changed:
        changed = False
        for element, bases in elements.items():
            if element in kinds:
                for base in bases:
                    changed |= holds(base)
        for element in indexed:  # `Ws = params["W"]; Ws[i]`
            if element not in kinds and from_containers[element] & set(kinds):
                changed |= holds(element)
        for a, b in copies:
            if a in kinds and b not in kinds:
                kinds[b] = kinds[a]
                changed = True
            elif b in kinds and a not in kinds:
                kinds[a] = kinds[b]
                changed = True


def _loop_indices(stmts: list[Statement]) -> set[str]:
    """The index variables of the ``for`` loops (ints, over a ``range``)."""
    found: set[str] = set()
    for stmt in stmts:
        if isinstance(stmt, Loop):
            if stmt.kind == "for" and stmt.target:
                found.add(stmt.target)
            found |= _loop_indices(stmt.body)
        elif isinstance(stmt, If):
            found |= _loop_indices(stmt.body) | _loop_indices(stmt.orelse)
    return found
