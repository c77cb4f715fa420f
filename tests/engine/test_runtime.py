"""Unit tests of ``tangent_lsp.runtime`` against NumPy, without the engine.

Most helpers are adjoints of linear maps L (broadcasting, reductions, reshapes,
products with a fixed operand...). For those the defining property is the
adjoint identity <L*(g), v> == <g, L(v)> for random g and v, plus exact
shapes and float dtypes; the nonlinear ones are checked by finite differences.
"""

import numpy as np
import pytest

from tangent_lsp import runtime as rt
from tests.oracle import finite_differences

rng = np.random.default_rng(0)


def rand(*shape):
    return rng.standard_normal(shape)


def check_adjoint(forward, adjoint, x):
    """``adjoint`` is the adjoint of the linear map ``forward`` at inputs shaped like ``x``."""
    v = rand(*np.shape(x))
    y = forward(v)
    g = rand(*np.shape(y))
    back = adjoint(g, x)
    assert np.shape(back) == np.shape(x)
    assert np.issubdtype(np.asarray(back).dtype, np.floating)
    assert np.isclose(np.sum(back * v), np.sum(g * y))


B = rand(4, 5)
B3 = rand(2, 4, 5)
T345 = rand(3, 4, 5)

LINEAR = {
    # name: (forward(v), adjoint(g, x), x)
    "unbroadcast-(3,1)": (lambda v: v + np.zeros((3, 4)), rt.unbroadcast, rand(3, 1)),
    "unbroadcast-(4,)": (lambda v: v + np.zeros((2, 3, 4)), rt.unbroadcast, rand(4)),
    "unbroadcast-(1,4)": (lambda v: v + np.zeros((5, 3, 4)), rt.unbroadcast, rand(1, 4)),
    "unbroadcast-scalar": (lambda v: v + np.zeros((3, 4)), rt.unbroadcast, rand()),
    "unbroadcast-same": (lambda v: v * 1.0, rt.unbroadcast, rand(3, 4)),
    "unreduce-None": (np.sum, lambda g, x: rt.unreduce(g, x), rand(3, 4)),
    "unreduce-0": (lambda v: np.sum(v, 0), lambda g, x: rt.unreduce(g, x, 0), rand(3, 4)),
    "unreduce--1-keepdims": (lambda v: np.sum(v, -1, keepdims=True),
                             lambda g, x: rt.unreduce(g, x, -1, True), rand(2, 3, 4)),
    "unreduce-(0,2)": (lambda v: np.sum(v, (0, 2)), lambda g, x: rt.unreduce(g, x, (0, 2)), rand(2, 3, 4)),
    "unreduce-None-keepdims": (lambda v: np.sum(v, keepdims=True),
                               lambda g, x: rt.unreduce(g, x, None, True), rand(2, 3)),
    "uncumsum-None": (np.cumsum, lambda g, x: rt.uncumsum(g, x), rand(3, 4)),
    "uncumsum-1": (lambda v: np.cumsum(v, 1), lambda g, x: rt.uncumsum(g, x, 1), rand(3, 4)),
    "tensordot-a": (lambda v: np.tensordot(v, T345, 2), lambda g, x: rt.tensordot_adjoint_a(g, x, T345, 2), rand(2, 3, 4)),
    "tensordot-b": (lambda v: np.tensordot(T345, v, ([0, 2], [1, 0])),
                    lambda g, x: rt.tensordot_adjoint_b(g, T345, x, ([0, 2], [1, 0])), rand(5, 3, 2)),
    "dot-a-2d": (lambda v: np.dot(v, B), lambda g, x: rt.dot_adjoint_a(g, x, B), rand(3, 4)),
    "dot-b-nd": (lambda v: np.dot(T345, v), lambda g, x: rt.dot_adjoint_b(g, T345, x), rand(2, 5, 6)),
    "dot-b-scalar": (lambda v: np.dot(B, v), lambda g, x: rt.dot_adjoint_b(g, B, x), rand()),
    "matmul-a-batched": (lambda v: v @ B3, lambda g, x: rt.matmul_adjoint_a(g, x, B3), rand(3, 1, 2, 4)),
    "matmul-b-broadcast": (lambda v: T345 @ v, lambda g, x: rt.matmul_adjoint_b(g, T345, x), rand(5, 2)),
    "matmul-a-vector": (lambda v: v @ B3, lambda g, x: rt.matmul_adjoint_a(g, x, B3), rand(4)),
    "matmul-b-vector": (lambda v: T345 @ v, lambda g, x: rt.matmul_adjoint_b(g, T345, x), rand(5)),
    # the outer products (written as ``g[:, None] * b``): float64, float32 and int operands
    "matmul-a-times-vector": (lambda v: v @ B[0], lambda g, x: rt.matmul_adjoint_a(g, x, B[0]), rand(3, 5)),
    "matmul-a-times-float32-vector": (lambda v: v @ B[0].astype(np.float32),
                                      lambda g, x: rt.matmul_adjoint_a(g, x, B[0].astype(np.float32)),
                                      rand(3, 5)),
    "matmul-a-times-int-vector": (lambda v: v @ np.arange(5), lambda g, x: rt.matmul_adjoint_a(g, x, np.arange(5)),
                                  rand(3, 5)),
    "matmul-b-vector-times": (lambda v: B[:, 0] @ v, lambda g, x: rt.matmul_adjoint_b(g, B[:, 0], x), rand(4, 3)),
    "matmul-b-int-vector-times": (lambda v: np.arange(4) @ v, lambda g, x: rt.matmul_adjoint_b(g, np.arange(4), x),
                                  rand(4, 3)),
    "untranspose": (lambda v: np.transpose(v, (2, 0, 1)), lambda g, x: rt.untranspose(g, (2, 0, 1)), rand(2, 3, 4)),
    "untranspose-method": (lambda v: v.transpose(1, -1, 0), lambda g, x: rt.untranspose(g, (1, -1, 0)), rand(2, 3, 4)),
    "untranspose-none": (np.transpose, lambda g, x: rt.untranspose(g, ()), rand(2, 3, 4)),
    "untile": (lambda v: np.tile(v, (2, 1, 3)), lambda g, x: rt.untile(g, x, (2, 1, 3)), rand(3, 4)),
    "untile-short-reps": (lambda v: np.tile(v, 2), lambda g, x: rt.untile(g, x, 2), rand(2, 3)),
    "unrepeat-None": (lambda v: np.repeat(v, 3), lambda g, x: rt.unrepeat(g, x, 3), rand(3, 4)),
    "unrepeat-axis": (lambda v: np.repeat(v, [2, 0, 1], 0), lambda g, x: rt.unrepeat(g, x, [2, 0, 1], 0), rand(3, 4)),
    "undiagonal": (lambda v: np.diagonal(v, 1, 2, 0), lambda g, x: rt.undiagonal(g, x, 1, 2, 0), rand(4, 3, 5)),
    "undiag-vector": (lambda v: np.diag(v, -1), lambda g, x: rt.undiag(g, x, -1), rand(4)),
    "undiag-matrix": (lambda v: np.diag(v, 2), lambda g, x: rt.undiag(g, x, 2), rand(3, 5)),
    "untake-None": (lambda v: np.take(v, [[1, 1], [7, -1]]), lambda g, x: rt.untake(g, x, [[1, 1], [7, -1]]), rand(3, 4)),
    "untake-axis": (lambda v: np.take(v, [2, 0, 2], 1), lambda g, x: rt.untake(g, x, [2, 0, 2], 1), rand(2, 3, 4)),
    "untake-wrap": (lambda v: np.take(v, [5, -7], 0, mode="wrap"),
                    lambda g, x: rt.untake(g, x, [5, -7], 0, "wrap"), rand(3, 2)),
    "undiff": (lambda v: np.diff(v, 2, 0), lambda g, x: rt.undiff(g, x, 2, 0), rand(5, 3)),
    "unsum-array": (lambda v: sum(v), rt.unsum, rand(3, 4)),
}


