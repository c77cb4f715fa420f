"""Forward mode's inputs and tangents (hunt 31): a tangent that is another's array is
not written into afterwards; integer and list directions and seeds mean what float
arrays do."""

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import ORDERS, assert_second_derivative_matches


def snapshots(x):  # dz = broadcast_like(dy, z) is dy itself; y[i] = ... then writes into dy
    y = np.zeros(3)
    zs = []
    for i in range(3):
        z = y + 1.0
        zs.append(z)
        y[i] = x[i] * 2.0
    return np.sum(np.stack(zs) * x)


def heat(u, T_amb=0.3):  # dev's tangent is u's, which u[1:-1] += ... changes in place
    u = u.copy()
    loss = 0.0
    for _ in range(3):
        u[0] = 0.5 * u[1]
        dev = u - T_amb
        u[1:-1] += 0.2 * (u[2:] - 2.0 * u[1:-1] + u[:-2])
        loss = loss + np.sum(dev ** 2)
    return loss + np.sum(u ** 2)


def smooth(x):
    y = x.copy()
    for i in range(1, x.shape[0]):
        y[i] = 0.5 * y[i - 1] + x[i]
    return np.sum(y ** 2)


def vec_out(x):
    y = x * 1.0
    y[1:] += 0.5 * y[:-1]
    return y


def mean2(x):
    return np.mean(x * 2)


def _directional(f, x, v, eps=1e-6):
    return (f(x + eps * v) - f(x - eps * v)) / (2 * eps)


X = np.array([0.3, -1.2, 0.8, 0.5])
V = np.array([0.7, 0.1, -0.4, 1.3])


@pytest.mark.parametrize("f", [snapshots, heat], ids=["snapshots", "heat"])
def test_a_tangent_shared_with_another_is_copied_before_a_write(f):
    x, v = X[:3] if f is snapshots else X, V[:3] if f is snapshots else V
    assert np.isclose(tangent_lsp.jvp(f)(x.copy(), v), _directional(f, x, v), rtol=1e-5, atol=1e-7)
    gradient = tangent_lsp.grad(f)(x.copy())
    assert np.isclose(np.sum(gradient * v), _directional(f, x, v), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("order", ORDERS)
def test_snapshots_to_second_order(order):
    assert_second_derivative_matches(order, snapshots, (X[:3],), 0, 0)


def test_integer_and_list_directions_are_directions():
    x, unit = X[:3], np.array([1, 0, 0])
    assert np.isclose(tangent_lsp.jvp(smooth)(x, unit), tangent_lsp.jvp(smooth)(x, unit * 1.0))
    assert np.allclose(tangent_lsp.hvp(smooth)(x, unit), tangent_lsp.hvp(smooth)(x, unit * 1.0))
    assert np.allclose(tangent_lsp.jvp(vec_out)(x, unit), tangent_lsp.jvp(vec_out)(x, unit * 1.0))
    assert np.isclose(tangent_lsp.jvp(mean2)(x, [1, 0, 0]), _directional(mean2, x, unit * 1.0))


def test_an_integer_seed_is_a_seed():
    x = X[:3]
    assert np.allclose(tangent_lsp.vjp(vec_out)(x, np.array([1, 1, 1])),
                       tangent_lsp.vjp(vec_out)(x, np.ones(3)))
