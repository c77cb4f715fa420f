"""Derivatives are returned as arrays of their own (hunt 36 bug 3): the adjoints of ``a``
and ``b`` in ``a + b`` were one array, and ``vjp``/``jvp`` of ``x + b`` returned the
caller's seed or tangent itself, so updating one in place (``ga *= 0.1``) changed the
other. Oracle: central differences, taken after the in-place update."""

from __future__ import annotations

import numpy as np

import tangent_lsp
from tangent_lsp.engine import derive
from tests.oracle import finite_differences

A, B, Y = np.array([1.0, 2.0]), np.array([0.5, -1.0]), np.array([0.2, 0.1])


def added(a, b, y):
    return np.sum((a + b - y) ** 2)


def shifted(x, b):
    return x + b


def multiplied(a, b, y):
    return np.sum(a * b * y)


def test_two_gradients_are_two_arrays():
    ga, gb = tangent_lsp.grad(added, wrt=(0, 1))(A, B, Y)
    ga *= 0.1  # an optimizer scaling one gradient in place
    np.testing.assert_allclose(gb, finite_differences(added, (A, B, Y), wrt=(1,))[0], rtol=1e-6)


def test_a_vjp_does_not_return_the_seed_it_was_given():
    seed = np.array([1.0, 2.0])
    gx = tangent_lsp.vjp(shifted)(A, B, seed)
    gx *= 0.0
    np.testing.assert_array_equal(seed, [1.0, 2.0])


def test_a_jvp_does_not_return_the_tangent_it_was_given():
    tangent = np.array([1.0, 2.0])
    out = tangent_lsp.jvp(shifted)(A, B, tangent)
    out *= 0.0
    np.testing.assert_array_equal(tangent, [1.0, 2.0])


def test_new_arrays_are_not_copied_again():
    source = "import numpy as np\n\n\ndef multiplied(a, b, y):\n    return np.sum(a * b * y)\n"
    assert "copied(" not in derive(source, "multiplied", wrt=("a", "b")).code
    assert "copied(" in derive(
        "import numpy as np\n\n\ndef added(a, b, y):\n    return np.sum((a + b - y) ** 2)\n",
        "added", wrt=("a", "b"),
    ).code


def test_the_functions_it_calls_return_their_adjoints_as_they_are():
    """Only what the caller gets back is copied: a callee's results stay inside."""
    source = ("import numpy as np\n\n\ndef affine(W, b, x):\n    return x @ W + b\n\n\n"
              "def loss(W, b, x):\n    return np.sum(np.tanh(affine(W, b, x)))\n")
    assert "copied(" not in derive(source, "loss", wrt=("W", "b")).code
