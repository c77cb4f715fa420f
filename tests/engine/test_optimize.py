"""Unit tests of the optimizer passes, on small hand-written functions."""

import ast
import inspect

import autograd
import gast
import numpy as np
import pytest

import tangent_lsp
from tangent_lsp import jvp
from tangent_lsp.api import derivative_source
from tangent_lsp.engine import emit, optimize
from tangent_lsp.engine.methods import reductions_as_methods
from tangent_lsp.engine.reuse import reuse_values
from tangent_lsp.engine.simplify import simplify_backward
from tangent_lsp.engine.shape_passes import drop_noop_unbroadcast, spread_implicitly
from tangent_lsp.engine.shapes import ShapeClasses
from tangent_lsp.engine.syntax import boundary
from tangent_lsp.engine.views import value_reads, views_of
from tests.oracle import (
    ORDERS, _autograd_version, assert_gradients_match, assert_jvp_matches,
    assert_second_derivative_matches,
)


def _function(source: str) -> gast.FunctionDef:
    return gast.parse(source).body[0]


def _code(function: gast.FunctionDef) -> str:
    return emit.to_source(function).strip()


def test_a_copy_bound_once_is_read_through_inside_loops():
    f = _function(
        "def f(x, n):\n    t = 2 * n\n    t2 = t\n    for i in range(3):\n"
        "        x = x[:t2] + x[t2:2 * t2]\n    return x"
    )
    code = _code(optimize.propagate_assignments(f, inlinable={"t2"}))
    assert "t2" not in code and "x[:t] + x[t:2 * t]" in code, code


def test_a_copy_is_kept_when_either_name_is_bound_again():
    f = _function(
        "def f(x, n):\n    t = 2 * n\n    t2 = t\n    for i in range(3):\n"
        "        t = t + 1\n        x = x[:t2] + x[t:]\n    return x"
    )
    code = _code(optimize.propagate_assignments(f, inlinable={"t2"}))
    assert "t2 = t" in code and "x[:t2]" in code, code


def test_a_copy_back_changes_nothing_and_goes():
    f = _function(
        "def f(by, v):\n    for i in range(3):\n        bt = by\n        by = bt\n"
        "        bv = bt * v\n    return bv"
    )
    code = _code(optimize.propagate_assignments(f, inlinable={"bt"}))
    assert "by = bt" not in code and "bv = by * v" in code, code


def test_a_copy_back_stays_when_a_name_changed_in_between():
    f = _function(
        "def f(by, v):\n    bt = by\n    by = by * v\n    by = bt\n    return by"
    )
    code = _code(optimize.propagate_assignments(f, inlinable=set()))
    assert "by = bt" in code, code


def test_a_copy_back_stays_when_the_copy_changed_in_between():
    f = _function(
        "def f(by, v):\n    bt = by\n    bu = by\n    bt = bt * v\n    by = bt\n"
        "    bu = by\n    by = bu\n    return by + bt"
    )
    code = _code(optimize.propagate_assignments(f, inlinable=set()))
    assert "by = bt" in code and "by = bu" not in code, code


def test_dead_code_elimination_removes_unread_assignments():
    f = _function("def f(x):\n    a = x * 2\n    b = np.exp(x)\n    return a")
    assert "np.exp" not in _code(optimize.eliminate_dead_code(f))


def test_dead_code_elimination_keeps_in_place_updates_of_live_arrays():
    f = _function(
        "def f(x, g):\n    bx = np.zeros(np.shape(x))\n    bx[1:] += g\n"
        "    np.add.at(bx, idx, g)\n    unused = np.zeros(3)\n    unused[0] += g\n    return bx"
    )
    code = _code(optimize.eliminate_dead_code(f))
    assert "bx[1:] += g" in code and "np.add.at(bx, idx, g)" in code
    assert "unused" not in code


def test_views_are_followed_through_other_views_and_methods():
    body = _function(
        "def f(B, x):\n    t = B.T\n    c = t[0]\n    r = x.reshape(3)\n"
        "    s = np.transpose(x)\n    k = B.copy()\n    return c"
    ).body
    views = views_of(body)
    assert views["B"] == {"t", "c"} and views["t"] == {"c"} and views["x"] == {"r", "s"}
    assert "k" not in views["B"]


def test_reads_for_the_shape_alone_are_not_value_reads():
    expr = gast.parse("unbroadcast(g * a, b) + reduced_count(c, d) + e.shape[0] + f", mode="eval")
    assert value_reads(expr.body) == {"unbroadcast", "reduced_count", "g", "a", "f"}


def _value_reads_by_subtraction(node):
    """What ``value_reads`` computes in one walk: every read, less those inside the
    outermost subtrees read only for their shape."""
    from tangent_lsp.engine import syntax as S
    from tangent_lsp.engine.views import _SHAPE_ATTRIBUTES, _SHAPE_READS

    parts, inside = [], set()
    for item in S.walk(node):  # parents come before their children
        if id(item) in inside:
            continue
        if item.__class__ is gast.Attribute and item.attr in _SHAPE_ATTRIBUTES:
            found = [item.value]
        elif item.__class__ is gast.Call:
            positions = _SHAPE_READS.get((S.dotted_name(item.func) or "").rsplit(".", 1)[-1], ())
            found = list(item.args) if positions is None else [
                a for i, a in enumerate(item.args) if i in positions
            ]
        else:
            continue
        parts.extend(found)
        inside.update(id(sub) for part in found for sub in S.walk(part))
    counts = {}
    for name in S.loaded_names(node):
        counts[name] = counts.get(name, 0) + 1
    for part in parts:
        for name in S.loaded_names(part):
            counts[name] -= 1
    return {name for name, count in counts.items() if count > 0}


def test_value_reads_skips_exactly_the_shape_only_subtrees():
    for source in (
        "unbroadcast(g * a, b) + reduced_count(c, d) + e.shape[0] + f",
        "unbroadcast(unbroadcast(g, x.shape), y)", "np.shape(x) + x", "zeros_like(a, b) * a",
        "f(x.shape, x, k=y.ndim)", "matmul_shape(a @ b, c)", "x[y.ndim] + unreduce(g, t, axis=n)",
        "np.sum(x, axis=y.shape[0]) + shape_of(z)", "a.size + a", "[unbroadcast(g, x), x.T]",
        "x", "(lambda q: q.shape)(w)", "unbroadcast(*gs)",
    ):
        expr = gast.parse(source, mode="eval").body
        assert value_reads(expr) == _value_reads_by_subtraction(expr), source


def test_a_write_into_an_array_stays_while_a_view_of_it_is_read_for_its_values():
    """``B_i`` views column j of B: restoring the column changes what ``B_i`` holds."""
    source = (
        "def f(A, g, j):\n    B = A * 1.0\n    B_i = B[:, j]\n    B[:, j] = g\n    y = {use}\n"
        "    return y"
    )
    kept = _code(optimize.eliminate_dead_code(_function(source.format(use="B_i * g"))))
    assert "B[:, j] = g" in kept
    shape_only = _code(optimize.eliminate_dead_code(_function(source.format(
        use="unbroadcast(g, B_i)"
    ))))
    assert "B[:, j] = g" not in shape_only


def test_a_dead_assignment_keeps_the_pops_it_makes():
    """``bc = bc + bs.pop()`` with ``bc`` unread still shortens ``bs``, which is read later."""
    f = _function(
        "def f(bs, g):\n    bc = g + bs.pop() * bs.pop()\n    unused = g * ts.pop()\n"
        "    return bs.pop()"
    )
    code = _code(optimize.eliminate_dead_code(f))
    assert code.count("bs.pop()") == 3 and "bc" not in code
    assert "ts.pop()" in code, "ts is not the function's: popping it is a side effect"
    assert "unused" not in code


