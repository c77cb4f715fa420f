"""Which values carry derivatives: bind rules to operations, then activity analysis.

A variable is *active* when it depends on an argument we differentiate with
respect to (varied) and the result depends on it (useful). Only active
variables get adjoints; everything else is plain forward computation.
"""

from __future__ import annotations

from typing import Callable

import gast
import numpy

from . import syntax as S
from .control import DICT_KEYS
from .errors import DiffError
from .normalize import is_repeated_constants
from .ir import Function, If, Loop, Op, Return, Statement
from .templates import RUNTIME_MODULE, RuleLibrary, bind
from .views import views_of


def bind_rules(fn: Function, rules: RuleLibrary, resolver=None) -> None:
    """Attach each rule operation's template and bound arguments (or the reason it has
    none); calls of the user's own functions without a rule become ``call`` operations."""
    for op in walk_ops(fn.body):
        if op.kind != "rule":
            continue
        if op.key in rules.nondifferentiable:
            op.kind = "constant"
            continue
        template = rules.adjoints.get(op.key)
        tangent = rules.tangents.get(op.key)
        if op.key == "numpy.multiply" and _squares(op):  # x * x: one use of the adjoint,
            op.args = op.args[:1]  # 2.0 * g * x, not g * x + g * x
            template, tangent = rules.adjoints.get("numpy.square"), rules.tangents.get("numpy.square")
        if template is None and tangent is None and resolver is not None and (
            resolver.is_user_function(op.key)
        ):  # a rule written beside the function, in the file that defines it
            own = resolver.rules_of(op.key)
            if own is not None:
                template, tangent = own.adjoints.get(op.key), own.tangents.get(op.key)
        if template is None and tangent is None:
            # a runtime helper without a rule is reported as such, not differentiated
            # through its source (which uses NumPy in ways derivatives cannot follow)
            if (
                resolver is not None and resolver.is_user_function(op.key)
                and not op.key.startswith(RUNTIME_MODULE + ".")
            ):
                op.kind = "call"
            continue
        try:
            if template is not None:
                op.template = template
                op.bound = bind(template, op.args, op.keywords, op.node, op.shown)
            if tangent is not None:
                op.forward_template = tangent
                op.forward_bound = bind(tangent, op.args, op.keywords, op.node, op.shown)
        except DiffError as error:
            op.error = error
            continue
        if _to_integers(op.bound or op.forward_bound, resolver):
            op.kind = "constant"  # `x.astype(int)`, `np.sum(x, dtype=int)`: piecewise constant
        else:
            bound = op.bound or op.forward_bound
            for parameter, (why, hint) in _DEFAULT_ONLY.get(op.key, {}).items():
                if not _followed(op.key, parameter, bound.get(parameter)):
                    op.error = DiffError(
                        "argument", f"{op.shown} with {why}", hint=hint
                    ).at(op.node)
                    break


def _squares(op) -> bool:
    """``x * x``: one name times itself."""
    return (
        len(op.args) == 2 and not op.keywords
        and all(isinstance(a, gast.Name) for a in op.args) and op.args[0].id == op.args[1].id
    )


# Arguments a rule follows only when left out (or False, None): why, and what to write
_HERMITIAN = {"hermitian": (
    "hermitian=True reads one triangle, through eigh: not differentiated",
    "leave hermitian out, or use np.linalg.eigh",
)}
_DEFAULT_ONLY: dict[str, dict[str, tuple[str, str]]] = {
    "numpy.linalg.svd": _HERMITIAN,
    "numpy.linalg.pinv": _HERMITIAN,
    "scipy.special.logsumexp": {
        "b": ("weights (b=) is not differentiated", "write logsumexp(a + np.log(b)) for b > 0"),
        "return_sign": ("return_sign=True is not differentiated", "leave return_sign out"),
    },
    "numpy.pad": {
        "mode": ("a mode that computes its border from the values (maximum, minimum, mean, "
                 "median, linear_ramp, empty) is not differentiated",
                 "use mode constant, edge, reflect, symmetric or wrap"),
        "reflect_type": ("reflect_type='odd' is not differentiated",
                         "leave reflect_type out (even)"),
    },
}
# ... and the values, other than False and None, a rule follows (a value only known at
# run time is checked there)
_FOLLOWED = {
    ("numpy.pad", "mode"): ("constant", "edge", "reflect", "symmetric", "wrap"),
    ("numpy.pad", "reflect_type"): ("even",),
}


