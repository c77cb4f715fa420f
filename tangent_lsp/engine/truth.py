"""Truth values: which expressions the normalizer takes for a condition (no derivative),
and the form a lifted branch test is written in so that generated code reads back.

``a and b`` / ``a or b`` yields one of its operands, and of arrays or numbers that
operand would carry a derivative: the normalizer accepts an assignment of it only when
every operand is itself a truth value (a comparison, ``not``, ``np.all(...)``...). A
branch test is read for its truth alone, whatever its operands, and is stored in a name
the backward sweep reads (``cond = use_reg and lam > 0``); written that way the gradient
would be refused when it is differentiated again, so such a test is stored as
``bool(...)``, which the normalizer keeps as written (``read_as_written``).
"""

from __future__ import annotations

import gast

from . import syntax as S
from .resolve import Resolver

# functions whose result is one truth value
TRUTH_FUNCTIONS = frozenset((
    "numpy.all", "numpy.any", "numpy.allclose", "numpy.array_equal", "numpy.isscalar",
    "builtins.bool", "builtins.isinstance", "builtins.callable", "builtins.all", "builtins.any",
))


def is_truth_value(node: gast.expr, resolver: Resolver, local_names: set[str]) -> bool:
    """A comparison, ``not``, ``and``/``or``, ``True``/``False`` or a call of a truth
    function (``np.all(x > 0)``, ``x.any()``, ``bool(...)``: the gradient code itself
    writes ``cond = np.all(a) and not np.any(b)``)."""
    if isinstance(node, (gast.Compare, gast.BoolOp)):
        return True
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.Not):
        return True
    if isinstance(node, gast.Constant):
        return isinstance(node.value, bool)
    if not isinstance(node, gast.Call):
        return False
    func = node.func
    if isinstance(func, gast.Attribute) and func.attr in ("all", "any"):
        path = S.dotted_name(func)
        if path is None or path.split(".")[0] in local_names or resolver.qualname(func) is None:
            return True  # a method of a value, not a module's function
    return resolver.qualname(func) in TRUTH_FUNCTIONS


def refused_boolean(node: gast.AST, resolver: Resolver, local_names: set[str]) -> bool:
    """Whether ``node`` holds an ``and``/``or`` with an operand that is no truth value."""
    return any(
        not is_truth_value(value, resolver, local_names)
        for boolean in S.nodes_of(node, gast.BoolOp) for value in boolean.values
    )


def lifted_test(test: gast.expr, resolver: Resolver, local_names: set[str]) -> gast.expr:
    """The value a branch test is stored as: ``bool(test)`` where the test, assigned to a
    name, would be refused (``use_reg and lam > 0``), else the test as written."""
    if not refused_boolean(test, resolver, local_names) or not _builtin_bool(resolver, local_names):
        return test
    return gast.copy_location(S.call("bool", [test]), test)


def read_as_written(call: gast.Call, resolver: Resolver, local_names: set[str]) -> bool:
    """``bool(<a test with and/or>)``: a truth value, kept as written (as a lifted test is),
    whatever its operands are."""
    return (
        isinstance(call.func, gast.Name) and call.func.id == "bool"
        and _builtin_bool(resolver, local_names)
        and len(call.args) == 1 and not call.keywords
        and bool(S.nodes_of(call.args[0], gast.BoolOp))
    )


def _builtin_bool(resolver: Resolver, local_names: set[str]) -> bool:
    return "bool" not in local_names and resolver.qualname(S.name("bool")) == "builtins.bool"
