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
from .errors import DiffError
from .ir import Function, If, Loop, Op, Return, Statement
from .templates import RUNTIME_MODULE, RuleLibrary, bind
from .views import views_of


def _check_rule_names(rule, op, resolver) -> None:
    """A user's rule reads its other names in the module that calls its function: one
    that module does not bind would be a NameError when the derivative runs."""
    missing = sorted(n for n in rule.free_names() if not resolver.is_global(n))
    if missing:
        raise DiffError(
            "rule", f"rule {rule.node.name} reads '{missing[0]}', which this module does "
            "not define (a rule's other names are read where its function is called)",
            hint=f"import or define '{missing[0]}' here, or write its value into the rule",
        ).at(op.node)


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
                if _starred_arguments(op.args):  # a derivative's parameters are by position
                    op.error = _starred_error(op)
                else:
                    op.kind = "call"
            continue
        for rule in (template, tangent):  # a rule whose body is not one the engine expands
            if rule is not None and rule.problem is not None:  # (its `d[x]` inside an `if`
                raise rule.problem  # was read as no derivative: zero)
            if rule is not None and resolver is not None and not rule.built_in:
                _check_rule_names(rule, op, resolver)
        starred = _starred_arguments(op.args)
        if starred and not _starred_in_varargs(op.args, template or tangent):
            op.error = _starred_error(op)  # bound by position: only at run time
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
        if starred and _starred_followed(op):
            op.error = _starred_error(op)
            continue
        if _to_integers(op.bound or op.forward_bound, resolver):
            op.kind = "constant"  # `x.astype(int)`, `np.sum(x, dtype=int)`: piecewise constant
            op.integers = True  # (a value written into it is truncated: see `_integer_arrays`)
        elif (broken := _limit_broken(op.key, op.bound or op.forward_bound)) is not None:
            why, hint = broken
            op.error = DiffError("argument", f"{op.shown} with {why}", hint=hint).at(op.node)


def _starred_arguments(args: list[gast.expr]) -> bool:
    for arg in args:  # (a loop, not any(): asked of every operation)
        cls = arg.__class__
        if cls is gast.Starred or (
            (cls is gast.Tuple or cls is gast.List) and _starred_arguments(arg.elts)
        ):
            return True
    return False


def _starred_in_varargs(args: list[gast.expr], rule) -> bool:
    """Whether the call's starred arguments, if any, all fall among the rule's ``*args``
    (``x.reshape(*x.shape[:-1], 2, 2)``: a tuple whatever its length), not where they
    would fill named parameters whose positions only the run time knows."""
    first = next((i for i, arg in enumerate(args) if arg.__class__ is gast.Starred), None)
    return first is None or (rule.vararg is not None and first >= rule.positional)


def _starred_followed(op: Op) -> bool:
    """Whether a starred element of a tuple or list argument (or of ``*args``) binds
    where a rule follows the derivative: a parameter whose ``d[...]`` the rule reads or
    writes (``np.stack((*hs, h))``, ``np.einsum("i,i", *pair)``).
    One elsewhere holds a shape or options (``x.reshape((*x.shape[:-1], 2, 2))``)."""
    followed = frozenset().union(
        *(rule.followed_params for rule in (op.template, op.forward_template) if rule is not None)
    )
    return any(
        param in followed and _starred_arguments([value])
        for bound in (op.bound, op.forward_bound) if bound for param, value in bound.items()
    )


def _starred_error(op: Op) -> DiffError:
    written = [n for n in S.nodes_of(op.node, gast.Starred) if hasattr(n, "lineno")]
    at = min(written, key=lambda n: (n.lineno, n.col_offset)) if written else op.node
    return DiffError(
        "starred expression", f"a starred argument of {op.shown} is not differentiated through",
        hint="pass the values one by one",
    ).at(at)


def _squares(op) -> bool:
    """``x * x``: one name times itself."""
    return (
        len(op.args) == 2 and not op.keywords
        and all(isinstance(a, gast.Name) for a in op.args) and op.args[0].id == op.args[1].id
    )


