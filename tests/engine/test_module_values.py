"""Module-level values a function reads (``lam = 0.1``): the run-time API reads them when
the derivative runs, as the function does, not when it was generated."""

import importlib
import sys

import numpy as np
import pytest

import tangent_lsp

SOURCE = '''
import numpy as np

K = 2.0
WEIGHTS = np.array([1.0, 2.0, 3.0])


def helper(x):
    return x * K


def loss(x):
    return np.sum(x * x * K * WEIGHTS)


def through_helper(x):
    return np.sum(helper(x) * x)


def make(K):
    def closed(x):  # its K is the closure's, not the module's
        return np.sum(K * x ** 2)
    return closed


seven = make(7.0)


def with_default(x, c=K):  # c is K as it was when f was defined
    return np.sum(c * x ** 2)


def scaled(x):
    return np.sum(K * np.sin(x))


def twice(x):  # calls a generated derivative, bound below by the test
    return np.sum(gradient_of_scaled(x) ** 2)
'''


@pytest.fixture
def module(tmp_path, monkeypatch):
    (tmp_path / "hyper.py").write_text(SOURCE)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("hyper")
    del sys.modules["hyper"]


def test_a_changed_module_value_is_read_by_a_derivative_made_before(module):
    x = np.array([0.5, -1.0, 2.0])
    gradient, through = tangent_lsp.grad(module.loss), tangent_lsp.grad(module.through_helper)
    np.testing.assert_allclose(gradient(x), 2 * x * 2.0 * module.WEIGHTS)
    module.K, module.WEIGHTS = 5.0, np.array([1.0, 0.0, -1.0])
    np.testing.assert_allclose(gradient(x), 2 * x * 5.0 * module.WEIGHTS)
    np.testing.assert_allclose(tangent_lsp.grad(module.loss)(x), 2 * x * 5.0 * module.WEIGHTS)
    np.testing.assert_allclose(through(x), 2 * x * 5.0)  # the helper's K and the caller's agree
    v = np.array([1.0, 1.0, 0.5])
    np.testing.assert_allclose(tangent_lsp.jvp(module.loss)(x, v), np.sum(2 * x * 5.0 * module.WEIGHTS * v))
    module.K = 1.0  # second order, through the gradient's own values
    np.testing.assert_allclose(tangent_lsp.hvp(module.loss)(x, v), 2.0 * module.WEIGHTS * v)


def test_a_closure_and_a_default_keep_their_own_values(module):
    x = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(tangent_lsp.grad(module.seven)(x), 14.0 * x)
    module.K = 5.0  # with_default's c stays 2.0, as in the function itself
    np.testing.assert_allclose(tangent_lsp.grad(module.with_default)(x), 4.0 * x)
    np.testing.assert_allclose(tangent_lsp.jvp(module.with_default)(x, np.ones(3)), np.sum(4.0 * x))


def test_a_function_calling_a_derivative_that_reads_module_values(module):
    x = np.array([0.5, -1.0, 2.0])
    module.gradient_of_scaled = tangent_lsp.grad(module.scaled)  # K * cos(x), K read live
    expected = -2.0 * 2.0 * np.cos(x) * 2.0 * np.sin(x)  # d/dx sum((K cos x)^2), K = 2
    np.testing.assert_allclose(tangent_lsp.grad(module.twice)(x), expected, rtol=1e-8)