@pytest.mark.parametrize("forward, adjoint, x", LINEAR.values(), ids=LINEAR.keys())
def test_adjoint_identity(forward, adjoint, x):
    check_adjoint(forward, adjoint, x)


@pytest.mark.parametrize("arrays, axis, ndmin", [
    ([rand(2, 1), rand(2, 2)], -1, 1), ([rand(2), rand(3)], None, 1),
    ([rand(3), rand(3)], 0, 2), ([rand(1, 3), rand(2, 3)], 0, 1),
])
def test_join_like_is_the_adjoint_of_split_like(arrays, axis, ndmin):
    joined = np.concatenate(
        [np.array(a, ndmin=ndmin) for a in arrays] if axis is not None else [a.ravel() for a in arrays],
        axis=axis if axis is not None else 0,
    )
    v = rand(*joined.shape)
    pieces = rt.split_like(v, arrays, axis, ndmin)
    c = [rand(*np.shape(a)) for a in arrays]
    back = rt.join_like(c, v, arrays, axis, ndmin)
    assert back.shape == v.shape
    assert np.isclose(sum(np.sum(p * q) for p, q in zip(pieces, c)), np.sum(v * back))


def test_unbroadcast_keeps_python_scalars_scalar_and_ints_float():
    g = rt.unbroadcast(np.ones((3, 4)), 2.0)
    assert isinstance(g, float) and g == 12.0
    g = rt.unbroadcast(np.ones(3, dtype=int), np.arange(3))
    assert g.dtype == np.float64
    assert rt.unbroadcast(1.0, np.zeros((2, 3))).shape == (2, 3)  # a scalar seed spreads out


