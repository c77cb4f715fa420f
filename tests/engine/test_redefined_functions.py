"""The run-time API's cache follows what a derivative was made from (hunt 36): a helper
redefined (a notebook cell run again), a global rebound to another function, a function's
code replaced in place (``%autoreload``) each give the new function's derivative, not the
old one's; and a function made per mini-batch is not kept alive, with its data, by the
cache. Oracle: central differences of the functions as they are now."""

from __future__ import annotations

import gc
import linecache
import weakref

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import finite_differences

W = np.array([[0.5, -0.3], [0.2, 0.8]])
X = np.array([1.0, 2.0])


def notebook() -> tuple[dict, callable]:
    """A namespace and a function that runs a cell in it, as IPython does (the cell's
    source registered with linecache under a file name of its own)."""
    namespace = {"__name__": "__main__"}
    count = [0]

    def run(source: str) -> None:
        count[0] += 1
        name = f"<notebook-cell-{id(namespace)}-{count[0]}>"
        linecache.cache[name] = (len(source), None, source.splitlines(True), name)
        exec(compile(source, name, "exec"), namespace)

    run("import numpy as np\n")
    return namespace, run


def assert_gradient_of(f) -> None:
    np.testing.assert_allclose(tangent_lsp.grad(f)(W, X), finite_differences(f, (W, X))[0],
                               rtol=1e-6, atol=1e-8)


def test_a_helper_redefined_after_grad_is_differentiated_anew():
    namespace, run = notebook()
    run("def act(z):\n    return np.tanh(z)\n")
    run("def loss(W, x):\n    return np.sum(act(W @ x) ** 2)\n")
    assert_gradient_of(namespace["loss"])
    run("def act(z):\n    return 3.0 * np.sin(z)\n")
    assert_gradient_of(namespace["loss"])


def test_a_global_rebound_to_another_function_is_differentiated_anew():
    namespace, run = notebook()
    run("activation = np.tanh\n\ndef loss(W, x):\n    return np.sum(activation(W @ x) ** 2)\n")
    assert_gradient_of(namespace["loss"])
    run("activation = np.sin\n")
    assert_gradient_of(namespace["loss"])


def test_code_replaced_in_place_is_differentiated_anew():
    """``%autoreload`` swaps ``__code__`` of the function objects already bound."""
    namespace, run = notebook()
    run("def act(z):\n    return np.tanh(z)\n\ndef loss(W, x):\n    return np.sum(act(W @ x) ** 2)\n")
    act, loss = namespace["act"], namespace["loss"]
    assert_gradient_of(loss)
    newer, run_newer = notebook()
    run_newer("def act(z):\n    return np.cos(z) * z\n\n"
              "def loss(W, x):\n    return np.sum(act(W @ x) ** 3)\n")
    act.__code__ = newer["act"].__code__  # the helper's code, then the function's own
    assert_gradient_of(loss)
    loss.__code__ = newer["loss"].__code__
    assert_gradient_of(loss)


def test_a_function_made_per_batch_is_freed_with_its_data():
    namespace, run = notebook()
    run("def make_loss(X):\n    def loss(W, x):\n        return np.sum((W @ x - X) ** 2)\n"
        "    return loss\n")
    refs = []
    for seed in range(3):
        batch = np.random.default_rng(seed).normal(size=2)
        refs.append(weakref.ref(batch))
        loss = namespace["make_loss"](batch)
        assert_gradient_of(loss)
        del batch, loss
    gc.collect()
    assert all(ref() is None for ref in refs)


def test_an_unchanged_function_keeps_its_derivative():
    namespace, run = notebook()
    run("def act(z):\n    return np.tanh(z)\n\ndef loss(W, x):\n    return np.sum(act(W @ x) ** 2)\n")
    assert tangent_lsp.grad(namespace["loss"]) is tangent_lsp.grad(namespace["loss"])


