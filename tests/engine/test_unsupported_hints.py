"""Reasonable code the engine does not differentiate says what to write instead (hunt 27):
each hint is the rewrite, not a rule about something else."""

import functools

import numpy as np
import pytest

import tangent_lsp
from tangent_lsp.engine import DiffError, derive

SOURCE = '''import numpy as np


def unpacked(params, x):
    new = {**params}
    new["W"] = new["W"] - 0.1 * x
    return np.sum(new["W"] ** 2)


def filled(x, w):
    h = np.sin(x) * w
    h.fill(0.5)
    return np.sum(h)


def shuffled(x):
    h = np.sin(x)
    h.resize(3)
    return np.sum(h)
'''


@pytest.mark.parametrize("name, construct, hint", [
    ("unpacked", "dict unpacking ('**' in a dict literal)",
     "copy the dict instead: dict(params), then set its entries"),
    ("filled", "in-place method '.fill()'", "build a new array instead: h = np.full_like(h, 0.5)"),
    ("shuffled", "in-place method '.resize()'", "build a new value instead (h = ...)"),
])
def test_the_hint_is_the_rewrite(name, construct, hint):
    with pytest.raises(DiffError) as error:
        derive(SOURCE, name)
    assert error.value.construct == construct and error.value.hint.startswith(hint)


def loss(w, X):
    return np.sum(np.tanh(X @ w))


def test_a_partial_says_to_differentiate_the_function_itself():
    with pytest.raises(DiffError) as error:
        tangent_lsp.grad(functools.partial(loss, X=np.ones((2, 2))))
    assert "functools.partial of 'loss'" in error.value.message
    assert "differentiate 'loss' itself" in error.value.hint and "pass X" in error.value.hint
    assert "array(" not in str(error.value)  # the bound values are not printed


def test_the_advice_for_a_partial_works():
    X, w = np.array([[0.3, -0.5], [1.2, 0.4]]), np.array([0.7, -0.2])
    gradient = tangent_lsp.grad(loss, wrt=("w",))(w, X=X)
    eps = 1e-6
    expected = [(loss(w + eps * e, X) - loss(w - eps * e, X)) / (2 * eps) for e in np.eye(2)]
    assert np.allclose(gradient, expected, rtol=1e-6)