def test_an_assignment_before_a_break_is_live_after_the_loop():
    f = _function(
        "def f(x, c):\n    y = x\n    for i in range(3):\n        if c:\n            y = x * 3.0\n"
        "            break\n        y = x * 2.0\n    return y"
    )
    assert "y = x * 3.0" in _code(optimize.eliminate_dead_code(f))
    g = _function(
        "def f(x, c):\n    y = x\n    for i in range(3):\n        z = y * 2.0\n        if c:\n"
        "            y = x * 3.0\n            continue\n        y = x * 2.0\n    return z"
    )
    assert "y = x * 3.0" in _code(optimize.eliminate_dead_code(g)), "the next iteration reads it"


def test_a_loop_whose_variables_only_its_own_test_reads_is_dead():
    f = _function(
        "def f(x, s):\n    c = s\n    n = 0\n    while c < 4.0 and n < 5:\n"
        "        c = c * 1.5 + x\n        n = n + 1\n    return x * 2.0"
    )
    assert "while" not in _code(optimize.eliminate_dead_code(f))
    kept = _function(
        "def f(x, s, tape):\n    c = s\n    while c < 4.0:\n        tape.append(c)\n"
        "        c = c * 1.5 + x\n    print(c)\n    return x * 2.0"
    )
    assert "while" in _code(optimize.eliminate_dead_code(kept)), "tape is not the function's"


def test_a_loop_stays_while_its_variable_is_read_after_it():
    f = _function(
        "def f(x):\n    c = 0.0\n    for i in range(2):\n        c = c + 1.0\n"
        "    for j in range(2):\n        c = c + 1.0\n    return x[i]"
    )
    code = _code(optimize.eliminate_dead_code(f))
    assert "for i in range(2):" in code and "c + 1.0" not in code
    assert "for j" not in code


def test_dead_code_elimination_keeps_calls_with_side_effects():
    f = _function("def f(x):\n    print(x)\n    r = np.random.rand()\n    return x")
    code = _code(optimize.eliminate_dead_code(f))
    assert "print(x)" in code and "np.random.rand()" in code


def test_propagation_inlines_single_use_temporaries_only():
    f = _function("def f(x):\n    t = x * 2\n    user = x + 1\n    y = np.exp(t) + user\n    return y")
    code = _code(optimize.propagate_assignments(f, inlinable={"t"}))
    assert "np.exp(x * 2)" in code and "user = x + 1" in code


def test_propagation_does_not_move_a_read_past_a_redefinition():
    f = _function("def f(x, bx):\n    t = bx * 2\n    bx = bx + 1\n    y = t + bx\n    return y")
    code = _code(optimize.propagate_assignments(f, inlinable={"t"}))
    assert "t = bx * 2" in code


def test_propagation_merges_accumulation_of_adjoints():
    f = _function("def f(a, b, g):\n    bx = a * g\n    bx = bx + b * g\n    return bx")
    code = _code(optimize.propagate_assignments(f, inlinable=set(), mergeable={"bx"}))
    assert "bx = a * g + b * g" in code


def test_propagation_keeps_adjoints_of_user_variables_on_their_own_line():
    f = _function("def f(h, g):\n    bh = g * (1 - h * h)\n    bW = X.T @ bh\n    return bW")
    code = _code(optimize.propagate_assignments(f, inlinable=set(), mergeable={"bh", "bW"}))
    assert "bh = g * (1 - h * h)" in code


def test_propagation_never_moves_a_pop_past_another_use_of_its_list():
    f = _function(
        "def f(bs, g):\n    a = bs.pop()\n    b = bs.pop()\n    c = g + a\n"
        "    d = xs.pop()\n    e = g * d\n    return (b, c, e)"
    )
    code = _code(optimize.propagate_assignments(f, inlinable={"a", "d"}))
    assert "a = bs.pop()" in code and "c = g + a" in code, "b's pop would come first"
    assert "e = g * xs.pop()" in code, "nothing else touches xs"


def test_propagation_never_moves_a_read_of_a_view_past_a_write_into_its_array():
    """``o_i`` views ``o``: after ``o[i:t] = ...`` it holds the new values, so a value read
    from it must be computed before the write."""
    f = _function(
        "def f(o, do, c, dc, i, t):\n    o_i = o[i:t]\n    dt = do[i:t] * c + o_i * dc\n"
        "    o[i:t] = o_i * c\n    do[i:t] = dt\n    return do"
    )
    code = _code(optimize.propagate_assignments(f, inlinable={"dt", "o_i"}))
    assert code.index("do[i:t] * c + o_i * dc") < code.index("o[i:t] = o_i * c")
    unaliased = _function(
        "def f(o, do, c, dc, i, t):\n    o_i = o[i:t].copy()\n    dt = do[i:t] * c + o_i * dc\n"
        "    o[i:t] = o_i * c\n    do[i:t] = dt\n    return do"
    )
    code = _code(optimize.propagate_assignments(unaliased, inlinable={"dt"}))
    assert "do[i:t] = do[i:t] * c + o_i * dc" in code, "a copy does not change with o"


def test_helpers_that_may_return_their_argument_make_views():
    """``unbroadcast(bt, x)`` is ``bt`` itself when nothing broadcast: restoring ``bt`` in
    place later changes it, so a sum that reads it must not be merged past the restore."""
    assert views_of(_function(
        "def f(bt, x):\n    u = unbroadcast(bt, x)\n    v = unbroadcast(bt * 2.0, x)\n    return u"
    ).body) == {"bt": {"u"}}
    f = _function(
        "def f(bt, x, s, tape):\n    u = unbroadcast(bt, x)\n    bs = u * s\n"
        "    for i in range(2):\n        bt[i] = tape.pop()\n    bs = bs + s\n    return bs"
    )
    code = _code(optimize.propagate_assignments(f, inlinable={"u"}, mergeable={"bs"}))
    assert code.index("bs = ") < code.index("for i")


def test_only_view_methods_make_views():
    views = views_of(_function(
        "def f(B, xs):\n    a = xs.pop()\n    b = B.copy()\n    c = B.view()\n"
        "    d = B.sum()\n    e = B.ravel()\n    return a"
    ).body)
    assert views == {"B": {"c", "e"}}


def test_simplification_keeps_shapes():
    f = _function(
        "def f(x, g):\n    a = g * 0\n    b = 1.0 * g * x ** (2 - 1.0)\n    c = -(-g)\n"
        "    d = (g + 0.0) * (0 + x) - 0\n    return a"
    )
    f.body.insert(0, boundary())  # only the backward sweep is simplified
    code = _code(simplify_backward(f))
    assert "a = g * 0" in code, "x * 0 is never folded: it would lose the array's shape"
    assert "b = g * x" in code
    assert "c = g" in code
    assert "d = g * x" in code


def test_simplification_moves_signs_of_products_out_of_sums():
    f = _function(
        "def f(a, b, c, g):\n    x = -(-a * b / c)\n    y = c + -(a * b)\n    z = -a * b + c\n"
        "    w = c - -a\n    v = c + -(a * b) * g\n    u = c - -a * b\n    return x"
    )
    f.body.insert(0, boundary())
    code = _code(simplify_backward(f))
    assert "v = c - a * b * g" in code
    assert "u = c + a * b" in code
    assert "x = a * b / c" in code
    assert "y = c - a * b" in code
    assert "z = c - a * b" in code
    assert "w = c + a" in code


def test_repeated_terms_of_a_running_sum_are_doubled():
    """``r * r`` contributes ``g * r`` twice; merged into a running sum they are one term."""
    f = _function(
        "def f(a, g, r):\n    x = a + g * r + g * r\n    y = a - g * r - g * r\n"
        "    z = a + g * r - g * r\n    return x"
    )
    f.body.insert(0, boundary())
    code = _code(simplify_backward(f))
    assert "x = a + 2.0 * (g * r)" in code
    assert "y = a - 2.0 * (g * r)" in code
    assert "z = a + g * r - g * r" in code, "different signs: left as written"


