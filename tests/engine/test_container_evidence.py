"""What shows an argument is a list or a dict, not an array (its gradient is then a list or
a dict, built element by element): read by the keys of another dict (``grads[k]`` for
``k`` in ``params``), or by a position computed from a loop's index (``Ws[-1 - i]``) when
its elements have different shapes, or by ``reversed(Ws)`` (read as the slice ``Ws[::-1]``).
Checked against central differences (hunt 49: the first two crashed where the derivative
ran, ``reversed`` in ``zip`` or ``list`` had no rule)."""

import numpy as np
import pytest

import tangent_lsp
from tangent_lsp.higher import hvp
from tests.oracle import assert_gradients_match


def sgd_step_loss(params, grads, lr=0.1):
    new = {k: v - lr * grads[k] for k, v in params.items()}
    return sum(np.sum(v ** 2) for v in new.values())


def keys_looped_over(params, grads):
    total = 0.0
    for k in params:
        total = total + np.sum(np.tanh(params[k] * grads[k]))
    return total


def last_layer_first(Ws, x):
    h = x
    for i in range(len(Ws)):
        h = np.tanh(h @ Ws[-1 - i])
    return np.sum(h)


def counted_down(Ws, x):
    h = x
    n = len(Ws)
    for i in range(n):
        j = n - 1 - i
        h = np.tanh(h @ Ws[j])
    return np.sum(h ** 2)


def zipped_in_reverse(Ws, x):  # hunt 49: "no derivative rule for 'reversed'"
    h = x
    for W, s in zip(reversed(Ws), reversed([1.0, 2.0])):
        h = np.tanh(h @ W) * s
    return np.sum(h)


def enumerated_in_reverse(Ws, x):
    h = x
    for i, W in enumerate(reversed(Ws)):
        h = np.tanh(h @ W) * (i + 1.0)
    return np.sum(h)


def listed_in_reverse(Ws, x):
    rs = list(reversed(Ws))
    return np.sum(x @ rs[0] @ rs[1])


def keys_in_reverse(params, x):  # hunt 51: `reversed(d)` indexed the dict by position
    s = 0.0
    for k in reversed(params):
        s = s * 3.0 + np.sum(np.tanh(params[k] * x))
    return s


RNG = np.random.default_rng(3)
PARAMS = {"W": RNG.standard_normal((2, 3)), "b": RNG.standard_normal(3)}
GRADS = {"W": RNG.standard_normal((2, 3)), "b": RNG.standard_normal(3)}
WS = [RNG.standard_normal((4, 2)) * 0.5, RNG.standard_normal((3, 4)) * 0.5]  # shapes differ
X = RNG.standard_normal((2, 3))


def _directions(value, seed):
    rng = np.random.default_rng(seed)
    if isinstance(value, dict):
        return {k: rng.standard_normal(np.shape(v)) for k, v in value.items()}
    return [rng.standard_normal(np.shape(v)) for v in value]


def _moved(value, direction, step):
    if isinstance(value, dict):
        return {k: v + step * direction[k] for k, v in value.items()}
    return [v + step * d for v, d in zip(value, direction)]


def _dot(gradient, direction):
    pairs = (
        [(gradient[k], direction[k]) for k in direction] if isinstance(direction, dict)
        else list(zip(gradient, direction))
    )
    assert all(np.shape(g) == np.shape(d) for g, d in pairs)
    return sum(np.sum(g * d) for g, d in pairs)


CASES = [
    (sgd_step_loss, (PARAMS, GRADS), 1), (sgd_step_loss, (PARAMS, GRADS), 0),
    (keys_looped_over, (PARAMS, GRADS), 1), (keys_looped_over, (PARAMS, GRADS), 0),
    (last_layer_first, (WS, X), 0), (counted_down, (WS, X), 0),
    (zipped_in_reverse, (WS, X), 0), (enumerated_in_reverse, (WS, X), 0),
    (listed_in_reverse, (WS, X), 0), (keys_in_reverse, (PARAMS, X[0]), 0),
]


def _ids(cases):
    return [f"{f.__name__}-wrt{wrt}" for f, _, wrt in cases]


@pytest.mark.parametrize("f, args, wrt", CASES, ids=_ids(CASES))
def test_gradient_has_the_argument_s_kind_and_values(f, args, wrt):
    direction = _directions(args[wrt], seed=wrt)
    gradient = tangent_lsp.grad(f, wrt=(wrt,))(*args)
    assert type(gradient) is type(args[wrt])
    eps = 1e-6
    up, down = list(args), list(args)
    up[wrt], down[wrt] = _moved(args[wrt], direction, eps), _moved(args[wrt], direction, -eps)
    expected = (f(*up) - f(*down)) / (2 * eps)
    assert np.isclose(_dot(gradient, direction), expected, rtol=1e-6, atol=1e-9)
    tangent = tangent_lsp.jvp(f, wrt=(wrt,))(*args, direction)
    assert np.isclose(tangent, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("f, args, wrt", CASES[::2] + CASES[5:], ids=_ids(CASES[::2] + CASES[5:]))
def test_hessian_vector_product(f, args, wrt):
    direction = _directions(args[wrt], seed=7)
    gradient = tangent_lsp.grad(f, wrt=(wrt,))
    eps = 1e-5
    up, down = list(args), list(args)
    up[wrt], down[wrt] = _moved(args[wrt], direction, eps), _moved(args[wrt], direction, -eps)
    a, b = gradient(*up), gradient(*down)
    ours = hvp(f, wrt=wrt)(*args, direction)
    keys = list(direction) if isinstance(direction, dict) else range(len(direction))
    for k in keys:
        np.testing.assert_allclose(ours[k], (a[k] - b[k]) / (2 * eps), rtol=1e-4, atol=1e-7)


def test_reversed_of_an_array_is_its_rows_backwards():
    stacked = RNG.standard_normal((2, 3, 3)) * 0.5
    assert_gradients_match(zipped_in_reverse, (stacked, X))
    assert_gradients_match(listed_in_reverse, (stacked, X), autograd=False)