# Arguments a rule follows only when left out, or given one of a few values (False and
# None for flags): which values, why not the others, and what to write instead
_LEFT_OUT = (False, None)
_HERMITIAN = {"hermitian": (_LEFT_OUT, "hermitian=True reads one triangle, through eigh: not "
                            "differentiated", "leave hermitian out, or use np.linalg.eigh")}
_QUANTILE = {  # numpy.quantile, percentile, median: the 'linear' interpolation, on a left intact
    "method": (("linear",), "a method other than 'linear' is not differentiated", "leave method out"),
    "overwrite_input": (_LEFT_OUT, "overwrite_input=True lets NumPy reorder the array the "
                        "derivative reads", "leave overwrite_input out"),
}
_SECOND_SET = {"y": (_LEFT_OUT, "a second set of variables (y=) is not differentiated",
                     "stack both sets of variables into one array")}
_ASSUMED = (  # scipy.linalg.solve and inv: the general solver, or one triangle mirrored
    ("gen", "general", "sym", "symmetric", "her", "hermitian", "pos", "positive definite"),
    "a diagonal, banded or triangular assume_a is not differentiated",
    "leave assume_a out, or call scipy.linalg.solve_triangular for a triangle",
)
_LIMITED: dict[str, dict[str, tuple[tuple, str, str]]] = {
    "numpy.quantile": _QUANTILE, "numpy.percentile": _QUANTILE, "numpy.median": _QUANTILE,
    "numpy.average": {"returned": (_LEFT_OUT, "returned=True is not differentiated",
                                   "compute the sum of the weights with np.sum")},
    "numpy.cov": _SECOND_SET | {
        "fweights": (_LEFT_OUT, "frequency weights (fweights=) are not differentiated", "leave them out"),
        "aweights": (_LEFT_OUT, "observation weights (aweights=) are not differentiated", "leave them out"),
    },
    "numpy.corrcoef": _SECOND_SET,
    "numpy.interp": {"period": (_LEFT_OUT, "a periodic interpolation (period=) is not differentiated",
                                "wrap x into one period and extend xp and fp by hand")},
    "numpy.linalg.qr": {"mode": (("reduced",), "a mode other than 'reduced' is not differentiated",
                                 "leave mode out (reduced)")},
    "numpy.linalg.svd": _HERMITIAN,
    "numpy.linalg.pinv": _HERMITIAN,
    "scipy.special.logsumexp": {
        "b": (_LEFT_OUT, "weights (b=) is not differentiated",
              "write logsumexp(a + np.log(b)) for b > 0"),
        "return_sign": (_LEFT_OUT, "return_sign=True is not differentiated",
                        "leave return_sign out"),
    },
    "scipy.linalg.solve": {"assume_a": _ASSUMED},
    "scipy.linalg.inv": {"assume_a": _ASSUMED},
    "numpy.pad": {
        "mode": (("constant", "edge", "reflect", "symmetric", "wrap"),
                 "a mode that computes its border from the values (maximum, minimum, mean, "
                 "median, linear_ramp, empty) is not differentiated",
                 "use mode constant, edge, reflect, symmetric or wrap"),
        "reflect_type": (("even",), "reflect_type='odd' is not differentiated",
                         "leave reflect_type out (even)"),
    },
}
# ... of which these are checked where the derivative runs, when only known there
_CHECKED_AT_RUN_TIME = frozenset({("numpy.pad", "mode")})  # runtime.unpad