def test_reuse_reads_values_the_forward_sweep_computed():
    f = _function(
        "def f(x, g):\n    a = np.sin(x)\n    h = np.cos(x)\n    h = h + 1\n"
        "    bx = g * np.cos(x) * np.sin(x)\n    r = np.random.rand(3)\n    s = np.random.rand(3)\n"
        "    return bx"
    )
    code = _code(reuse_values(f, stable={"x", "a", "r", "s"}))
    assert "bx = g * np.cos(x) * a" in code, "h is assigned twice: its value is not np.cos(x) everywhere"
    assert "s = np.random.rand(3)" in code, "impure calls are never reused"


def _classes(*same: str) -> ShapeClasses:
    classes = ShapeClasses()
    for name in same[1:]:
        classes.union(name, same[0])
    return classes


def test_reduction_adjoint_is_broadcast_by_numpy_when_the_other_side_has_the_shape():
    classes = _classes("x", "c", "d")
    f = _function(
        "def f(x, c, d, z, g):\n    a = unreduce(g, d) * c\n    b = unreduce(g, d) * z\n"
        "    e = unreduce(g, d, axis=1) * c\n    k = unreduce(g, d, axis=1, keepdims=True) * c\n"
        "    m = unreduce(g, x) / reduced_count(x)\n    return (a, m)"
    )
    spread_implicitly(f, classes)
    code = _code(f)
    assert "a = g * c" in code
    assert "b = unreduce(g, d) * z" in code, "z's shape is unknown"
    assert "e = unreduce(g, d, axis=1) * c" in code, "without keepdims, g lacks an axis"
    assert "k = g * c" in code
    assert "m = unreduce(g / reduced_count(x), x)" in code


def test_reduction_adjoint_variable_becomes_a_number_only_if_every_read_allows_it():
    classes = _classes("x", "c")
    f = _function(
        "def f(x, c, z, g):\n    bd = unreduce(g, x)\n    a = -bd * 0.5 * c\n    b = c + bd\n"
        "    be = unreduce(g, x)\n    e = be * c\n    k = be\n"
        "    bp = unreduce(g, x)\n    bq = unreduce(g, x)\n    s = bp + bq\n    return a"
    )
    spread_implicitly(f, classes)
    code = _code(f)
    assert "bd = g" in code
    assert "be = unreduce(g, x)" in code, "be is also returned as it is"
    assert "bp = unreduce(g, x)" in code and "bq = unreduce(g, x)" in code, "two numbers would sum to a number"


def test_noop_unbroadcast_is_dropped_only_when_shapes_provably_match():
    classes = ShapeClasses()
    classes.union("y", "x")
    classes.adjoint_of = {"by": "y"}
    f = _function("def f(x, z, by):\n    a = unbroadcast(by * 2.0, x)\n    b = unbroadcast(by, z)\n    return a")
    code = _code(drop_noop_unbroadcast(f, classes))
    assert "a = by * 2.0" in code and "unbroadcast(by, z)" in code


def test_dead_code_elimination_keeps_updates_of_globals_and_arguments():
    f = _function(
        "def f(x, out):\n    LOG.append(x)\n    out[0] = 1.0\n    mine = []\n    mine.append(x)\n"
        "    return x"
    )
    code = _code(optimize.eliminate_dead_code(f))
    assert "LOG.append(x)" in code and "out[0] = 1.0" in code
    assert "mine" not in code


def test_accumulation_is_in_place_only_into_arrays_nobody_else_sees():
    from tangent_lsp.engine.accumulate import accumulate_in_place

    f = _function(
        "def f(W, V, g):\n    bW = np.zeros(np.shape(W))\n    bV = np.zeros(np.shape(V))\n"
        "    for i in range(3):\n        bW = bW + g * 2.0\n        bV = bV + g\n        keep = bV\n"
        "    y = bW * 2.0\n    return (bW, bV, y)"
    )
    code = _code(accumulate_in_place(f, "np"))
    assert "bW += g * 2.0" in code
    assert "bV = bV + g" in code, "keep aliases bV: adding in place would change keep"


def test_loop_invariant_transposes_are_computed_once_before_the_loop():
    from tangent_lsp.engine import derive

    source = (
        "import numpy as np\n\ndef rnn(h, W, xs):\n    for t in range(xs.shape[0]):\n"
        "        h = np.tanh(h @ W.T + xs[t])\n    return np.sum(h)\n"
    )
    code = derive(source, "rnn", wrt=("W",)).code
    loop = code.index("for t in steps")
    assert code.index("WT = W.T") < loop
    assert "tape.append(WT)" not in code
    assert "bWT += " in code and "bW = np.transpose(bWT)" in code


def test_adjoint_of_a_factor_in_a_summed_product_skips_the_product():
    f = _function("def f(a, b, g):\n    bb = unbroadcast(unreduce(g, a * b) * a, b)\n    return bb")
    spread_implicitly(f, ShapeClasses())
    assert "bb = unbroadcast(g * a, b)" in _code(f)


def test_shapes_are_broadcasts_of_atoms():
    from tangent_lsp.engine.ir import Function
    from tangent_lsp.engine.shapes import SCALAR, ZERO_D

    classes = ShapeClasses()
    classes.known = {"t": frozenset({"y", "z"}), "p": frozenset({"z"}), "s": ZERO_D}
    classes.adjoint_of = {"bt": "t"}
    of = lambda source: classes.of(gast.parse(source).body[0].value)  # noqa: E731
    assert of("y * np.log(p)") == of("bt") == of("np.cos(p) - y * s") == frozenset({"y", "z"})
    assert of("s * 2.0") == ZERO_D and of("2.0 * 3") == SCALAR
    assert of("p @ y") is None and of("log(p)") is None, "log is not known to be numpy's"
    classes.elementwise = {"log"}  # after `from numpy import log`
    assert of("y * log(p)") == frozenset({"y", "z"}) and isinstance(Function, type)


def test_product_adjoint_skips_any_value_with_the_broadcast_shape():
    classes = ShapeClasses()
    classes.known = {"t": frozenset({"y", "z"}), "p": frozenset({"z"})}
    f = _function(
        "def f(y, z, p, t, g):\n    bt = unreduce(g, t)\n    bp = unbroadcast(bt * y, p)\n"
        "    bq = unbroadcast(bt * (1.0 - y), p)\n    bu = unbroadcast(unreduce(g, t) * y, p)\n"
        "    bv = unbroadcast(unreduce(g, t) * y, y)\n    return (bp, bq, bu, bv)"
    )
    spread_implicitly(f, classes)
    code = _code(f)
    assert "bt = g" in code, "every read sums a product with y down to p: t is y and p broadcast"
    assert "bu = unbroadcast(g * y, p)" in code
    assert "bv = unbroadcast(unreduce(g, t) * y, y)" in code, "t is larger than y broadcast with y"


def test_reduction_adjoint_becomes_a_number_when_its_products_cover_its_shape():
    classes = ShapeClasses()
    classes.known = {"d": frozenset({"a", "b"}), "e": frozenset({"a", "b", "c"})}
    f = _function(
        "def f(a, b, c, d, e, g):\n    bd = unreduce(g, d)\n    r = bd * a * np.cos(b)\n"
        "    be = unreduce(g, e)\n    s = be * a * b\n    return (r, s)"
    )
    spread_implicitly(f, classes)
    code = _code(f)
    assert "bd = g" in code, "a and cos(b) broadcast to d's shape"
    assert "be = unreduce(g, e)" in code, "c's axes would be missing"


