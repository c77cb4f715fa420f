"""Functions with defaulted parameters: the inputs a derivative adds (tangents, a seed)
come last however many defaulted arguments a call leaves out, in jvp, vjp and jacobian
(they were bound to the defaulted parameter, silently)."""

import numpy as np

import tangent_lsp
from tangent_lsp.higher import hessian, hvp, jacobian


def cubic(x, c=2.0):
    return np.sum(c * x ** 3)


def square(x, c=2.0):
    return c * x ** 2


def with_default(x, y=None):
    if y is None:
        y = x * 2.0
    return np.sum(x * y)


def with_defaults(x, w, k=2.0, *, s=1.0):
    return np.sum(np.sin(x * w) * k * s)


X = np.array([0.5, 1.0, 1.5])


def test_vjp_seed_comes_last():
    for motion in ("joint", "split"):
        backward = tangent_lsp.vjp(cubic, motion=motion)
        assert np.allclose(backward(X, 1.0), 6.0 * X ** 2)
        assert np.allclose(backward(X, 3.0, 1.0), 9.0 * X ** 2)
        assert np.allclose(backward(X, c=3.0, bcubic=2.0), 18.0 * X ** 2)


def test_jacobian_with_a_default_left_out():
    assert np.allclose(jacobian(square)(X), np.diag(4.0 * X))
    assert np.allclose(jacobian(square)(X, 1.0), np.diag(2.0 * X))
    assert np.allclose(jacobian(square)(X, c=3.0), np.diag(6.0 * X))


def _central(f, args, tangents, eps=1e-6):
    plus = [a + eps * t for a, t in zip(args, tangents)]
    minus = [a - eps * t for a, t in zip(args, tangents)]
    return (f(*plus) - f(*minus)) / (2 * eps)


def test_jvp_tangents_come_last():
    v = np.array([1.0, 0.5, -2.0])
    expected = _central(with_default, [X], [v])
    tangent = tangent_lsp.jvp(with_default)
    assert np.isclose(tangent(X, v), expected)  # `y` left out: v is the tangent
    assert np.isclose(tangent(X, None, v), expected)
    w, u = X[::-1].copy(), v[::-1].copy()
    both = tangent_lsp.jvp(with_defaults, wrt=(0, 1))
    expected = _central(with_defaults, [X, w], [v, u])
    for value in (both(X, w, v, u), both(X, w, 2.0, v, u, s=1.0), both(X, w, dx=v, dw=u)):
        assert np.isclose(value, expected, rtol=1e-5)


def penalized(x, *, l2=0.1):
    return np.sum(np.sin(x)) + l2 * np.sum(x * x)


def test_hvp_and_hessian_with_defaults_and_keyword_only_parameters():
    v = np.array([1.0, 0.0, 2.0])
    assert np.allclose(hvp(cubic)(X, v), 12.0 * X * v)  # c left out
    assert np.allclose(hvp(cubic)(X, 3.0, v), 18.0 * X * v)
    assert np.allclose(hessian(cubic)(X), np.diag(12.0 * X))
    assert np.allclose(hvp(penalized)(X, v), (0.2 - np.sin(X)) * v)
    assert np.allclose(hvp(penalized)(X, v, l2=1.0), (2.0 - np.sin(X)) * v)
    assert np.allclose(hessian(penalized)(X, l2=1.0), np.diag(2.0 - np.sin(X)))


def sine_sum(x, scale=2.0):
    return np.sum(np.sin(x) * scale)


def _autograd_jvp_of_sine_sum(x, v, scale=2.0):
    """x ↦ jvp of sine_sum at x along v, in autograd: the oracle of its derivatives."""
    import autograd
    import autograd.numpy as anp

    return autograd.make_jvp(lambda z: anp.sum(anp.sin(z) * scale))(x)(v)[1]


def test_derivatives_of_a_jvp_are_called_as_the_jvp_is():
    """grad(jvp(f)) for f with a defaulted parameter: v was bound to the default (a
    silently wrong gradient); the jvp's tangent comes last, however many defaults a call
    leaves out, and the outer derivative's own inputs (a tangent, a seed) after it."""
    import autograd

    v, u = np.array([1.0, 0.5, -2.0]), np.array([0.3, -1.0, 0.7])
    j = tangent_lsp.jvp(sine_sum)
    expected = autograd.grad(_autograd_jvp_of_sine_sum)(X, v)
    np.testing.assert_allclose(tangent_lsp.grad(j)(X, v), expected, rtol=1e-10)
    np.testing.assert_allclose(tangent_lsp.grad(j)(X, 3.0, v), expected * 1.5, rtol=1e-10)
    np.testing.assert_allclose(tangent_lsp.grad(j)(X, v, scale=3.0), expected * 1.5, rtol=1e-10)
    np.testing.assert_allclose(tangent_lsp.vjp(j)(X, v, 2.0), 2.0 * expected, rtol=1e-10)
    second = _central(lambda z: _autograd_jvp_of_sine_sum(z, v), [X], [u])
    np.testing.assert_allclose(tangent_lsp.jvp(j)(X, v, u), second, rtol=1e-6)
