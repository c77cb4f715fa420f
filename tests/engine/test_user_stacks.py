"""A user's list used as a stack: a value popped (and perhaps pushed back) is a value of its
own, with a derivative, not a tape restoring an earlier value (which the engine's own
``tape.pop()`` is: pushed first, popped later). Checked against central differences
(gradients, tangents, and Hessian-vector products against differences of gradients)."""

import numpy as np
import pytest

import tangent_lsp
from tangent_lsp.higher import hvp

RNG = np.random.default_rng(5)
X = RNG.standard_normal((2, 3))
WS = [RNG.standard_normal((3, 3)) * 0.5 for _ in range(2)]
V = [RNG.standard_normal((3, 3)) for _ in range(2)]


def peeked_and_pushed_back(ws, x):
    ws = list(ws)
    last = ws.pop()
    ws.append(last)
    return np.sum(np.tanh(x @ ws[0]) @ last) + np.sum(ws[-1] ** 2)


def popped(ws, x):
    ws = list(ws)
    last = ws.pop()
    return np.sum(np.tanh(x @ ws[0]) @ last)


def _moved(ws, step):
    return [w + step * v for w, v in zip(ws, V)]


def _along(f, ws, eps=1e-6):
    return (f(_moved(ws, eps), X) - f(_moved(ws, -eps), X)) / (2 * eps)


@pytest.mark.parametrize("f", [peeked_and_pushed_back, popped], ids=lambda f: f.__name__)
@pytest.mark.parametrize("optimized", [True, False], ids=["optimized", "plain"])
def test_gradient_and_tangent(f, optimized):
    gradient = tangent_lsp.grad(f, optimized=optimized)([w.copy() for w in WS], X)
    expected = _along(f, WS)
    assert np.isclose(sum(np.sum(g * v) for g, v in zip(gradient, V)), expected, rtol=1e-6)
    tangent = tangent_lsp.jvp(f, optimized=optimized)([w.copy() for w in WS], X, V)
    assert np.isclose(tangent, expected, rtol=1e-6)


@pytest.mark.parametrize("f", [peeked_and_pushed_back, popped], ids=lambda f: f.__name__)
@pytest.mark.parametrize("optimized", [True, False], ids=["optimized", "plain"])
def test_hessian_vector_product(f, optimized):
    gradient = tangent_lsp.grad(f)
    eps = 1e-5
    up, down = gradient(_moved(WS, eps), X), gradient(_moved(WS, -eps), X)
    ours = hvp(f, optimized=optimized)([w.copy() for w in WS], X, V)
    for mine, a, b in zip(ours, up, down):
        np.testing.assert_allclose(mine, (a - b) / (2 * eps), rtol=1e-4, atol=1e-7)
