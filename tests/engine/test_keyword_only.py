"""Keyword-only parameters (``def loss(w, X, *, l2=0.1)``): constants of the derivative,
which keeps them keyword-only after its seed (``dloss_dw(w, X, bloss=1.0, *, l2=0.1)``);
passed along to callees by keyword; differentiating with respect to one is reported."""

import numpy as np
import pytest

import tangent_lsp
from tangent_lsp import DiffError
from tests.oracle import (
    ORDERS, assert_gradients_match, assert_jvp_matches, gradient_change, second_derivative,
)


def penalty(w, *, l2=0.1):
    return l2 * np.sum(w * w)


def loss(w, X, y, *, l2=0.1, power=2):
    r = X @ w - y
    return np.sum(np.abs(r) ** power) + penalty(w, l2=l2)


def looped(x, *, steps=3, scale=0.5):
    for _ in range(steps):
        x = np.tanh(x) * scale
    return np.sum(x)


rng = np.random.default_rng(6)
W, X, Y = rng.standard_normal(3), rng.standard_normal((5, 3)), rng.standard_normal(5)


@pytest.mark.parametrize("motion", ["joint", "split"])
def test_gradients_with_default_keywords(motion):
    assert_gradients_match(loss, (W, X, Y), wrt=(0, 1), motion=motion)
    assert_gradients_match(looped, (W,), motion=motion)


def test_keywords_reach_the_derivative_and_its_callees():
    ours = tangent_lsp.grad(loss)(W, X, Y, l2=0.7, power=4)
    r = X @ W - Y
    eps = 1e-6
    expected = np.array([
        (loss(W + eps * e, X, Y, l2=0.7, power=4) - loss(W - eps * e, X, Y, l2=0.7, power=4))
        / (2 * eps) for e in np.eye(3)
    ])
    assert np.allclose(ours, expected, rtol=1e-5), (ours, expected, r)
    assert np.allclose(tangent_lsp.grad(looped)(W, steps=1, scale=2.0),
                       2.0 * (1.0 - np.tanh(W) ** 2))


def test_tangents():
    assert_jvp_matches(loss, (W, X, Y), wrt=(0,))
    assert_jvp_matches(looped, (W,))


@pytest.mark.parametrize("order", ORDERS)
def test_second_derivatives(order):
    t, u = rng.standard_normal(3), rng.standard_normal(3)
    expected = np.sum(t * gradient_change(loss, (W, X, Y), 0, 0, u))
    assert np.isclose(second_derivative(order, loss, (W, X, Y), 0, 0, t, u), expected, rtol=1e-4)


def test_the_signature_keeps_them_keyword_only():
    source = "import numpy as np\n\ndef f(x, *, s=2.0):\n    return np.sum(x * s)\n"
    assert tangent_lsp.derive(source, "f").code.startswith("def df_dx(x, bf=1.0, *, s=2.0):")


def test_differentiating_with_respect_to_one_is_reported():
    source = "import numpy as np\n\ndef f(x, *, s=2.0):\n    return np.sum(x * s)\n"
    with pytest.raises(DiffError, match="keyword-only") as info:
        tangent_lsp.derive(source, "f", wrt=("s",))
    assert info.value.hint
