"""Derivatives at points where the textbook formula divides by zero but the function is
smooth: ``sinc`` at 0 (its slope (cos(pi x) - sinc(x)) / x is 0 there, its curvature
-pi**2 / 3). Oracle: central differences (autograd's rule gives nan at 0)."""

from __future__ import annotations

import numpy as np
import pytest

import tangent_lsp
from tests.engine.arrays import NEAR0
from tests.oracle import ORDERS, assert_second_derivative_matches, finite_differences

WEIGHTS = np.arange(1.0, 13.0).reshape(3, 4) / 6.0


def weighted_sinc(x):
    return np.sum(np.sinc(x) * WEIGHTS)


def test_the_gradient_at_zero_is_finite_and_right():
    gradient = tangent_lsp.grad(weighted_sinc)(NEAR0)
    assert np.all(np.isfinite(gradient))
    np.testing.assert_allclose(gradient, finite_differences(weighted_sinc, (NEAR0,))[0],
                               rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("order", ORDERS)
def test_second_derivatives_at_zero(order):
    assert_second_derivative_matches(order, weighted_sinc, (NEAR0,), 0, 0)


def test_the_curvature_at_and_around_zero():
    """Each entry of the Hessian's diagonal against central differences of the gradient,
    at 0 and around it (the series below 1e-3, the formula above)."""
    x = np.array([0.0, 1e-9, -1e-6, 9e-4, 1.1e-3, -0.5])
    gradient = tangent_lsp.grad(sinc_sum)
    diagonal = np.diag(tangent_lsp.hessian(sinc_sum)(x))
    step = 1e-5
    expected = [(gradient(x + step * e) - gradient(x - step * e))[i] / (2 * step)
                for i, e in enumerate(np.eye(len(x)))]
    np.testing.assert_allclose(diagonal, expected, rtol=1e-6, atol=1e-8)


def sinc_sum(x):
    return np.sum(np.sinc(x))