def test_counts_of_broadcasts_read_the_names_they_broadcast():
    from tangent_lsp.engine.shape_passes import read_shapes_from_stable_names

    classes = ShapeClasses()
    classes.known = {"t": frozenset({"y", "z"}), "p": frozenset({"z"})}
    f = _function(
        "def f(y, X, w, g):\n    z = X @ w\n    p = np.sin(z)\n    t = y * np.log(p)\n"
        "    bt = g / reduced_count(t)\n    return bt"
    )
    f.body.insert(3, boundary())
    read_shapes_from_stable_names(f, classes, {"y", "X", "w", "z", "p", "t"}, {"t"})
    assert "bt = g / reduced_count(y, z)" in _code(f)


def test_a_product_needed_only_for_its_shape_is_not_computed():
    import numpy as np

    from tangent_lsp.engine import derive
    from tests.oracle import assert_gradients_match

    def ridge(w, X, y):
        r = X @ w - y
        return 0.5 * (r.T @ r) + 0.05 * (w.T @ w)

    source = "import numpy as np\n\n" + (
        "def ridge(w, X, y):\n    r = X @ w - y\n    return 0.5 * (r.T @ r) + 0.05 * (w.T @ w)\n"
    )
    code = derive(source, "ridge").code
    assert "gram_adjoint(bridge * 0.05, w)" in code, "gram_adjoint sums its seed down itself"
    assert "wT" not in code and "matmul_shape" not in code
    rng = np.random.default_rng(5)
    args = (rng.standard_normal(3), rng.standard_normal((6, 3)), rng.standard_normal(6))
    assert_gradients_match(ridge, args)


def _gram_plus_array(W, X, Z):
    r = X @ W
    return np.sum((0.5 * (r.T @ r) + Z) ** 2)  # the product broadcast into Z's shape


def _gram_vector_times_array(w, z):
    return np.sum(((w.T @ w) * 0.5) * z)


def _scaled_gram(W, X):
    r = X @ W
    return np.sum((0.5 * r.T @ r) ** 2)  # (0.5 * r.T) @ r: half of r.T @ r


def _scaled_gram_vector(w, z):
    return (w.T * -3.0 @ w) * np.sum(z)


@pytest.mark.parametrize("f, shapes", [
    (_scaled_gram, [(3, 2), (5, 3)]),
    (_scaled_gram_vector, [(3,), (4,)]),
    (_gram_plus_array, [(3, 2), (5, 3), (4, 2, 2)]),
    (_gram_plus_array, [(3, 2), (5, 3), (2,)]),
    (_gram_vector_times_array, [(3,), (4,)]),
], ids=["scaled", "scaled-vector", "matrix-into-3d", "matrix-row-broadcast", "vector-into-array"])
def test_gram_adjoint_of_a_product_broadcast_into_a_larger_result(f, shapes):
    rng = np.random.default_rng(8)
    args = tuple(rng.standard_normal(shape) * 0.5 for shape in shapes)
    assert "gram_adjoint(" in derivative_source(f).code
    assert_gradients_match(f, args)
    v = rng.standard_normal(shapes[0])
    expected = autograd.hessian_vector_product(_autograd_version(f))(*args, v)
    np.testing.assert_allclose(tangent_lsp.hvp(f)(*args, v), expected, rtol=1e-8)


def test_numbers_in_a_product_combine_before_the_arrays():
    from tangent_lsp.engine.shapes import ZERO_D

    classes = ShapeClasses()
    classes.known = {"s": ZERO_D}
    classes.scalars = {"n"}  # a Python number
    classes.adjoint_of = {"bs": "s"}
    f = _function(
        "def f(a, c, n, bs):\n    x = bs / a * 3.0 * c\n    y = a * 2.0\n    z = a / 2.0 / n\n"
        "    w = bs * a / reduced_count(a)\n    return (x, y, z, w)"
    )
    f.body.insert(0, boundary())
    code = _code(simplify_backward(f, "np", classes))
    assert "x = bs * 3.0 / a * c" in code, "the adjoint of a 0-d value is a number"
    assert "y = a * 2.0" in code and "z = a / 2.0 / n" in code, "one number, or a leading division"
    assert "w = bs / reduced_count(a) * a" in code


def test_inverse_square_roots_are_not_general_powers():
    f = _function("def f(x, g):\n    bx = g * 0.5 * x ** -0.5\n    return bx")
    f.body.insert(0, boundary())
    assert "bx = g * 0.5 / np.sqrt(x)" in _code(simplify_backward(f, "np"))


def test_a_number_on_both_sides_of_a_quotient_cancels():
    """The rule of ``np.sqrt`` (``g / (2.0 * y)``) meets the square's ``2.0 * v``."""
    f = _function(
        "def f(g, y, v):\n    a = g * 2.0 / (2.0 * y) * v\n    b = g / (2.0 * y) * 2.0 * v\n"
        "    c = 2.0 / (y * 2.0)\n    d = g * 3.0 / (2.0 * y)\n    e = g * 2.0 / (0.0 * y)\n"
        "    return (a, b, c, d, e)"
    )
    f.body.insert(0, boundary())
    code = _code(simplify_backward(f, "np"))
    assert "a = g / y * v" in code and "b = g / y * v" in code and "c = 1.0 / y" in code
    assert "d = g * 3.0 / (2.0 * y)" in code, "different numbers stay"
    assert "e = g * 2.0 / (0.0 * y)" in code, "a zero is not cancelled (0/0 is nan)"


def test_sqrt_of_a_square_has_the_right_gradient_in_both_modes():
    def f(v):
        y = np.sqrt(v * v + 1.0)
        return np.sum(y * v)

    x = np.array([0.3, -1.2, 2.5])
    assert_gradients_match(f, (x,))
    assert_jvp_matches(f, (x,))
    assert "/ (2.0 *" not in derivative_source(f).code


def test_hoisted_transpose_is_right_when_the_loop_runs_zero_times():
    import numpy as np

    import tangent_lsp
    from tests.oracle import assert_gradients_match

    def rnn_steps(h, W, n):
        for _ in range(n):
            h = np.tanh(h @ W.T)
        return np.sum(h * h)

    rng = np.random.default_rng(3)
    h, W = rng.standard_normal(3), rng.standard_normal((3, 3)) * 0.5
    for n in (0, 1, 3):
        assert_gradients_match(rnn_steps, (h, W, n), wrt=(0, 1), autograd=False)
    gh, gW = tangent_lsp.grad(rnn_steps, wrt=(0, 1))(h, W, 0)
    assert np.allclose(gh, 2.0 * h) and np.allclose(gW, 0.0)


def test_invariant_reads_and_sizes_move_before_the_loop(tmp_path):
    """``params["W"]`` inside a loop is read once before it: no tape entry per step, and
    the read's adjoint is added into ``bparams`` once, after the loop. ``2 * H``, a slice
    bound, stays in the slice (no temporary to tape)."""
    import numpy as np

    import tangent_lsp
    from tangent_lsp.engine import derive
    from tests.engine.trees import central, random_like

    source = (
        "import numpy as np\n\ndef gates(params, xs):\n    H = params['W'].shape[1]\n"
        "    h = np.zeros(H)\n    for t in range(xs.shape[0]):\n"
        "        z = params['W'] @ h + params['U'] @ xs[t]\n"
        "        h = np.tanh(z[:H]) * np.tanh(z[H:2 * H])\n    return np.sum(h ** 2)\n"
    )
    code = derive(source, "gates").code
    loop = code.split("for t in steps:")[1].split("# Grad of")[0]
    assert "params[" not in loop and "z[H:2 * H]" in loop, code  # the bound as written
    import importlib.util

    path = tmp_path / "gates_model.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("gates_model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    namespace = vars(module)
    rng = np.random.default_rng(2)
    params = {"W": rng.standard_normal((6, 3)) * 0.5, "U": rng.standard_normal((6, 2))}
    xs = rng.standard_normal((4, 2))
    for steps in (0, 1, 4):
        args = (params, xs[:steps])
        gradient = tangent_lsp.grad(namespace["gates"])(*args)
        direction = random_like(params, rng)
        expected = central(namespace["gates"], args, 0, direction)
        ours = sum(np.sum(gradient[k] * direction[k]) for k in params)
        assert np.isclose(ours, expected, rtol=1e-6, atol=1e-8), (steps, ours, expected)