def _followed(key: str, parameter: str, value: gast.expr | None) -> bool:
    allowed = _FOLLOWED.get((key, parameter))
    if allowed is None or _is_false(value):
        return _is_false(value)
    return not isinstance(value, gast.Constant) or value.value in allowed


def _is_false(value: gast.expr | None) -> bool:
    """An argument left out, or written ``False`` or ``None``."""
    return value is None or getattr(value, "is_default", False) or (
        isinstance(value, gast.Constant) and value.value in (False, None)
    )


def _to_integers(bound: dict[str, gast.expr], resolver) -> bool:
    """``x.astype(int)``, ``np.array(x, dtype=np.int64)``, ``np.sum(x, 0, int)``: any call
    whose ``dtype`` is known statically to hold integers or booleans has no derivative."""
    dtype = bound.get("dtype")
    if dtype is None or getattr(dtype, "is_default", False):
        return False
    if isinstance(dtype, gast.Constant):
        name = dtype.value
    else:
        name = (resolver.qualname(dtype) if resolver is not None else None) or S.dotted_name(dtype)
        name = name and name.removeprefix("numpy.").removeprefix("builtins.")
    if not isinstance(name, str):
        return False
    try:
        return numpy.dtype(name).kind in "iub"
    except TypeError:
        return False


def differentiable_operands(op: Op) -> set[str]:
    """Names whose derivative flows through ``op``."""
    if op.kind == "constant":
        return set()
    if op.kind == "subscript":
        return set(S.loaded_names(op.value.value))
    if op.kind == "append":
        return set(S.loaded_names(op.args[1]))
    if op.kind == "pop":
        return set(S.loaded_names(op.args[0]))
    if op.kind == "setitem":
        return {op.target} | set(S.loaded_names(op.args[1]))
    if op.kind == "rule" and op.bound is not None:
        params = {
            stmt.targets[0].slice.id
            for stmt in op.template.node.body
            if isinstance(stmt, gast.Assign) and _is_d_target(stmt.targets[0])
        }
        names: set[str] = set()
        for param in params:
            names.update(S.loaded_names(op.bound[param]))
        return names
    if op.kind == "rule" and op.forward_bound is not None:
        reads = {
            node.slice.id
            for node in gast.walk(op.forward_template.node)
            if isinstance(node, gast.Subscript) and _is_d_target(node)
            and isinstance(node.ctx, gast.Load)
        }
        names = set()
        for param in reads & set(op.forward_bound):
            names.update(S.loaded_names(op.forward_bound[param]))
        return names
    if op.kind in ("rule", "call"):
        names = set()
        for arg in list(op.args) + list(op.keywords.values()):
            names.update(S.loaded_names(arg))
        return names
    return set(S.loaded_names(op.value))


def _is_d_target(node: gast.AST) -> bool:
    return (
        isinstance(node, gast.Subscript)
        and isinstance(node.value, gast.Name)
        and node.value.id == "d"
        and isinstance(node.slice, gast.Name)
    )


# NumPy functions that return a list when given several arrays (`np.atleast_2d(a, b)[0]`)
_LIST_OF_SEVERAL = frozenset(f"numpy.atleast_{n}d" for n in (1, 2, 3))
# Runtime helpers whose result is of their argument's kind (an array for an array)
_SAME_KIND = frozenset(f"{RUNTIME_MODULE}.{name}" for name in ("copied",))
# Functions that always return a list (or tuple) of values
_LISTS = frozenset((
    "numpy.split", "numpy.array_split", "builtins.list", "builtins.tuple",
    "numpy.linalg.eigh", "numpy.linalg.slogdet", "numpy.linalg.svd",
))


def _singular_values_only(op) -> bool:
    """``np.linalg.svd(a, compute_uv=False)``: one array, where svd returns three."""
    if op.key != "numpy.linalg.svd":
        return False
    flag = op.keywords.get("compute_uv", op.args[2] if len(op.args) > 2 else None)
    return flag is not None and not (isinstance(flag, gast.Constant) and flag.value is True)


