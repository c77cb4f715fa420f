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
