"""Forward mode through tuple assignments whose right side holds list literals
(``hs, cs = [], []``, ``h, hs = x, []``): each name's tangent has the kind of its value,
a list for a list, as ``hs = []`` alone gives, so ``dhs.append(...)`` works. Checked with
jvp, autodiff(mode="forward") and jacobian against finite differences, and to second
order in the four orders."""

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import ORDERS, assert_jvp_matches, assert_second_derivative_matches


def empty_lists(x):
    hs, cs = [], []
    for i in range(3):
        hs.append(x * i)
        cs.append(np.sin(x))
    return np.sum(hs[-1] * cs[0])


def name_and_empty_list(x):
    h, hs = x, []
    for _ in range(2):
        h = np.tanh(h * 1.5)
        hs.append(h)
    return np.sum(hs[0] * hs[1])


def two_list_literals(x):
    a, b = [x], [x * 2]
    a.append(x ** 2)
    return np.sum(a[1] * b[0]) + np.sum(a[0])


def list_and_dict(x):
    a, d = [], {}
    a.append(np.sin(x))
    d["w"] = x ** 2
    return np.sum(a[0] * d["w"])


def swapped_lists(x):
    a, b = [x], []
    for i in range(2):
        a, b = b, a  # each step swaps which list grows
        b.append(x * (i + 1))
    return np.sum(b[0] * b[-1]) + np.sum(a[-1] ** 2)


def literal_rebuilt_in_a_loop(x):
    a = [x]
    for _ in range(2):
        a = [a[0] * 2.0, x]  # reads the old `a`: computed into a temporary first
        a.append(np.cos(x))
    return np.sum(a[0] * a[2]) + np.sum(a[1])


def lstm_states(x):
    W = np.array([[0.5, -0.3], [0.2, 0.4]])
    h, c = np.zeros(2), np.zeros(2)
    hs, cs = [], []
    for t in range(3):
        z = W @ h + x * (t + 1)
        c = np.tanh(z) + 0.5 * c
        h = np.tanh(c) * z
        hs.append(h)
        cs.append(c)
    return np.sum(hs[-1] * cs[1]) + np.sum(hs[0])


def stacked_states(x):  # a vector out of a vector: jacobian builds it in forward mode
    hs, ws = [], []
    for i in range(2):
        hs.append(np.sin(x) * (i + 1))
        ws.append(x[0] * x)
    return np.concatenate([hs[0] * ws[1], hs[1], ws[0][:1]])


x2 = np.array([0.3, -1.2])
CASES = [
    ("empty_lists", empty_lists),
    ("name_and_empty_list", name_and_empty_list),
    ("two_list_literals", two_list_literals),
    ("list_and_dict", list_and_dict),
    ("swapped_lists", swapped_lists),
    ("literal_rebuilt_in_a_loop", literal_rebuilt_in_a_loop),
    ("lstm_states", lstm_states),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("name,f", CASES, ids=IDS)
def test_forward_mode_through_unpacked_lists(name, f):
    assert_jvp_matches(f, (x2,), autograd=False)
    v = np.array([1.0, 0.5])
    expected = (f(x2 + 1e-6 * v) - f(x2 - 1e-6 * v)) / 2e-6
    assert np.allclose(tangent_lsp.jvp(f)(x2, v), expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("name,f", CASES, ids=IDS)
def test_unpacked_lists_to_second_order(name, f, order):
    assert_second_derivative_matches(order, f, (x2,), 0, 0)


def test_a_tall_jacobian_through_unpacked_lists():
    x = np.array([0.3, -1.2, 0.7])
    ours = tangent_lsp.jacobian(stacked_states)(x)
    expected = np.stack([
        (stacked_states(x + 1e-6 * e) - stacked_states(x - 1e-6 * e)) / 2e-6 for e in np.eye(3)
    ], axis=1)
    assert ours.shape == (7, 3)
    assert np.allclose(ours, expected, rtol=1e-5, atol=1e-7)