def container_kinds(fn: Function, callee_kinds=None) -> dict[str, str]:
    """Variables that are statically lists or dicts (``[]``, ``.append``, ``d["key"]``),
    and ``"any"`` for those that hold other values (containers or arrays: which, only the
    run time knows).

    Their adjoints are lists/dicts too, and are updated element by element.
    ``callee_kinds(op)``, for a call of the user's function, gives the kinds of the
    arguments (what the callee's source does with its parameters).
    """
    kinds: dict[str, str] = {}
    # a parameter whose default is a tuple or list literal (a generated derivative's seed
    # for a function returning a tuple)
    args = fn.node.args
    for param, default in zip(args.args[len(args.args) - len(args.defaults):], args.defaults):
        if isinstance(default, (gast.Tuple, gast.List)):
            kinds[param.id] = "list"
    # a call's result unpacked into names (`a, b = split_like(...)`) is a tuple
    calls = {op.target for op in walk_ops(fn.body) if op.kind == "call"}
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
    calls |= {
        op.target for op in walk_ops(fn.body) if op.kind == "rule" and (
            op.target in unpacked
            or (op.target in indexed and (
                (op.key.startswith(RUNTIME_MODULE + ".") and op.key not in _SAME_KIND)
                or (op.key in _LIST_OF_SEVERAL and len(op.args) > 1)
            ))
        )
    }
    key_lists: set[str] = set()  # lists of string constants (`["W", "b"]`)
    keys = string_names(fn)  # and their elements (`for k in ["W", "b"]`)
    for op in walk_ops(fn.body):
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
        if op.kind == "rule" and op.key in _SAME_KIND and op.args and isinstance(
            op.args[0], gast.Name
        ) and kinds.get(op.args[0].id) in ("list", "dict"):  # `copied(d)` of a dict: a dict
            kinds[op.target] = kinds[op.args[0].id]
        if op.kind == "rule" and op.key in _LISTS and not _singular_values_only(op):
            kinds[op.target] = "list"  # np.split's pieces, maybe of several shapes
        if op.kind == "constant" and is_repeated_constants(op.value):  # `hs = [None] * T`
            kinds[op.target] = "list"
        if op.kind == "literal":
            kinds[op.target] = "dict" if isinstance(op.value, gast.Dict) else "list"
            if not isinstance(op.value, gast.Dict) and op.value.elts and all(
                isinstance(e, gast.Constant) and isinstance(e.value, str) for e in op.value.elts
            ):
                key_lists.add(op.target)
        elif op.kind in ("append", "pop"):
            kinds[op.target if op.kind == "append" else op.args[0].id] = "list"
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
    _holders(fn, kinds, callee_kinds)
    for op in walk_ops(fn.body):  # `p[key]` with both passed in: a dict, a list or an array
        if op.kind == "subscript" and isinstance(op.value.value, gast.Name) and isinstance(
            op.value.slice, gast.Name
        ) and op.value.value.id in fn.params and op.value.slice.id in fn.params:
            kinds.setdefault(op.value.value.id, "any")
    return kinds


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


def _holders(fn: Function, kinds: dict[str, str], callee_kinds) -> None:
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
    strings = string_names(fn)
    copies: list[tuple[str, str]] = []  # `t = p`: one object, two names
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


def stable_names(fn: Function) -> set[str]:
    """Parameters never reassigned, and variables assigned exactly once at the top
    level (not in a branch or loop): each holds one value from its assignment on."""
    from collections import Counter

    count = Counter(op.target for op in walk_ops(fn.body) if op.kind != "append")
    top = {op.target for op in fn.body if isinstance(op, Op) and op.kind not in ("append", "setitem")}
    mutated = {op.target for op in walk_ops(fn.body) if op.kind in ("append", "setitem")}
    stable = {p for p in fn.params if count[p] == 0} | {n for n in top if count[n] == 1}
    # a view of an array written in place changes with it
    viewing = views_of([S.assign(op.target, op.value) for op in walk_ops(fn.body)
                        if op.kind not in ("append", "setitem")])
    changing = set().union(*(viewing.get(name, ()) for name in mutated))
    return stable - mutated - changing


def walk_ops(stmts: list[Statement]):
    """Every Op in a block and its nested blocks, in source order."""
    for stmt in stmts:
        if isinstance(stmt, Op):
            yield stmt
        elif isinstance(stmt, If):
            yield from walk_ops(stmt.body)
            yield from walk_ops(stmt.orelse)
        elif isinstance(stmt, Loop):
            yield from walk_ops(stmt.body)


def _varied(
    stmts: list[Statement], varied: set[str], restores: dict[int, str], operands: Callable
) -> None:
    for stmt in stmts:
        if isinstance(stmt, Op):
            restored = restores.get(id(stmt))
            if (operands(stmt) & varied) if restored is None else restored in varied:
                varied.add(stmt.target)
        elif isinstance(stmt, If):
            _varied(stmt.body, varied, restores, operands)
            _varied(stmt.orelse, varied, restores, operands)
        elif isinstance(stmt, Loop):
            _to_fixed_point(lambda: _varied(stmt.body, varied, restores, operands), varied)