def test_a_zero_dimensional_operand_keeps_the_other_operands_shape():
    from tangent_lsp.engine import derive

    source = (
        "import numpy as np\n\ndef f(x):\n    m = np.max(x)\n    e = np.exp(x - m)\n"
        "    return np.sum(e * e) / np.sum(e)\n"
    )
    code = derive(source, "f").code
    assert "unbroadcast(" not in code.split("# Grad of: m = np.max(x)")[-1]


def test_first_write_of_a_dict_entry_assigns_later_ones_add(tmp_path):
    import importlib.util

    import numpy as np

    import tangent_lsp
    from tangent_lsp.engine import derive
    from tests.oracle import finite_differences

    source = (
        "import numpy as np\n\ndef loss(params, x):\n    a = np.sum(params['w'] * x)\n"
        "    b = np.sum(params['w'] * params['v'])\n    for i in range(2):\n"
        "        a = a + np.sum(params['u'] * i)\n    return a * b\n"
    )
    code = derive(source, "loss").code
    assert "bparams['v'] = " in code and "bparams['v'] + " not in code
    assert "bparams['w'] = bparams['w'] + " in code, "the second write of 'w' adds"
    # the loop's read of 'u' moved before it: the loop adds into bu, then one write
    assert "bu += " in code and "bparams['u'] = bu" in code
    path = tmp_path / "dict_loss.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("dict_loss", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rng = np.random.default_rng(5)
    params = {k: rng.standard_normal(3) for k in "wvu"}
    x = rng.standard_normal(3)
    grads = tangent_lsp.grad(module.loss)(params, x)
    for key, value in params.items():
        def partial(v, key=key):
            return module.loss({**params, key: v}, x)

        expected = finite_differences(partial, (value,), (0,))[0]
        np.testing.assert_allclose(grads[key], expected, rtol=1e-6, atol=1e-8)



def _powers(x):
    return np.sum(x ** 3 + np.power(x, 0.5) + x ** 2)


def test_forward_mode_folds_the_numbers_rules_leave_in_tangents():
    code = derivative_source(_powers, mode="forward").code
    assert "x ** 2" in code and "dx * 2 * x" in code and "1.0)" not in code, code
    assert "!=" not in code and "0.5 / np.sqrt(x)" in code, code
    x, v = np.array([0.5, 1.5, 2.0]), np.array([1.0, -2.0, 0.5])
    expected = (_powers(x + 1e-6 * v) - _powers(x - 1e-6 * v)) / 2e-6
    assert abs(jvp(_powers)(x, v) - expected) < 1e-6


def layer_norm(x, g, b):
    mu = np.mean(x, axis=-1, keepdims=True)
    var = np.var(x, axis=-1, keepdims=True)
    xh = (x - mu) / np.sqrt(var + 1e-5)
    return np.sum(xh * g + b)


def test_a_rule_reuses_a_reduction_spelled_with_its_axis_by_name():
    """np.var's adjoint asks for np.mean(x, -1, keepdims=True); the function computed
    np.mean(x, axis=-1, keepdims=True) as mu: read mu, not the mean again."""
    code = derivative_source(layer_norm).code
    assert "(x - mu)" in code and "np.mean(x, -1" not in code
    rng = np.random.default_rng(2)
    x, v = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    g, b = rng.normal(size=4), rng.normal(size=4)
    from tangent_lsp import grad
    expected = (layer_norm(x + 1e-6 * v, g, b) - layer_norm(x - 1e-6 * v, g, b)) / 2e-6
    assert np.isclose(np.sum(grad(layer_norm)(x, g, b) * v), expected, rtol=1e-5)


def test_reductions_of_arrays_the_code_computed_become_methods():
    f = _function(
        "def f(x, g):\n    e = np.exp(x)\n    s = np.sum(e, axis=0)\n    t = -(2.0 * e.T)\n"
        "    u = np.max(t, 1, keepdims=True)\n    v = np.sum(x)\n    w = [e]\n    k = np.sum(w)\n"
        "    for q in w:\n        n = np.sum(q)\n    a, b = e, e\n    c = np.mean(a)\n"
        "    z = 'n=%s' % e\n    p = np.sum(z)\n    return s + u + v + k + n + c + p"
    )
    code = _code(reductions_as_methods(f, "np"))
    assert "s = e.sum(axis=0)" in code and "u = t.max(1, keepdims=True)" in code
    for kept in ("np.sum(x)", "np.sum(w)", "np.sum(q)", "np.mean(a)", "np.sum(z)"):
        assert kept in code, f"{kept}: a parameter, a list, a loop variable, unpacked, a string"


def test_a_reduction_method_and_the_seed_keep_an_array_an_array():
    """``e.sum()`` of an array is a NumPy scalar; the seed is a number or an array, so
    ``bf / e.sum() * e`` is an array (logsumexp's adjoint)."""
    source = (
        "def f(x, bf):\n    e = np.exp(x)\n    t = bf / e.sum() * e\n    u = np.sum(t)\n"
        "    v = bf * x\n    k = np.sum(v)\n    s = [e]\n    q = np.sum(s.pop())\n"
        "    return u + k + q"
    )
    code = _code(reductions_as_methods(_function(source), "np", "bf"))
    assert "u = t.sum()" in code
    assert "np.sum(v)" in code and "np.sum(s.pop())" in code, "a parameter's product, a list's pop"
    assert "np.sum(t)" in _code(reductions_as_methods(_function(source), "np")), "bf: any value"


def _logsumexp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


@pytest.mark.parametrize("seed", [2.5, np.float64(-1.5), np.array(0.5)])
def test_the_seed_times_a_reduction_method_is_right_for_any_seed(seed):
    assert ".sum()" in derivative_source(_logsumexp).code
    x = np.random.default_rng(5).standard_normal(7)
    gradient = tangent_lsp.grad(_logsumexp)
    expected = autograd.grad(_autograd_version(_logsumexp))(x) * seed
    np.testing.assert_allclose(gradient(x, seed), expected, rtol=1e-10)
    assert_gradients_match(_logsumexp, (x,))


def test_reductions_as_methods_differentiate_again():
    def f(x):
        e = np.exp(x * x)
        m = np.max(e, axis=0)
        return np.sum(np.sum(e, axis=1) * np.mean(e)) + np.sum(m * m)

    x = np.random.default_rng(3).standard_normal((3, 4)) * 0.5
    assert "e.sum(axis=1)" in derivative_source(f).code
    assert_gradients_match(f, (x,))
    v = np.random.default_rng(4).standard_normal(x.shape)
    expected = autograd.hessian_vector_product(_autograd_version(f))(x, v)  # hvp reads the methods' own rules
    np.testing.assert_allclose(tangent_lsp.hvp(f)(x, v), expected, rtol=1e-8)
    assert_jvp_matches(f, (x,))


def _mean_of_squares(x, w):
    t = x * w
    return np.sum(np.mean(t ** 2, axis=0))


def _sums_over_axes(x, w):
    t = np.tanh(x * w)
    return np.sum(np.sum(t, axis=1) ** 2) + np.mean(np.max(t * t, axis=0))


def _weighted_mean(x, v):
    t = x * x
    return np.sum(np.mean(t, axis=0) * v)  # the mean's adjoint is v, not one number


def _kept_dims(x, w):
    t = np.exp(x) * w
    return np.mean(np.sum(t, axis=-1, keepdims=True) * 3.0)