def test_a_module_attribute_patched_and_a_builtin_shadowed_are_followed(tmp_path, monkeypatch):
    (tmp_path / "helpers_r.py").write_text(
        "import numpy as np\n\n\ndef helper(z):\n    return np.tanh(z)\n\n\n"
        "def other(z):\n    return 3.0 * np.sin(z)\n")
    (tmp_path / "user_r.py").write_text(
        "import numpy as np\nimport helpers_r\n\n\ndef loss(W, x):\n"
        "    return np.sum(helpers_r.helper(W @ x) ** 2)\n\n\n"
        "def loss_abs(W, x):\n    return np.sum(abs(W @ x) ** 3)\n\n\n"
        "def cube(z):\n    return z ** 3\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import helpers_r
    import user_r

    assert_gradient_of(user_r.loss)
    monkeypatch.setattr(helpers_r, "helper", helpers_r.other)  # mod.helper = other
    assert_gradient_of(user_r.loss)
    assert_gradient_of(user_r.loss_abs)
    monkeypatch.setattr(user_r, "abs", user_r.cube, raising=False)  # shadows the builtin
    assert_gradient_of(user_r.loss_abs)


def test_closure_variables_rebound_and_defaults_replaced_are_followed():
    namespace, run = notebook()
    run("def cube(z):\n    return z ** 3\n\n\ndef make():\n    act = np.tanh\n    lam = 0.1\n\n"
        "    def loss(W, x, c=1.0):\n        return c * lam * np.sum(act(W @ x) ** 2)\n\n"
        "    def configure(new_act, new_lam):\n        nonlocal act, lam\n"
        "        act, lam = new_act, new_lam\n\n    return loss, configure\n")
    loss, configure = namespace["make"]()
    assert_gradient_of(loss)
    for act, lam in [(np.tanh, 5.0), (np.sin, 0.1), (namespace["cube"], 0.1)]:
        configure(act, lam)  # `nonlocal` rebinding
        assert_gradient_of(loss)
    loss.__defaults__ = (3.0,)
    assert_gradient_of(loss)


def test_a_cached_function_and_a_derivative_differentiated_again_are_kept():
    namespace, run = notebook()
    run("import functools\n\n\n@functools.lru_cache\ndef cached(x):\n    return x ** 3 * 2.0\n\n\n"
        "def loss(W, x):\n    return np.sum(np.sin(W @ x) ** 2)\n")
    gradient = tangent_lsp.grad(namespace["cached"])
    assert gradient(1.5) == 6 * 1.5 ** 2 * 2.0 / 2.0 and tangent_lsp.grad(namespace["cached"]) is gradient
    first = tangent_lsp.grad(namespace["loss"])
    again = tangent_lsp.grad(first)  # the wrapper grad returns: derived once, then kept
    assert tangent_lsp.grad(first) is again


def test_a_lambda_it_calls_is_a_diff_error_not_a_crash():
    """Its source line is the assignment (`sq = lambda z: ...`): read as a def, it raised
    AttributeError (hunt 38, found through a builtin shadowed by a lambda)."""
    namespace, run = notebook()
    run("sq = lambda z: z ** 2\n\n\ndef loss(W, x):\n    return np.sum(sq(W @ x))\n")
    with pytest.raises(tangent_lsp.DiffError, match="lambda"):
        tangent_lsp.grad(namespace["loss"])


def test_vjp_and_jvp_of_an_unchanged_function_are_kept_per_wrt():
    namespace, run = notebook()
    run("def loss(W, x):\n    return np.sum(np.sin(W @ x) ** 2)\n")
    loss = namespace["loss"]
    assert tangent_lsp.vjp(loss) is tangent_lsp.vjp(loss)
    assert tangent_lsp.jvp(loss, wrt=(0,)) is tangent_lsp.jvp(loss, wrt=(0,))
    assert tangent_lsp.jvp(loss, wrt=(1,)) is not tangent_lsp.jvp(loss, wrt=(0,))
    u = np.array([0.5, -1.0])
    expected = finite_differences(lambda x: loss(W, x), (X,))[0] @ u
    np.testing.assert_allclose(tangent_lsp.jvp(loss, wrt=(1,))(W, X, u), expected, rtol=1e-6)
