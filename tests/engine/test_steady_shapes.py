"""A loop's temporaries whose shapes every step keeps are not taped for their shapes
(``steady_shapes.py``); where a step may change a shape, they still are, and every
gradient is right either way."""

import inspect

import numpy as np
import pytest

import tangent_lsp
from tests.engine import steady_programs as P
from tests.oracle import ORDERS, assert_gradients_match, assert_second_derivative_matches

rng = np.random.default_rng(31)
SOURCE = inspect.getsource(P)

CASES = [
    (P.heat, (rng.normal(size=7), 0.2), (0, 1)),
    (P.kalman_like, (rng.normal(size=2), rng.normal(size=(2, 2)) / 2, 0.3), (0, 1, 2)),
    (P.broadcast_grows, (rng.normal(size=3), rng.normal(size=(2, 3))), (0, 1)),
    (P.prefix_slices, (rng.normal(size=4), 0.7), (0, 1)),
    (P.ragged_list, ([rng.normal(size=2), rng.normal(size=(2, 3))], 0.7), (1,)),
    (P.grows_by_concatenation, (rng.normal(size=2), 0.7), (0, 1)),
]
IDS = [c[0].__name__ for c in CASES]


@pytest.mark.parametrize("function, args, wrt", CASES, ids=IDS)
def test_gradients(function, args, wrt):
    in_place = function is P.heat  # autograd does not write into arrays
    assert_gradients_match(function, args, wrt, autograd=not in_place)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("function, args, wrt", CASES[:4], ids=IDS[:4])
def test_second_derivatives(order, function, args, wrt):
    assert_second_derivative_matches(order, function, args, wrt[0], wrt[-1])


def _shape_pushes(name, wrt):
    return tangent_lsp.derive(SOURCE, name, wrt=wrt).code.count("shape_of(")


def test_steady_temporaries_are_not_taped_for_their_shapes():
    """The stepper pushed the shapes of seven temporaries on every step."""
    # the one left is u's, the carried state, which the backward sweep reads only for
    # np.zeros(np.shape(u)) after the seed read the final u: its shape, not the array
    assert _shape_pushes("heat", ("u0", "alpha")) == 1
    assert "tape.append(u)" not in tangent_lsp.derive(SOURCE, "heat", wrt=("u0", "alpha")).code
    assert _shape_pushes("kalman_like", ("x", "A", "q")) == 1  # A @ P's: P is carried


def test_a_temporary_computed_from_a_variable_whose_shape_may_grow_is_still_taped():
    """``h = u + w * h`` may broadcast h to w's shape on the first step: t = tanh(h)'s
    shape is not the same on every step."""
    assert _shape_pushes("broadcast_grows", ("h", "w")) == 1


def test_steady_names_of_one_step():
    """``np.where(m)`` (where m holds) has a length of its own each step; ``x[:i]`` too;
    ``h = h * w`` may grow h on the first step (w of another shape)."""
    import gast

    from tangent_lsp.engine.steady_shapes import _Reading, _steady_names

    loop = gast.parse(
        "for i in r:\n    m = x > c\n    k = np.where(m)\n    t = np.where(m, x, 0.0)\n"
        "    p = x[:i]\n    q = np.tanh(t).sum(axis=0)\n    h = h * w\n"
        "    row = xs[i]\n    u = row @ W\n"
    ).body[0]
    assert _steady_names(loop, _Reading("np")) == {"m", "t", "q"}
    # `xs[i]` of an array by the step's counter (xs.shape read, r a range): one shape
    rows = _Reading("np", frozenset({("xs", "i")}))
    assert _steady_names(loop, rows) == {"m", "t", "q", "row", "u"}


def rnn_of_rows(h0, Wh, Wx, xs):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(h @ Wh.T + xs[t] @ Wx.T)
    return np.sum(h * h)


def test_a_row_of_an_array_by_the_step_has_one_shape():
    """``xs[t] @ Wx.T``: xs is an array (xs.shape is read) indexed by the counter of a
    range, so the product has the same shape every step and no shape of it is taped;
    ``h @ Wh.T`` (h carried, Wh maybe not square) still is."""
    rng = np.random.default_rng(3)
    args = (rng.normal(size=(2, 3)), rng.normal(size=(3, 3)) / 2, rng.normal(size=(3, 4)) / 2,
            rng.normal(size=(5, 2, 4)))
    assert_gradients_match(rnn_of_rows, args, (0, 1, 2))
    code = tangent_lsp.derive("import numpy as np\n" + inspect.getsource(rnn_of_rows),
                              "rnn_of_rows", wrt=("h0", "Wh", "Wx")).code
    assert code.count("tape.append(") == 2 and "tape.append(h)" in code


def slot_emptied(x):  # v[0] holds x, then the number 0.0: its shape changes
    v = [x]
    h = x
    for _ in range(2):
        h = h + v[0]
        v[0] = 0.0
    return np.sum(h)


def slot_refilled(w, h0):
    v = [h0]
    h = h0
    for _ in range(2):
        v[0] = h
        h = w * h
    return np.sum(h * v[0])


def test_a_slot_of_a_list_written_in_the_loop_has_no_steady_shape():
    """``v0 = v[0]`` read for its shape: a list's slot may hold a value of another shape
    after ``v[0] = 0.0`` (an array's keeps its own); its shape was not taped, and the last
    step's (a number) summed the gradient to one number. The first derivative writes
    ``bv[0] = 0.0`` into a list of adjoints itself: its derivative was wrong the same way."""
    x = np.array([1.0, 2.0])
    assert_gradients_match(slot_emptied, (x,), (0,), autograd=False)
    h0 = np.random.default_rng(3).normal(size=3)
    for order in ORDERS:
        assert_second_derivative_matches(order, slot_refilled, (0.7, h0), 0, 0)