@pytest.mark.parametrize("f, shapes, absent", [
    (_mean_of_squares, [(4, 3), (3,)], ("mean(", "t ** 2")),
    (_sums_over_axes, [(4, 3), (4, 1)], ()),  # the max's and the sum's values are needed
    (_weighted_mean, [(4, 3), (3,)], ()),
    (_kept_dims, [(2, 4, 3), (3,)], ()),  # bt * w: w alone has not t's shape
], ids=["mean-of-squares", "sum-and-max-over-axes", "weighted-mean", "keepdims"])
def test_a_number_spread_over_a_reduction_is_not_computed_for_its_shape(f, shapes, absent):
    rng = np.random.default_rng(11)
    args = tuple(rng.standard_normal(shape) * 0.7 for shape in shapes)
    code = derivative_source(f).code
    statements = [line for line in code.splitlines() if not line.strip().startswith("#")]
    for text in absent:  # computed only for its shape before
        assert not any(text in line for line in statements), code
    assert_gradients_match(f, args)
    assert_gradients_match(f, args, wrt=(1,))
    v = rng.standard_normal(shapes[0])
    expected = autograd.hessian_vector_product(_autograd_version(f))(*args, v)
    np.testing.assert_allclose(tangent_lsp.hvp(f)(*args, v), expected, rtol=1e-7, atol=1e-10)


def test_summaries_handed_from_dead_code_to_propagation_are_current(monkeypatch):
    """Dead-code elimination gives propagation the name summaries it computed; they must
    be what a fresh walk of each statement gives (nothing may change a statement between)."""
    from tangent_lsp.engine import derive, propagate
    from tangent_lsp.engine import syntax as S

    checked = []
    original = optimize.propagate_assignments

    def check(function, inlinable, mergeable=frozenset(), summaries=None):
        for stmt, summary in (summaries or {}).values():
            fresh = S.name_summary(stmt)
            assert list(summary[0].items()) == list(fresh[0].items())
            assert summary[1:] == fresh[1:]
            checked.append(stmt)
        return original(function, inlinable, mergeable, summaries)

    monkeypatch.setattr(optimize, "propagate_assignments", check)
    source = (
        "import numpy as np\n\n"
        "def f(x, w, n):\n    h = x\n    hs = []\n    for i in range(n):\n"
        "        hs.append(h)\n        h = np.tanh(h * w + x[i])\n"
        "    a, b = h * 2.0, h[0]\n    return np.sum(h ** 2) + a[0] * b + hs[0][0]\n"
    )
    derive(source, "f", wrt=("x", "w"))
    assert checked and propagate.propagate_assignments is original


def test_two_numbers_in_a_row_of_a_product_are_one():
    f = _function(
        "def f(g, a, n):\n    x = g * 0.5 * 2.0 / n * a\n    y = g * 3.0 / 2.0 * a\n"
        "    z = a * 2.0 / 0.0\n    return (x, y, z)"
    )
    f.body.insert(0, boundary())
    code = _code(simplify_backward(f, "np", ShapeClasses()))
    assert "x = g / n * a" in code and "y = 1.5 * g * a" in code
    assert "z = a * 2.0 / 0.0" in code, "a division by zero stays as written"


def test_folded_numbers_keep_the_gradient():
    def relu_loss(W, X, y):
        r = np.maximum(X @ W, 0.0) - y
        return 0.5 * np.sum(r * r) / X.shape[0] * 4.0 / 2.0

    rng = np.random.default_rng(2)
    args = (rng.standard_normal((3, 2)), rng.standard_normal((5, 3)), rng.standard_normal((5, 2)))
    assert "* 0.5" not in derivative_source(relu_loss).code.split("# Grad of")[1]
    assert_gradients_match(relu_loss, args)


def _mean_over_last_axis(x):
    return np.sum(np.mean(x, axis=-1)) * 3.0


def _sum_over_two_axes(x):
    return np.sum(np.sum(x * x, axis=(1, 2)))


def _mean_over_axis_one(x):
    m = np.mean(x, axis=1)
    return np.sum(m)


@pytest.mark.parametrize("f, shape", [
    (_mean_over_last_axis, (2, 3, 4)), (_sum_over_two_axes, (2, 3, 4)), (_mean_over_axis_one, (3, 4)),
], ids=["mean-last-axis", "sum-two-axes", "mean-axis-one"])
def test_one_number_spread_over_a_reduction_past_its_first_axis(f, shape):
    """The number reaches ``unreduce`` with the axis: it must spread over every axis, not
    have the reduced axes inserted into a 0-d value."""
    x = np.random.default_rng(6).standard_normal(shape)
    assert_gradients_match(f, (x,))
    v = np.random.default_rng(7).standard_normal(shape)
    expected = autograd.hessian_vector_product(_autograd_version(f))(x, v)
    np.testing.assert_allclose(tangent_lsp.hvp(f)(x, v), expected, rtol=1e-8, atol=1e-12)


def _indices_summed(x):
    idx = np.where(x > 0.0)
    return np.sum(x ** 2) * np.sum(idx)


def _mantissas_summed(x, k):
    q = np.frexp(k)
    r = np.modf(k) * 1
    return np.sum(x * x) * np.sum(q) + np.sum(r)


def test_tuples_from_numpy_keep_np_sum():
    x, k = np.array([0.3, -0.7, 1.2]), np.array([1.5, 3.0, 0.25])
    assert_gradients_match(_indices_summed, (x,))
    assert_gradients_match(_mantissas_summed, (x, k))
    assert_jvp_matches(_indices_summed, (x,), autograd=False)


def _squared_then_summed(x):
    c = np.tanh(x) + 0.5 * x
    d = c * c * np.cos(x)
    return np.sum(d)


def test_a_square_has_its_operands_shape():
    """``c * c`` is bound as a square; its shape is ``c``'s, so the seed of ``np.sum(d)``
    broadcasts by itself and ``d`` is not computed for its shape."""
    code = derivative_source(_squared_then_summed).code
    assert "unreduce" not in code and "\n    d = " not in code, code
    x = np.random.default_rng(9).standard_normal(5)
    assert_gradients_match(_squared_then_summed, (x,))


def test_nested_loops_cost_dead_code_elimination_their_depth_not_an_exponential(monkeypatch):
    """Each loop's fixed point asked its body again on every round, so ten nested loops
    swept the innermost body 3 ** 10 times (20 s). Counted, not timed: the sweeps of one
    derive grow with the depth."""
    from tangent_lsp.engine import dead_code

    calls = []
    original = dead_code._dce

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(dead_code, "_dce", counted)

    def sweeps(depth: int) -> int:
        loops = "".join("    " * (k + 1) + f"for i{k} in range(2):\n" for k in range(depth))
        source = ("import numpy as np\n\n\ndef f(x):\n" + loops + "    " * (depth + 1)
                  + "x = x * 2\n    return np.sum(x)\n")
        calls.clear()
        tangent_lsp.derive(source, "f")
        return len(calls)

    assert sweeps(10) - sweeps(9) < 3 * (sweeps(5) - sweeps(4)) + 60


def test_a_constructors_shape_stays_as_written():
    """``np.ones((T, T))`` is not ``np.ones(np.array((T, T)))``: a shape is not an operand."""
    source = ("import numpy as np\n\n\ndef f(x):\n    T = x.shape[0]\n"
              "    m = np.tril(np.ones((T, T), dtype=bool))\n"
              "    return np.sum(np.where(m, np.outer(x, x), 0.0))\n")
    code = tangent_lsp.derive(source, "f").code
    assert "np.ones((T, T), dtype=bool)" in code and "np.array(" not in code


def sigmoid_total(x):
    return np.sum(1.0 / (1.0 + np.exp(-x)))


