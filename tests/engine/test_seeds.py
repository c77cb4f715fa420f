"""``grad`` of a function returning a 1x1 array (``r.T @ r`` for a column ``r``): the
default seed is the number 1.0, which the matrix product's adjoint spreads to 1x1 (the
optimizer drops the ``unbroadcast`` that used to do it)."""

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import finite_differences

R = np.array([[1.0], [-2.0], [0.5]])
W = np.array([[1.0, 0.2, 0.0], [0.3, -1.0, 0.4], [0.0, 0.5, 2.0]])


def gram_scaled(r):
    return (r.T @ r) / 3.0


def gram(r):
    return r.T @ r


def quadratic_form(r, W):
    return r.T @ W @ r


def gram_dot(r):
    return np.dot(r.T, r)


def gram_dot_method(r):
    return r.T.dot(r)


def gram_inner(r):
    return np.inner(r.T, r.T)


def gram_tensordot(r):
    return np.tensordot(r, r, axes=(0, 0))


def _central(f, args, i, eps=1e-6):
    x = args[i]
    out = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = eps
        up, down = list(args), list(args)
        up[i], down[i] = x + step, x - step
        out[index] = (np.sum(f(*up)) - np.sum(f(*down))) / (2 * eps)
    return out


@pytest.mark.parametrize("optimized", [True, False], ids=["optimized", "plain"])
@pytest.mark.parametrize("f, args, wrt", [
    (gram_scaled, (R,), 0), (gram, (R,), 0), (quadratic_form, (R, W), 0), (quadratic_form, (R, W), 1),
    (gram_dot, (R,), 0), (gram_dot_method, (R,), 0), (gram_inner, (R,), 0), (gram_tensordot, (R,), 0),
])
def test_a_number_seed_for_a_one_by_one_result(f, args, wrt, optimized):
    gradient = tangent_lsp.grad(f, wrt=(wrt,), optimized=optimized)(*args)
    assert np.allclose(gradient, _central(f, args, wrt), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("f", [gram, gram_dot])
def test_reverse_over_reverse_with_a_number_seed(f):
    u = np.array([[0.3], [-1.0], [0.5]])
    gradient = tangent_lsp.grad(f)
    expected = (gradient(R + 1e-6 * u) - gradient(R - 1e-6 * u)) / 2e-6  # symmetric Hessian
    assert np.allclose(tangent_lsp.vjp(gradient)(R, 1.0, u), expected, rtol=1e-6, atol=1e-8)


# An array result: `grad` seeds it with the number 1.0 (the gradient of its sum), so an
# adjoint that is the seed times a number must still be spread to the argument's shape.
def doubled(x):
    return x * 2.0


def shifted(x, w):
    return x - w + 1.0


def scaled_rows(x, w):
    return np.tanh(x) * w


X3 = np.array([0.5, -1.0, 2.0])


@pytest.mark.parametrize("optimized", [True, False], ids=["optimized", "plain"])
@pytest.mark.parametrize("f, args, wrt", [
    (doubled, (X3,), 0), (shifted, (X3, X3[::-1].copy()), 0), (shifted, (X3, X3[::-1].copy()), 1),
    (scaled_rows, (X3, 0.5 * X3), 1),
])
def test_a_number_seed_for_an_array_result(f, args, wrt, optimized):
    gradient = tangent_lsp.grad(f, wrt=(wrt,), optimized=optimized)(*args)
    assert np.shape(gradient) == np.shape(args[wrt])
    assert np.allclose(gradient, _central(f, args, wrt), rtol=1e-6, atol=1e-8)


def loss_and_mean(x):
    loss = np.sum(x ** 2)
    return loss, np.mean(x)


def test_grad_of_a_function_returning_two_values_is_reported():
    """``return loss, aux``: grad seeded both with 1.0 and returned the gradient of their
    sum, silently; it is an error now, unless check_dims=False asks for that sum."""
    x = np.array([1.0, -2.0, 0.5])
    with pytest.raises(tangent_lsp.DiffError, match="returns 2 values") as info:
        tangent_lsp.grad(loss_and_mean)
    assert info.value.line == loss_and_mean.__code__.co_firstlineno
    summed = tangent_lsp.grad(loss_and_mean, check_dims=False)(x)
    expected = finite_differences(lambda v: sum(loss_and_mean(v)), (x,))[0]
    np.testing.assert_allclose(summed, expected, rtol=1e-6)
    pulled = tangent_lsp.vjp(loss_and_mean)(x, (1.0, 0.0))  # the loss's gradient alone
    expected = finite_differences(lambda v: loss_and_mean(v)[0], (x,))[0]
    np.testing.assert_allclose(pulled, expected, rtol=1e-6)
