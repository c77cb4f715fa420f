"""Writes through views the engine did not know of (hunt 27): NumPy calls that return
their argument itself or a view of it, reported as views are, where they were taken for
copies and gave wrong gradients."""

import numpy as np
import pytest

import tangent_lsp
from tangent_lsp.engine import DiffError


def contiguous(x):  # h is contiguous already: v is h
    h = np.sin(x) * 2.0
    v = np.ascontiguousarray(h)
    v[0] = 3.0
    return np.sum(h ** 2)


def fortran_order(x):
    h = np.sin(x) * 2.0
    v = np.asfortranarray(h)
    v[0] = 3.0
    return np.sum(h ** 2)


def any_array(x):
    h = np.tanh(x)
    v = np.asanyarray(h)
    v[0] = 0.0
    return np.sum(h ** 2)


def checked_finite(x):
    h = np.tanh(x)
    v = np.asarray_chkfinite(h)
    v[0] = 0.0
    return np.sum(h ** 2)


def required(x):
    h = np.tanh(x)
    v = np.require(h, requirements="C")
    v[0] = 0.0
    return np.sum(h ** 2)


def cast_without_copy(x):  # same dtype, copy=False: v is h
    h = np.tanh(x)
    v = h.astype(np.float64, copy=False)
    v[0] = 0.0
    return np.sum(h ** 2)


def array_without_copy(x):
    h = np.tanh(x)
    v = np.array(h, copy=False)
    v[0] = 0.0
    return np.sum(h ** 2)


def split_across(X):  # the halves are views of G
    G = np.tanh(X)
    i, f = np.hsplit(G, 2)
    i *= 0.5
    return np.sum(G ** 2)


def split_down(X):
    G = np.tanh(X)
    top, bottom = np.vsplit(G, 2)
    top *= 0.5
    return np.sum(G ** 2)


def rolled(X):
    H = np.tanh(X)
    a = np.rollaxis(H, 1)
    a[0, 0] = 3.0
    return np.sum(H ** 2)


X = np.array([[0.3, -1.2], [0.8, 0.1]])
REPORTED = [
    (contiguous, "v = np.ascontiguousarray(h)"), (fortran_order, "v = np.asfortranarray(h)"),
    (any_array, "v = np.asanyarray(h)"), (checked_finite, "v = np.asarray_chkfinite(h)"),
    (required, "v = np.require(h"), (cast_without_copy, "v = h.astype(np.float64, copy=False)"),
    (array_without_copy, "v = np.array(h, copy=False)"),
    (split_across, "i, f = np.hsplit(G, 2)"), (split_down, "top, bottom = np.vsplit(G, 2)"),
    (rolled, "a = np.rollaxis(H, 1)"),
]


@pytest.mark.parametrize("mode", ["reverse", "forward"])
@pytest.mark.parametrize("f, line", REPORTED, ids=[f.__name__ for f, _ in REPORTED])
def test_a_write_through_a_view_made_by_a_call_is_reported(f, line, mode):
    derive = tangent_lsp.grad if mode == "reverse" else tangent_lsp.jvp
    with pytest.raises(DiffError) as error:
        derive(f)
    assert "a view of it" in str(error.value) and line in str(error.value)


def cast_with_a_copy(x):  # astype copies by default: h keeps its values
    h = np.tanh(x)
    v = h.astype(np.float64)
    v[0] = 0.0
    return np.sum(h ** 2) + np.sum(v)


def test_a_cast_that_copies_is_no_view():
    x = X[0].copy()
    eps, u = 1e-6, np.array([0.4, -0.9])
    expected = (cast_with_a_copy(x + eps * u) - cast_with_a_copy(x - eps * u)) / (2 * eps)
    gradient = tangent_lsp.grad(cast_with_a_copy)(x)
    assert np.isclose(np.sum(gradient * u), expected, rtol=1e-6)