def test_a_sign_inside_unbroadcast_cancels_the_one_outside():
    """``-(unbroadcast(-g / t / t, x) * e)`` was left as written: the leading minus of a
    product moves out of the linear unbroadcast and meets the other. (The seed of this
    array result is spread over x now, `-unreduce(g, x) * e` → `-g * e`: no unbroadcast.)"""
    source = "import numpy as np\n\n\ndef sigmoid(x):\n    return 1.0 / (1.0 + np.exp(-x))\n"
    code = tangent_lsp.derive(source, "sigmoid").code
    assert "bx = bsigmoid / t2 / t2 * exp_t" in code and "-(" not in code
    assert_gradients_match(sigmoid_total, (np.array([0.3, -1.2, 2.0]),))


def total_over_a_loop(x, W):
    total = 0.0
    h = x
    for _ in range(4):
        h = np.tanh(W @ h)
        total = total + np.sum(h ** 2)
    return total


def arrays_added_to_a_number(x):  # 0.0, then arrays: its shape changes, unbroadcast stays
    total = 0.0
    for k in range(3):
        total = total + x * (k + 1.0)
    return np.sum(total ** 2)


def test_a_float_accumulator_is_not_taped_in_a_loop():
    """``total = 0.0``, then ``total + np.sum(...)``: shape () whatever it holds, so its
    gradient is the seed and nothing of it is pushed (was: the shapes of ``total`` and of
    each ``np.sum`` pushed and popped at every step, and two unbroadcast calls)."""
    source = ("import numpy as np\n\n\ndef f(x, W):\n    total = 0.0\n    h = x\n"
              "    for _ in range(4):\n        h = np.tanh(W @ h)\n"
              "        total = total + np.sum(h ** 2)\n    return total\n")
    code = tangent_lsp.derive(source, "f", wrt=("x", "W")).code
    statements = [line.strip() for line in code.splitlines() if "#" not in line]
    assert "shape_of" not in code and "unbroadcast" not in code, code
    assert not any(line.startswith("total") for line in statements), code
    rng = np.random.default_rng(3)
    args = (rng.normal(size=3), rng.normal(size=(3, 3)) * 0.5)
    assert_gradients_match(total_over_a_loop, args, wrt=(0, 1))
    assert_gradients_match(arrays_added_to_a_number, (rng.normal(size=3),))


def depthwise(K, x):
    C, H = x.shape[0], x.shape[1] - 2
    out = np.zeros((C, H, H))
    for c in range(C):
        for i in range(3):
            for j in range(3):
                out[c] += K[c, i, j] * x[c, i:i + H, j:j + H]
    return np.sum(np.tanh(out))


def test_an_array_adjoint_written_by_element_in_a_loop_is_copied_once():
    """``bout[c] = 0.0`` in the backward loop needs ``bout`` owned: it was copied whole on
    every step (``bout = bout.copy()`` in the innermost loop: quadratic, 11x the function's
    time at 128 channels); not at all here, where arithmetic made ``bout`` before the loop.
    And ``out[c] = tape.pop()``, restoring what nothing reads, is gone with its push (a
    dead pop kept ``out`` live for the next step)."""
    code = derivative_source(depthwise, wrt=(0, 1)).code
    before_loop = code.split("for c in reversed(steps):")[0]
    assert "bout = unreduce(" in before_loop and ".copy()" not in before_loop, code
    assert code.count(".copy()") == 1 and "bout = bout.copy()" not in code, code
    assert "out[c] = tape.pop()" not in code and "tape.append(out[c].copy())" not in code, code
    rng = np.random.default_rng(8)
    args = (rng.normal(size=(2, 3, 3)), rng.normal(size=(2, 5, 5)))
    assert_gradients_match(depthwise, args, wrt=(0, 1), autograd=False)


def final_error(x0, target):  # an array result: its seed has a shape of its own
    x = x0
    for _ in range(3):
        x = x + 0.1 * np.sin(x)
    return (x - target) ** 2


def weighted_final_error(x0, target):
    return np.sum(final_error(x0, target) * np.array([1.0, -2.0, 0.5]))


def test_a_shape_read_does_not_compute_a_value():
    """``unbroadcast(g, t3 ** 2)``: a value computed only for its shape, which its operand
    gives (an elementwise function, a power, an operand the other broadcasts into)."""
    code = derivative_source(final_error).code
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("unbroadcast", "unreduce"):
            assert isinstance(node.args[1], ast.Name), code
    args = (np.array([0.3, -1.2, 2.0]), np.array([1.0, 0.5, -0.5]))
    assert_gradients_match(weighted_final_error, args, wrt=(0, 1))


def stepper_with_constants(x, dt, burn, n):
    for _ in range(n):
        K = np.array([[1.0, -1.0], [-1.0, 1.0]])
        thrust = dt * burn
        x = x + thrust * np.sin(2 * np.pi * x) + 0.1 * (K @ x)
    return np.sum(x * x)


def constant_written_in_the_loop(x, n):
    total = 0.0
    for i in range(n):
        acc = np.zeros(2)  # a fresh array each step: written into below, it stays
        acc[0] = acc[0] + np.sum(x) * i
        total = total + np.sum(acc * x)
    return total


def test_loop_invariant_values_move_before_the_loop():
    """``np.array([...])``, ``dt * burn``, ``2 * np.pi`` on every step were recomputed and
    taped once per step; computed once before the loop, the backward loop reads them."""
    from tangent_lsp.engine import derive

    source = "import numpy as np\n\n\n" + inspect.getsource(stepper_with_constants)
    code = derive(source, "stepper_with_constants", wrt=("x", "dt", "burn")).code
    loop = code.index("for _ in steps")
    for line in ("K = np.array(", "thrust = dt * burn", "2 * np.pi"):
        assert code.index(line) < loop, line
    assert "tape.append(K)" not in code and "tape.append(thrust)" not in code
    source = "import numpy as np\n\n\n" + inspect.getsource(constant_written_in_the_loop)
    code = derive(source, "constant_written_in_the_loop").code
    assert code.index("acc = np.zeros(2)") > code.index("for i in steps")


@pytest.mark.parametrize("n", [0, 1, 3])
def test_gradients_with_loop_invariant_values_moved(n):
    rng = np.random.default_rng(5)
    x = rng.standard_normal(2)
    assert_gradients_match(stepper_with_constants, (x, 0.3, np.array([0.5, 2.0]), n),
                           wrt=(0, 1, 2), autograd=False)
    assert_gradients_match(constant_written_in_the_loop, (x, n), autograd=False)


def assemble(k, n):
    K = np.zeros((n + 1, n + 1))
    for e in range(n):
        K[e:e + 2, e:e + 2] += k[e] * np.array([[1.0, -1.0], [-1.0, 1.0]])
    return np.sum(K * K) + np.sum(K[1:n, n - 1:] ** 3)


def test_slice_bounds_stay_in_the_slice():
    """``K[e:e + 2, e:e + 2]`` made four temporaries ``e + 2``, each taped every step."""
    from tangent_lsp.engine import derive

    code = derive("import numpy as np\n\n\n" + inspect.getsource(assemble), "assemble").code
    assert "bK[e:e + 2, e:e + 2]" in code and "= e + 2" not in code, code


@pytest.mark.parametrize("order", ["forward over reverse", "reverse over reverse"])
def test_gradients_with_slice_bounds_in_the_slice(order):
    from tests.oracle import assert_second_derivative_matches

    k = np.random.default_rng(4).uniform(1.0, 2.0, size=4)
    assert_gradients_match(assemble, (k, 4), autograd=False)
    assert_second_derivative_matches(order, assemble, (k, 4), 0, 0)


def test_a_branch_of_a_conditional_expression_is_not_named_again():
    from tangent_lsp.engine import derive

    source = ("import numpy as np\n\n\ndef f(x, flag):\n    y = np.sin(x)\n"
              "    return np.sum(y) if flag > 0 else np.sum(y * y)\n")
    code = derive(source, "f").code
    assert code.count("# Grad of: return") == 1, code