def test_unbroadcast_spreads_a_smaller_gradient_along_trailing_axes():
    g = np.arange(4.0)
    assert np.array_equal(rt.unbroadcast(g, np.zeros((1, 4))), [[0.0, 1.0, 2.0, 3.0]])
    assert np.array_equal(rt.unbroadcast(g, np.zeros((2, 4))), np.broadcast_to(g, (2, 4)))
    assert np.array_equal(rt.unbroadcast(np.ones((3, 1)), np.zeros((1, 4))), np.full((1, 4), 3.0))


def test_extremum_mask_without_ties_is_the_mask_and_with_ties_splits():
    x = np.array([[1.0, 3.0, 2.0], [2.0, 0.0, 5.0]])
    assert np.array_equal(rt.extremum_mask(x, np.max(x, axis=1, keepdims=True), axis=1, keepdims=True),
                          [[0, 1, 0], [0, 0, 1]])
    x[0, 2] = 3.0
    assert np.allclose(rt.extremum_mask(x, np.max(x, axis=1, keepdims=True), axis=1, keepdims=True),
                       [[0, 0.5, 0.5], [0, 0, 1]])


def test_reduced_count_of_several_arrays_counts_their_broadcast():
    y, z = np.ones((4, 1)), np.ones(3)
    assert rt.reduced_count(y, z) == (y * z).size == 12
    assert rt.reduced_count(y, z, axis=1) == 3
    assert rt.reduced_count(z, z) == z.size and rt.reduced_count(2.0) == 1
    assert rt.reduced_count(z, [1.0, 2.0, 3.0], 2.0) == 3  # a list and a number broadcast too
    empty = np.ones((0, 3))  # never a zero divisor: the mean of nothing stays nan, not an error
    assert rt.reduced_count(empty, empty) == rt.reduced_count(empty, z) == 1


def test_reduced_count_less_ddof_is_the_divisor_of_var():
    x = np.random.default_rng(0).normal(size=(5, 3))
    for axis in (None, 0, 1, (0, 1)):
        for ddof in (0, 1, 2):
            divisor = rt.reduced_count(x, axis=axis, ddof=ddof)
            centered = x - np.mean(x, axis=axis, keepdims=True)
            assert np.allclose(np.sum(centered ** 2, axis=axis) / divisor,
                               np.var(x, axis=axis, ddof=ddof))


@pytest.mark.parametrize("a, b", [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
    ((2, 3), (5, 3, 4)), ((1, 2, 3), (4, 3, 2)), ((3,), (5, 3, 4)),
])
def test_matmul_shape_is_the_shape_of_the_product(a, b):
    x, y = np.ones(a), np.ones(b)
    kept = rt.matmul_shape(x, y)
    assert kept.shape == (x @ y).shape
    assert rt.unbroadcast(np.ones((x @ y).shape), kept).shape == (x @ y).shape


def test_unbroadcast_result_is_writable():
    g = rt.unbroadcast(1.0, np.zeros((2, 3)))
    g += 1.0
    assert np.all(g == 2.0)


def test_extremum_mask_splits_ties():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]])
    mask = rt.extremum_mask(x, np.max(x, axis=1), axis=1)
    assert np.allclose(mask, [[0, 0.5, 0.5], [0.5, 0, 0.5]])
    assert np.allclose(rt.extremum_mask(x, np.min(x)), [[0, 0, 0], [0, 1, 0]])


@pytest.mark.parametrize("axis", [None, 0, 1, (0, 2), -1])
def test_prod_others_handles_zeros(axis):
    x = rand(3, 4, 2)
    x[0, 1, 0] = 0.0
    x[2, 2, 1] = 0.0
    expected = finite_differences(lambda v: np.sum(np.prod(v, axis=axis) * 1.0), [x], (0,))[0]
    weights_shape = np.shape(np.prod(x, axis=axis, keepdims=True))
    assert np.allclose(rt.prod_others(x, axis) * np.ones(weights_shape), expected, atol=1e-6)


