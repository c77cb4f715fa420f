"""List comprehensions and generator expressions, read as loops that append: gradients
(against finite differences and autograd), tangents, second derivatives in the four
orders, and the generated code's shape (the list keeps its name and its loop)."""

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import (
    ORDERS, assert_gradients_match, assert_jvp_matches, assert_second_derivative_matches,
)


def layer(W, h):
    return np.tanh(W @ h)


def stacked(Ws, x):
    hs = [np.tanh(W @ x) for W in Ws]
    return np.sum(np.stack(hs) ** 2)


def summed_generator(x):
    return np.sum(sum(np.sin(x * k) for k in range(3)))


def inline_with_callee(Ws, x):
    return np.sum(np.stack([layer(W, x) for W in Ws]) * 2.0)


def filtered(x):
    return np.sum(np.array([v * v for v in x if v > 0.0]))


def nested(M):
    rows = [[a * b for b in row] for a, row in zip(M[0], M)]
    return np.sum(np.array(rows) ** 2)


def variable_used_elsewhere(x):
    v = x * 2.0
    parts = [v * v for v in x]
    return np.sum(np.array(parts)) + np.sum(v)


def two_generators(x, y):
    return np.sum(np.array([a * b for a in x for b in y]))


def inside_a_loop(x):
    total = 0.0
    for k in range(2):
        total = total + np.sum(np.array([np.exp(v * k) for v in x]))
    return total


def rebuilds_its_own_name(xs):
    xs = [x * x for x in xs]
    return np.sum(np.stack(xs))


def pairs_named_like_a_local(x):  # the comprehension's W is not the function's
    W = 2.0
    return sum(np.sum(W * b ** 2) for W, b in x) * W


def dict_from_zip(W, b, x):
    p = {name: 2.0 * value for name, value in zip(["W", "b"], [W, b])}
    return np.sum(np.tanh(x @ p["W"] + p["b"]))


def dict_over_items(W, b, x):
    params = {"W": W, "b": b}
    scaled = {k: v * np.sum(x) for k, v in params.items() if k != "c"}
    return np.sum(np.sin(x @ scaled["W"]) * scaled["b"])


def dict_by_position(x):  # integer keys, one of them skipped
    squares = {i: np.exp(x[i]) * x for i in range(3) if i != 1}
    return np.sum(squares[0] * squares[2])


def dict_key_named_like_a_local(x):  # the comprehension's k is not the function's
    k = 3.0
    d = {k: x * s for k, s in zip(["a", "b"], [k, 2.0])}  # the outer k in the iterable
    return np.sum(d["a"] * d["b"]) * k


rng = np.random.default_rng(5)
CASES = [
    (stacked, (rng.standard_normal((3, 3, 3)) * 0.5, rng.standard_normal(3))),
    (summed_generator, (rng.standard_normal(4),)),
    (inline_with_callee, (rng.standard_normal((2, 3, 3)), rng.standard_normal(3))),
    (filtered, (np.array([0.5, -0.3, 1.2, -0.8, 0.9]),)),
    (nested, (rng.standard_normal((3, 3)),)),
    (variable_used_elsewhere, (rng.standard_normal(4),)),
    (two_generators, (rng.standard_normal(3), rng.standard_normal(2))),
    (inside_a_loop, (rng.standard_normal(3),)),
    (rebuilds_its_own_name, (rng.standard_normal((3, 2)),)),
    (pairs_named_like_a_local, (rng.standard_normal((3, 2, 2)),)),
    (dict_from_zip, (rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal(3))),
    (dict_over_items, (rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal(3))),
    (dict_by_position, (rng.standard_normal(3),)),
    (dict_key_named_like_a_local, (rng.standard_normal(3),)),
]
IDS = [f.__name__ for f, _ in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradient(case):
    f, args = case
    assert_gradients_match(f, args, wrt=tuple(range(len(args))))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_tangent(case):
    f, args = case
    assert_jvp_matches(f, args, wrt=tuple(range(len(args))))


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_second_derivative(case, order):
    f, args = case
    last = len(args) - 1
    assert_second_derivative_matches(order, f, args, last, last)


def test_the_list_keeps_its_name_and_its_loop():
    code = tangent_lsp.autodiff(stacked, wrt=(0,), verbose=0)
    source = tangent_lsp.derive(
        "import numpy as np\n\n\ndef stacked(Ws, x):\n    hs = [np.tanh(W @ x) for W in Ws]\n"
        "    return np.sum(np.stack(hs) ** 2)\n", "stacked", wrt=("Ws",),
    ).code
    assert code is not None
    assert "hs = []" in source and "for i in steps:" in source and "hs.append(" in source, source
    assert "# Grad of: hs = [np.tanh(W @ x) for W in Ws]" in source, source


def test_the_adjoint_list_is_copied_once_not_on_every_step():
    source = tangent_lsp.derive(
        "import numpy as np\n\n\ndef stacked(Ws, x):\n    hs = [np.tanh(W @ x) for W in Ws]\n"
        "    return np.sum(np.stack(hs) ** 2)\n", "stacked", wrt=("Ws",),
    ).code
    backward_loop = source.split("for i in reversed(steps):")[1]
    assert "bhs = list(bhs)" in source and "list(bhs)" not in backward_loop, source


def test_a_variable_used_elsewhere_is_renamed_in_the_loop():
    source = tangent_lsp.derive(
        "import numpy as np\n\n\ndef f(x):\n    v = x * 2.0\n    parts = [v * v for v in x]\n"
        "    return np.sum(np.array(parts)) + np.sum(v)\n", "f",
    ).code
    assert "v2 * v2" in source, source