def _number_times(x, w):
    return np.sum(np.sum(x * x) * w + x)


def _squared_norm(x):
    return np.sum(x * x)


def _number_from_a_callee(x, w):
    return np.sum(_squared_norm(x) * w + x)


def _numbers_in_a_loop(X, w):
    out = np.zeros(X.shape[0])
    for i in range(X.shape[0]):
        out[i] = _squared_norm(X[i] * w)
    return np.sum(out ** 2)


@pytest.mark.parametrize("function", [_number_times, _number_from_a_callee, _numbers_in_a_loop])
def test_a_numbers_adjoint_is_a_sum_not_an_unbroadcast_to_a_recomputed_value(function):
    """``unbroadcast(g, s)`` with ``s`` of shape (): ``np.sum(g)``. It read the function's
    own value (``np.sum(t2)``) computed again just for its shape."""
    x, w = np.random.default_rng(4).normal(size=(2, 3))
    args = (np.outer(x, w), w) if function is _numbers_in_a_loop else (x, w)
    in_place = function is _numbers_in_a_loop  # `out[i] = ...`: not autograd's
    assert_gradients_match(function, args, (0, 1), autograd=not in_place)
    code = derivative_source(function, wrt=(0, 1)).code.split("\ndef d_squared")[0]
    assert "np.sum(bt * w)" in code or "= np.sum(bout[i])" in code
    assert "np.sum(t2)" not in code and ".sum())" not in code and "copy())" not in code


def _sums_of_rows(x):
    m = np.max(x, axis=1, keepdims=True)
    return np.sum(m[:, 0] + np.log(np.sum(np.exp(x - m), axis=1)))


def _sum_of_squares_and_products(x, y):
    c = np.concatenate([x, y * 2.0])
    s = np.stack([x, y], axis=1)
    return np.sum(c ** 2) + np.sum(s[:, 0] * s[:, 1])


@pytest.mark.parametrize("function", [_sums_of_rows, _sum_of_squares_and_products])
def test_forward_mode_computes_no_value_only_for_the_shape_of_a_number(function):
    """``broadcast_like(t, y)`` with ``y`` of shape (), or of ``t``'s shape, is ``t``: the
    function's value (``y``) was computed only for that shape."""
    rng = np.random.default_rng(5)
    args = (rng.normal(size=(3, 4)),) if function is _sums_of_rows else tuple(rng.normal(size=(2, 3)))
    assert_jvp_matches(function, args, (0,))
    code = derivative_source(function, wrt=(0,), mode="forward").code
    code = "\n".join(line for line in code.splitlines() if "#" not in line)
    assert "broadcast_like(" not in code
    assert f" {function.__name__} =" not in code and "np.log(" not in code


def _grid_sum(w, X):
    s = 0.0
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):  # the inner range: the same on every outer step
            s = s + np.cos(X[i, j] * w) * X[i, j]
    return s


def _rows_grow(w, X):
    s = 0.0
    for i in range(X.shape[0]):
        for j in range(i + 1):  # depends on the outer step: stays inside
            s = s + np.cos(X[i, j] * w)
    return s


@pytest.mark.parametrize("function", [_grid_sum, _rows_grow])
def test_an_inner_loops_range_moves_before_the_outer_loop_when_it_can(function):
    """``range(X.shape[1])`` inside the outer loop was computed and taped every outer
    step (``tape.append(steps2)``)."""
    X = np.random.default_rng(8).normal(size=(3, 3))
    assert_gradients_match(function, (0.7, X), (0, 1))
    for order in ORDERS:
        assert_second_derivative_matches(order, function, (0.7, X), 0, 1)
    code = derivative_source(function, wrt=(0,)).code
    outer = code.index("for i in steps")
    if function is _grid_sum:
        assert code.index("steps2 = range(X.shape[1])") < outer
        assert "tape.append(steps2)" not in code
    else:
        assert code.index("steps2 = range(") > outer


def _row_max_logsumexp(x):
    m = np.max(x, axis=1, keepdims=True)
    return np.sum(m[:, 0] + np.log(np.sum(np.exp(x - m), axis=1)))


def test_a_value_arithmetic_made_is_written_into_without_a_copy():
    """``bm = -unbroadcast(bt, m)`` is a new array: ``bm[:, 0] += ...`` needs no
    ``bm = bm.copy()`` before it."""
    x = np.random.default_rng(9).normal(size=(3, 4))
    assert_gradients_match(_row_max_logsumexp, (x,))
    for order in ORDERS:
        assert_second_derivative_matches(order, _row_max_logsumexp, (x,), 0, 0)
    code = derivative_source(_row_max_logsumexp).code
    assert "bm = -unbroadcast(bt, m)\n    bm[:, 0] += " in code
    assert ".copy()" not in code


def _spreads(x):
    return np.std(x) + np.sum(np.var(x, axis=0, ddof=1)) + np.sum(x.std(1))


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_var_and_std_count_their_divisor_without_computing_a_reduction(mode):
    """The divisor of var and std is a count: the derivative computed ``np.var(x, axis=0)``
    again for its size, and forward mode printed ``- 0`` for the default ddof."""
    x = np.random.default_rng(6).normal(size=(4, 3))
    if mode == "reverse":
        assert_gradients_match(_spreads, (x,), (0,))
    else:
        assert_jvp_matches(_spreads, (x,), (0,))
    code = derivative_source(_spreads, wrt=(0,), mode=mode).code
    code = "\n".join(line for line in code.splitlines() if "#" not in line)
    assert "np.var(" not in code and "np.size(" not in code and "- 0" not in code
    assert "reduced_count(x, axis=0, ddof=1)" in code
    assert ", None" not in code  # `np.mean(x, None, keepdims=True)`: an axis by keyword


@pytest.mark.parametrize("returned, kept", [("y", False), ("bx", True)])
def test_an_augmented_assignment_reads_and_writes_its_name(returned, kept):
    """``bx += g`` reads ``bx``: it keeps ``bx = np.zeros(...)`` alive, and goes with it when
    nothing reads ``bx`` after (it had stayed, alone: an UnboundLocalError)."""
    f = _function(
        "def f(x, g):\n    bx = np.zeros(np.shape(x))\n    y = g * 2.0\n    bx += g\n"
        f"    return {returned}"
    )
    code = _code(optimize.eliminate_dead_code(f))
    assert ("bx = np.zeros" in code) is kept and ("bx += g" in code) is kept


def _filter(A, x0, ys):  # a Kalman-like recursion: x[0] and P[0] written into each step
    x = x0
    P = np.eye(2)
    total = 0.0
    for y in ys:
        x = A @ x
        P = A @ P @ A.T + 0.1 * np.eye(2)
        S = P[0, 0] + 0.5
        K = P[:, 0] / S
        r = y - x[0]
        x = x + K * r
        P = P - np.outer(K, P[0])
        total = total + r ** 2 / S + np.log(S)
    return total


def test_an_adjoint_just_made_by_np_zeros_is_not_copied_before_the_loop():
    """``bP = np.zeros(...)``, ``bx = np.zeros(...)``, then ``bP = bP.copy()`` and
    ``bx = bx.copy()``: new arrays, copied before the loop writes into them."""
    rng = np.random.default_rng(7)
    args = (np.eye(2) * 0.9 + rng.normal(size=(2, 2)) * 0.1, rng.normal(size=2), rng.normal(size=4))
    assert_gradients_match(_filter, args, (0, 1))
    code = derivative_source(_filter, wrt=(0, 1)).code
    before_the_loop = code[:code.index("for i in reversed")]
    assert "np.zeros(np.shape(P))" in before_the_loop and ".copy()" not in before_the_loop