@pytest.mark.parametrize("subscripts, shapes", [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ij,jk", [(3, 4), (4, 5)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("iij->j", [(3, 3, 2)]),
    ("ij->i", [(3, 4)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (2, 4, 5)]),
    ("...i,...i->...", [(3, 1, 4), (2, 4)]),
    ("...j,j", [(2, 3, 4), (4,)]),
    ("ab,bc,cd->ad", [(2, 3), (3, 4), (4, 2)]),
    ("i,i", [(4,), (4,)]),
])
def test_einsum_adjoint(subscripts, shapes):
    operands = [rand(*s) for s in shapes]
    for i in range(len(operands)):
        def forward(v, i=i):
            return np.einsum(subscripts, *operands[:i], v, *operands[i + 1:])

        def adjoint(g, x, i=i):
            return rt.einsum_adjoint(g, subscripts, operands[:i] + [x] + operands[i + 1:])[i]

        check_adjoint(forward, adjoint, operands[i])


def test_split_like_unstack_unarray_reshape_each():
    a, b = rand(3, 4), rand(2, 4)
    ga, gb = rt.split_like(rand(5, 4), (a, b), 0)
    assert ga.shape == a.shape and gb.shape == b.shape
    g = rand(3, 4 + 1)
    ga, gv = rt.split_like(g, [a, rand(3, 1)], True)  # hstack of 2-D arrays: axis 1
    assert np.array_equal(ga, g[:, :4]) and np.array_equal(gv, g[:, 4:])
    gs = rt.split_like(np.arange(7.0), [rand(4), rand(3)], False)  # hstack of 1-D: axis 0
    assert [p.shape for p in gs] == [(4,), (3,)]
    gv, gm = rt.split_like(rand(4, 4), [rand(4), rand(3, 4)], 0, 2)  # vstack
    assert gv.shape == (4,) and gm.shape == (3, 4)
    gflat = rt.split_like(np.arange(16.0), [a, rand(4)], None)
    assert np.array_equal(gflat[0], np.arange(12.0).reshape(3, 4))
    g = rand(3, 4, 2)
    assert np.array_equal(rt.unstack(g, [a, a], -1)[1], g[..., 1])
    parts = rt.unarray(np.array([[1.0, 2.0], [3.0, 4.0]]), [[0.5, 1], rand(2)])
    assert parts[0] == (1.0, 2.0) and np.array_equal(parts[1], [3.0, 4.0])
    assert isinstance(parts[0][0], float)
    assert rt.reshape_each(rand(1, 4), (rand(4),))[0].shape == (4,)


def test_unsort():
    x = rand(3, 4)
    for axis in (-1, 0, None):
        check_adjoint(lambda v, axis=axis: np.take_along_axis(
            v.ravel() if axis is None else v, np.argsort(x, axis=axis), axis=-1 if axis is None else axis),
            lambda g, _, axis=axis: rt.unsort(g, x, axis), x)


def test_solve_adjoint_matches_finite_differences():
    a = rand(3, 3) + 4 * np.eye(3)
    for b in (rand(3), rand(3, 2)):
        w = rand(*b.shape)
        ga, gb = rt.solve_adjoint(w, a, b, np.linalg.solve(a, b))
        fa, fb = finite_differences(lambda a, b, w=w: np.sum(np.linalg.solve(a, b) * w), [a, b], (0, 1))
        assert np.allclose(ga, fa, atol=1e-6) and np.allclose(gb, fb, atol=1e-6)


@pytest.mark.parametrize("shape, ord, axis, keepdims", [
    ((4,), None, None, False), ((4,), 1, None, False), ((4,), np.inf, 0, True),
    ((4,), 3, None, False), ((4,), -np.inf, None, False), ((3, 4), None, None, True),
    ((3, 4), "fro", None, False), ((3, 4), "nuc", None, False), ((3, 4), 2, None, False),
    ((3, 4), -2, None, False), ((3, 4), 1, None, False), ((3, 4), -np.inf, None, True),
    ((2, 3, 4), None, 1, False), ((2, 3, 4), 1, (2, 0), True), ((2, 3, 4), "nuc", (0, 1), False),
])
def test_norm_adjoint_matches_finite_differences(shape, ord, axis, keepdims):
    x = rand(*shape)
    y = np.linalg.norm(x, ord, axis, keepdims)
    w = rand(*np.shape(y))
    expected = finite_differences(lambda v: np.sum(np.linalg.norm(v, ord, axis, keepdims) * w), [x], (0,))[0]
    assert np.allclose(rt.norm_adjoint(w, x, y, ord, axis, keepdims), expected, atol=1e-6)


