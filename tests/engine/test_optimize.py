"""Unit tests of the optimizer passes, on small hand-written functions."""

import gast

from tangent_lsp.engine import emit, optimize
from tangent_lsp.engine.shape_passes import drop_noop_unbroadcast
from tangent_lsp.engine.shapes import ShapeClasses
from tangent_lsp.engine.syntax import boundary


def _function(source: str) -> gast.FunctionDef:
    return gast.parse(source).body[0]


def _code(function: gast.FunctionDef) -> str:
    return emit.to_source(function).strip()


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


def test_simplification_keeps_shapes():
    f = _function(
        "def f(x, g):\n    a = g * 0\n    b = 1.0 * g * x ** (2 - 1.0)\n    c = -(-g)\n    return a"
    )
    f.body.insert(0, boundary())  # only the backward sweep is simplified
    code = _code(optimize.simplify_backward(f))
    assert "a = g * 0" in code, "x * 0 is never folded: it would lose the array's shape"
    assert "b = g * x" in code
    assert "c = g" in code


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