def _limit_broken(key: str, bound: dict[str, gast.expr]) -> tuple[str, str] | None:
    """(why, hint) for an argument the rule for ``key`` does not follow, if one is."""
    for parameter, (allowed, why, hint) in _LIMITED.get(key, {}).items():
        value = bound.get(parameter)
        if _is_false(value):
            continue  # left out (a default is one the rule follows) or False or None
        if isinstance(value, gast.Constant):
            if value.value not in allowed:
                return why, hint
        elif (key, parameter) in _CHECKED_AT_RUN_TIME:
            continue
        elif allowed is _LEFT_OUT:  # a flag or an argument of its own: given at all
            if f"{parameter}=True" in why:  # a flag in a variable: True only perhaps
                why = f"{parameter}= held in a variable, which may be True ({why})"
            return why, hint
        else:  # an option among names, held in a variable: not read from the source
            shown = ", ".join(repr(v) for v in allowed)
            return (f"{parameter}= is followed only when written as a constant: which value "
                    f"it holds is known when the code runs",
                    f"write {parameter}= as one of {shown}, or leave it out")
    return None


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
    """Names whose derivative flows through ``op``. A call whose rule does not follow some
    argument (``np.cov(a, b)``'s ``b``: ``op.error``) counts all of them, so that its error
    is raised when any varies, rather than that argument's derivative being zero."""
    if op.kind == "constant":
        return set()
    if op.kind == "rule" and op.error is not None:
        return {n for arg in (*op.args, *op.keywords.values()) for n in S.loaded_names(arg)}
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
    first_push: dict[str, int] = {}  # a tape is pushed to before it is popped from
    for position, op in enumerate(walk_ops(fn.body)):
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
            first_push.setdefault(op.target, position)
        elif op.kind == "pop" and isinstance(op.args[0], gast.Name):
            if op.args[0].id not in first_push:  # `last = ws.pop(); ws.append(last)`: the
                first_push[op.args[0].id] = -1  # user's list, whose pop gives a value of its own
            pops.setdefault(op.args[0].id, []).append(op)

    def held_by(name: str, sources: dict[str, set[str]]) -> str:
        """The list whose element ``name`` only ever is, else ``name`` itself."""
        found = sources.get(name)
        if found is not None and len(found) == 1 and defined.get(name) == 1:
            return next(iter(found))
        return name

    restores: dict[int, str] = {}
    for tape, popped in pops.items():
        if first_push.get(tape, -1) < 0:
            continue
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

    integers = _integer_arrays(fn)

    def operands(op: Op) -> set[str]:
        found = known.get(id(op))
        if found is None:
            written = op.kind == "setitem" and op.target in integers  # truncated: no derivative
            found = known[id(op)] = (op, set() if written else differentiable_operands(op))
        return found[1]

    _to_fixed_point(lambda: _varied(fn.body, varied, restores, operands), varied)
    useful: set[str] = set()
    # to a fixed point over the whole function too: a name may be reassigned (derivative
    # code pops `y = tape.pop()` after `by = 2.0 * (byy * y)`), and one use anywhere
    # makes every assignment of it matter
    _to_fixed_point(lambda: _useful(fn.body, useful, operands), useful)
    return varied & useful


def _integer_arrays(fn: Function) -> set[str]:
    """Names bound only to arrays of integers (``np.zeros(3, dtype=int)``): a float written
    into one (``counts[0] = 10 * x[0]``) is truncated, piecewise constant (hunt 43: its
    derivative was passed through)."""
    integers: set[str] = set()
    others: set[str] = set()
    numbers = integer_names(fn)
    for op in walk_ops(fn.body):
        if op.kind != "setitem":
            made = _makes_integers(op, numbers) or (
                op.key in _LIKE and "dtype" not in op.keywords and len(op.args) == 1
                and isinstance(op.args[0], gast.Name) and op.args[0].id in integers
            )  # `np.zeros_like(counts)` of such an array
            (integers if made else others).add(op.target)
    return integers - others


_LIKE = frozenset(f"numpy.{name}_like" for name in ("zeros", "ones", "empty"))
# Operations that give an int for ints
_INTEGER_ARITHMETIC = frozenset(
    f"numpy.{name}" for name in ("add", "subtract", "multiply", "floor_divide", "negative")
)