def _restores(fn: Function) -> dict[int, str]:
    """The pops that give a variable back a value it had before (``t = tape.pop()`` in
    generated code differentiated again, or ``acc[i] = tape.pop()``), each with that
    variable (the list ``acc`` for an element): from a list into which only those values
    are appended, each popped back where it came from. The value is one the variable
    held, so it varies only if the variable does elsewhere: an integer loop counter
    pushed beside arrays is no derivative's carrier (else its tangent, zero, meets
    ``log`` of a negative base in the power rule: nan)."""
    appended: dict[str, set[str]] = {}
    pops: dict[str, list[Op]] = {}
    shapes: set[str] = set()  # `s = shape_of(x)`: a shape pushed, never varied
    # `u = acc[i]` pushed and `acc[i] = v` popped into: both stand for the list `acc`
    read_from: dict[str, set[str]] = {}
    written_to: dict[str, set[str]] = {}
    defined: dict[str, int] = {}
    for op in walk_ops(fn.body):
        defined[op.target] = defined.get(op.target, 0) + 1
        if op.kind in ("rule", "constant") and op.key == f"{RUNTIME_MODULE}.shape_of":
            shapes.add(op.target)
        elif op.kind == "subscript" and isinstance(op.value.value, gast.Name):
            read_from.setdefault(op.target, set()).add(op.value.value.id)
        elif op.kind == "setitem" and isinstance(op.args[1], gast.Name):
            written_to.setdefault(op.args[1].id, set()).add(op.target)
        elif op.kind == "append":
            item = op.args[1]
            appended.setdefault(op.target, set()).add(
                item.id if isinstance(item, gast.Name) else ""
            )
        elif op.kind == "pop" and isinstance(op.args[0], gast.Name):
            pops.setdefault(op.args[0].id, []).append(op)

    def held_by(name: str, sources: dict[str, set[str]]) -> str:
        """The list whose element ``name`` only ever is, else ``name`` itself."""
        found = sources.get(name)
        if found is not None and len(found) == 1 and defined.get(name) == 1:
            return next(iter(found))
        return name

    restores: dict[int, str] = {}
    for tape, popped in pops.items():
        places = {op.target: held_by(op.target, written_to) for op in popped}
        pushed = {held_by(name, read_from) for name in appended.get(tape, set()) - shapes}
        if pushed and pushed <= set(places.values()):
            restores.update((id(op), places[op.target]) for op in popped)
    return restores


def _useful(stmts: list[Statement], useful: set[str], operands: Callable) -> None:
    for stmt in reversed(stmts):
        if isinstance(stmt, Return):
            useful.update(S.loaded_names(stmt.value))
        elif isinstance(stmt, Op) and stmt.target in useful:
            useful.update(operands(stmt))
        elif isinstance(stmt, If):
            _useful(stmt.body, useful, operands)
            _useful(stmt.orelse, useful, operands)
        elif isinstance(stmt, Loop):
            _to_fixed_point(lambda: _useful(stmt.body, useful, operands), useful)


def _to_fixed_point(step, facts: set[str]) -> None:
    while True:
        before = len(facts)
        step()
        if len(facts) == before:
            return


def active_variables(fn: Function, wrt: list[str]) -> set[str]:
    """Variables that depend on ``wrt`` and that the result depends on.

    Names in branches and loops are not in SSA form, so both facts are
    over-approximations found by iterating loop bodies to a fixed point.
    """
    varied = set(wrt)
    restores = _restores(fn)
    # every op is visited at least twice (the fixed points below), and its operands
    # asked each time: computed once (nothing changes the ops here)
    known: dict[int, tuple[Op, set[str]]] = {}

    def operands(op: Op) -> set[str]:
        found = known.get(id(op))
        if found is None:
            found = known[id(op)] = (op, differentiable_operands(op))  # keeps the id unique
        return found[1]

    _to_fixed_point(lambda: _varied(fn.body, varied, restores, operands), varied)
    useful: set[str] = set()
    # to a fixed point over the whole function too: a name may be reassigned (derivative
    # code pops `y = tape.pop()` after `by = 2.0 * (byy * y)`), and one use anywhere
    # makes every assignment of it matter
    _to_fixed_point(lambda: _useful(fn.body, useful, operands), useful)
    return varied & useful


__all__ = ["bind_rules", "active_variables", "differentiable_operands", "container_kinds",
           "stable_names", "walk_ops"]
