"""Local lambdas, inlined where they are called: gradients (against finite differences
and autograd), tangents, second derivatives, and the code they leave."""

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import (
    ORDERS, assert_gradients_match, assert_jvp_matches, gradient_change, second_derivative,
)


def leaky(W, x):
    act = lambda z: np.maximum(z, 0.0) + 0.01 * np.minimum(z, 0.0)  # noqa: E731
    return np.sum(act(x @ W) ** 2)


def sigmoid_twice(w, X, y):
    sigmoid = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731
    p = sigmoid(X @ w)
    q = sigmoid(p * 2.0)
    return np.sum((p - y) ** 2) + np.sum(q)


def two_parameters(a, b):
    f = lambda u, v: u * v + np.sin(u)  # noqa: E731
    return np.sum(f(a, b) + f(b * 2.0, a))


def in_a_comprehension(W, xs):
    layer = lambda h: np.tanh(h @ W)  # noqa: E731
    return np.sum(np.stack([layer(x) for x in xs]) ** 2)


def in_a_loop(x):
    step = lambda h: h - 0.1 * np.sin(h) * h  # noqa: E731
    for _ in range(3):
        x = step(x)
    return np.sum(x ** 2)


def reads_free_variables_when_called(x):
    c = 2.0
    f = lambda z: z * c  # noqa: E731
    c = 3.0
    return np.sum(f(x) * x)


def leaky_of_an_expression(x):  # the branch that is the parameter gets the argument put in
    act = lambda z: z if z > 0 else 0.1 * z  # noqa: E731
    return act(2.0 * x[0]) + act(-x[1])


def default_argument(x):  # a number default is put in; a call may pass it, by name too
    f = lambda z, c=2.0: c * z ** 2  # noqa: E731
    return np.sum(f(x)) + np.sum(f(x, 3.0)) + np.sum(f(x, c=-1.5))


def default_computed_where_bound(W, x):  # w is the W of the lambda's line, not the later one
    g = lambda h, w=W @ W: np.tanh(h @ w) * np.sum(w)  # noqa: E731
    W = W * 2.0
    return np.sum(g(x) ** 2) + np.sum(g(x, W) * x)


def keyword_only_default(x):
    f = lambda z, *, k=1.0: k * np.sin(z) * z  # noqa: E731
    return np.sum(f(x * 2.0, k=3.0) + f(z=x))


rng = np.random.default_rng(12)
CASES = [
    (default_argument, (rng.standard_normal(3),)),
    (default_computed_where_bound, (0.5 * rng.standard_normal((3, 3)), rng.standard_normal(3))),
    (keyword_only_default, (rng.standard_normal(3),)),
    (leaky_of_an_expression, (np.array([0.4, 0.3]),)),
    (leaky, (rng.standard_normal((3, 2)), rng.standard_normal((4, 3)))),
    (sigmoid_twice, (rng.standard_normal(3), rng.standard_normal((4, 3)), rng.standard_normal(4))),
    (two_parameters, (rng.standard_normal(3), rng.standard_normal(3))),
    (in_a_comprehension, (rng.standard_normal((3, 3)), rng.standard_normal((4, 3)))),
    (in_a_loop, (rng.standard_normal(3),)),
    (reads_free_variables_when_called, (rng.standard_normal(3),)),
]
IDS = [f.__name__ for f, _ in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradient(case):
    f, args = case
    wrt = (0,) if f is sigmoid_twice else tuple(range(len(args)))
    assert_gradients_match(f, args, wrt=wrt)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_tangent(case):
    f, args = case
    assert_jvp_matches(f, args, wrt=(0,))


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_second_derivative(case, order):
    f, args = case
    rng = np.random.default_rng(4)
    t, u = rng.normal(size=np.shape(args[0])), rng.normal(size=np.shape(args[0]))
    expected = np.sum(t * gradient_change(f, args, 0, 0, u, step=1e-5))
    ours = second_derivative(order, f, args, 0, 0, t, u)
    assert np.allclose(ours, expected, rtol=1e-4, atol=1e-5), (ours, expected)


def test_the_lambda_disappears_and_a_reused_argument_is_computed_once():
    source = (
        "import numpy as np\n\n\ndef leaky(W, x):\n"
        "    act = lambda z: np.maximum(z, 0.0) + 0.01 * np.minimum(z, 0.0)\n"
        "    return np.sum(act(x @ W) ** 2)\n"
    )
    code = tangent_lsp.derive(source, "leaky").code
    lines = [line for line in code.splitlines() if not line.strip().startswith("#")]
    assert not any("lambda" in line or "act" in line for line in lines), code
    assert sum(line.count("x @ W") for line in lines) == 1, code


def test_a_default_that_is_not_a_number_is_computed_once_where_the_lambda_is():
    source = (
        "import numpy as np\n\n\ndef f(W, x):\n"
        "    g = lambda h, w=W @ W: np.tanh(h @ w) * np.sum(w)\n"
        "    W = W * 2.0\n"
        "    return np.sum(g(x) ** 2) + np.sum(g(x, W) * x)\n"
    )
    code = tangent_lsp.derive(source, "f").code
    lines = [line for line in code.splitlines() if not line.strip().startswith("#")]
    assert not any("lambda" in line for line in lines), code
    assert sum(line.count("W @ W") for line in lines) == 1, code
