"""An array made by arithmetic, unpacked into its elements (``w, b = p``) and also used
whole (``np.sum(p ** 2)``): its adjoint is an array, not a list (hunt 36: ``bp * 2``
repeated a list, a wrong gradient of twice the length; ``-bp`` and ``bp * 0.5`` raised
TypeError). Oracles: autograd and central differences; second order: central differences
of the gradient."""

from __future__ import annotations

import numpy as np
import pytest

from tests.oracle import (
    ORDERS, assert_gradients_match, assert_jvp_matches, assert_second_derivative_matches,
)

X = np.linspace(0.0, 1.0, 5)
Y = np.linspace(1.0, 3.0, 5)
THETA = np.array([0.5, -0.2])


def doubled(theta, x, y):
    p = 2 * theta
    w, b = p
    return np.mean((w * x + b - y) ** 2) + 0.1 * np.sum(p ** 2)


def halved(theta, x, y):
    p = theta * 0.5
    w, b = p
    return np.mean((w * x + b - y) ** 2) + 0.1 * np.sum(p ** 2)


def negated(theta, x, y):
    p = -theta
    w, b = p
    return np.mean((w * x + b - y) ** 2) + 0.1 * np.sum(p ** 2)


def shifted(theta, x, y):
    p = theta + 1
    w, b = p
    return np.mean((w * x + b - y) ** 2) + 0.1 * np.sum(p ** 2)


def exponentiated(theta, x, y):
    p = np.exp(theta)
    w, b = p
    return np.mean((w * x + b - y) ** 2) + 0.1 * np.sum(p ** 2)


def projected(theta, x, y):
    p = np.array([[1.0, 0.5], [-0.3, 2.0]]) @ theta
    w, b = p
    return np.sum(np.tanh(w * x + b) * y) + np.sum(p)


def scale2(t):
    return t * 2.0


def through_a_helper(theta, x, y):
    p = scale2(theta)
    w, b = p
    return np.sum(w * x + b - y) + np.sum(p ** 2)


def unpacked_in_a_loop(theta, x, y):
    p = theta * 2
    total = 0.0
    for v in x:
        w, b = p
        total = total + np.sum(np.tanh(w * v + b))
    return total + np.sum(p ** 2)


FUNCTIONS = [doubled, halved, negated, shifted, exponentiated, projected, through_a_helper,
             unpacked_in_a_loop]


@pytest.mark.parametrize("f", FUNCTIONS, ids=[f.__name__ for f in FUNCTIONS])
def test_the_gradient_is_an_array_of_the_arguments_shape(f):
    assert_gradients_match(f, (THETA, X, Y))


@pytest.mark.parametrize("f", FUNCTIONS, ids=[f.__name__ for f in FUNCTIONS])
def test_forward_mode(f):
    assert_jvp_matches(f, (THETA, X, Y))


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("f", [doubled, exponentiated, unpacked_in_a_loop],
                         ids=["doubled", "exponentiated", "unpacked_in_a_loop"])
def test_second_derivatives(f, order):
    assert_second_derivative_matches(order, f, (THETA, X, Y), 0, 0)