def integer_names(fn: Function, known: set[str] = frozenset()) -> set[str]:
    """Names bound only to Python ints (or ranges of them) the source shows: ``len(x)``, an
    entry of a shape, ``x.size``, ``x.ndim``, ``range(n)``, and sums, differences and
    products of those, of integer literals and of the ints ``known`` (loop indices)."""
    shapes = {op.target for op in walk_ops(fn.body) if op.key == "numpy.ndarray.shape"}
    numbers: set[str] = set(known)
    others: set[str] = set()

    def integer(node: gast.expr) -> bool:
        return _integer(node, numbers)

    for op in walk_ops(fn.body):
        if op.kind == "setitem":
            continue
        made = op.key in ("builtins.len", "builtins.range", "numpy.ndarray.size",
                          "numpy.ndarray.ndim") or (
            op.kind == "subscript" and isinstance(op.value.value, gast.Name)
            and op.value.value.id in shapes and integer(op.value.slice)
        ) or (op.kind == "rule" and op.key in _INTEGER_ARITHMETIC and all(map(integer, op.args))) or (
            op.kind == "copy" and integer(op.value)
        )
        (numbers if made else others).add(op.target)
    return numbers - others


def _integer(node: gast.expr | None, numbers: set[str], *also: type) -> bool:
    """An int literal (or one of the types ``also``), or a name among ``numbers``."""
    if isinstance(node, gast.Constant):
        return type(node.value) in (int, *also)
    return isinstance(node, gast.Name) and node.id in numbers


def _makes_integers(op: Op, numbers: set[str] = frozenset()) -> bool:
    """``np.zeros(3, dtype=int)``, ``x.astype(int)`` (marked by ``bind_rules``),
    ``np.array([0, 0, 0])``, ``np.arange(n)``, ``np.full(n, 0)`` and ``np.array(range(n))``
    for ints ``numbers``: an array of integers, by what the source says."""
    if getattr(op, "integers", False):
        return True
    dtype = _dtype_of(op) if op.kind in ("rule", "constant") else None
    if dtype is not None:
        if isinstance(dtype, gast.Constant):  # "int32", "i4"
            name = dtype.value
        elif isinstance(dtype, gast.Name):  # the builtins; `B = np.float64` is a variable
            name = dtype.id if dtype.id in ("int", "bool") else None
        else:  # np.int64, numpy.bool_
            name = S.dotted_name(dtype)
            if name is None or name.partition(".")[0] not in ("np", "numpy"):
                return False
            name = name.rpartition(".")[2]
        try:
            return isinstance(name, str) and numpy.dtype(name).kind in "iub"
        except Exception:  # not a dtype NumPy reads (`"i4,,"`: a SyntaxError)
            return False
    def integer(node: gast.expr | None) -> bool:  # (a boolean fill value makes booleans)
        return _integer(node, numbers, bool)

    if op.key == "numpy.arange":  # (`np.arange(3.0)` is of floats)
        return bool(op.args) and all(map(integer, op.args)) and not op.keywords
    if op.key == "numpy.full":
        return integer(op.keywords.get("fill_value", op.args[1] if len(op.args) > 1 else None))
    return op.key == "numpy.array" and len(op.args) == 1 and not op.keywords and (
        (isinstance(op.args[0], (gast.List, gast.Tuple)) and _integer_literal(op.args[0]))
        or integer(op.args[0])  # `np.array(range(n))`
    )


# where the functions that make arrays take their dtype by position (a method's receiver
# is its first argument)
_DTYPE_POSITION = {
    **{f"numpy.{name}": 1 for name in ("zeros", "ones", "empty", "array", "asarray",
                                         "zeros_like", "ones_like", "empty_like")},
    "numpy.full": 2, "numpy.full_like": 2, "numpy.arange": 3, "numpy.ndarray.astype": 1,
}


def _dtype_of(op: Op) -> gast.expr | None:
    """The dtype an op names, by keyword or by position (``np.full(3, 0, np.float64)``)."""
    if "dtype" in op.keywords:
        return op.keywords["dtype"]
    position = _DTYPE_POSITION.get(op.key)
    return op.args[position] if position is not None and len(op.args) > position else None


def _integer_literal(node: gast.expr) -> bool:
    if isinstance(node, (gast.List, gast.Tuple)):
        return bool(node.elts) and all(_integer_literal(e) for e in node.elts)
    return isinstance(node, gast.Constant) and type(node.value) is int


__all__ = ["bind_rules", "active_variables", "differentiable_operands", "integer_names",
           "stable_names", "walk_ops"]