def test_norm_adjoint_at_zero_is_zero():
    assert np.array_equal(rt.norm_adjoint(1.0, np.zeros(3), 0.0), np.zeros(3))


def test_pick_adjoint_gives_all_to_the_first_extreme():
    assert rt.pick_adjoint(2.0, 3.0, 1.0, (3.0, 3.0)) == (0.0, (2.0, 0.0))
    grads, rest = rt.pick_adjoint(2.0, 3.0, [1.0, 3.0, 3.0], ())
    assert grads == [0.0, 2.0, 0.0] and rest == ()
    assert isinstance(rt.pick_adjoint(2.0, 3.0, (1.0, 3.0), ())[0], tuple)
    array, _ = rt.pick_adjoint(2.0, 3.0, np.array([1.0, 3.0, 3.0]), ())
    assert np.array_equal(array, [0.0, 2.0, 0.0])


def test_unsum_of_a_list():
    assert rt.unsum(2.0, [1.0, np.ones(3)])[1].shape == (3,)
    assert isinstance(rt.unsum(2.0, (1.0, 2.0)), tuple)


def test_add_at_accumulates_repeated_indices_into_a_copy():
    a = np.arange(4.0)
    out = rt.add_at(a, [0, 0, 3], np.array([1.0, 2.0, 5.0]))
    expected = a.copy()
    np.add.at(expected, [0, 0, 3], [1.0, 2.0, 5.0])
    assert np.array_equal(out, expected) and np.array_equal(a, np.arange(4.0))
    assert rt.add_at(np.zeros(3, dtype=int), [1], 0.5).dtype.kind == "f"


def test_add_at_tangent_takes_literal_zeros_for_absent_tangents():
    y = np.zeros(4)
    assert np.array_equal(rt.add_at_tangent(y, 0.0, [1, 1], 2.0), [0.0, 4.0, 0.0, 0.0])
    da = np.ones(4)
    only_a = rt.add_at_tangent(y, da, [1, 1], 0.0)
    assert np.array_equal(only_a, da) and only_a is not da


def test_tangent_helpers_take_one_zero_for_a_whole_tuple():
    """The engine folds a tuple of absent tangents to one literal 0.0."""
    a, x = rand(3, 3), rand(3)
    assert np.array_equal(rt.einsum_tangent(a @ x, "ij,j->i", (a, x), 0.0), np.zeros(3))
    adjoint = rt.einsum_adjoint_tangent(np.ones(3), "ij,j->i", (a, x), 0.0, 0.0)
    assert [np.shape(p) for p in adjoint] == [(3, 3), (3,)] and not np.any(adjoint[1])
    assert rt.sum_tangents(0.0) == 0.0


def test_runtime_depends_only_on_numpy():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(rt))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= {"numpy", "__future__"}


@pytest.mark.parametrize("ord", [None, 2, 3, 1.5, np.inf])
def test_a_vector_norms_adjoint_at_the_origin_is_zero(ord):
    """A zero vector (or row) has gradient 0, a subgradient, for every p > 1 too: the
    general p gave (0 / 0) ** (p - 1) = nan."""
    x = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 0.5]])
    y = np.linalg.norm(x, ord, axis=1)
    g = rt.norm_adjoint(np.ones(2), x, y, ord, axis=1)
    assert np.all(g[0] == 0.0) and np.all(np.isfinite(g[1]))


def test_undict_and_dict_of_tangents_are_each_other_s_transpose():
    """dict(pairs) is linear in the pairs' values: undict is its adjoint, dict_of_tangents
    its tangent map; a key given twice counts only its last pair."""
    pairs = [("w", rand(3)), ("b", rand(2)), ("w", rand(3))]
    g = {"w": rand(3), "b": rand(2)}
    v = [(0.0, rand(3)), (0.0, rand(2)), (0.0, rand(3))]
    back = rt.undict(g, pairs)
    assert [np.shape(p[1]) for p in back] == [(3,), (2,), (3,)]
    forward = rt.dict_of_tangents(v, pairs)
    assert set(forward) == {"w", "b"}
    left = sum(np.sum(b[1] * t[1]) for b, t in zip(back, v))
    right = sum(np.sum(g[key] * forward[key]) for key in g)
    assert np.isclose(left, right)
    assert rt.undict(g, g) is g and rt.dict_of_tangents(g, g) == g
