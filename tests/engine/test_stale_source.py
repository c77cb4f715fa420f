"""A function whose file changed after it was imported runs the old code while its source
reads the new text: differentiating the text would give the derivative of a function that
does not run (hunt 52: a silently wrong gradient). Reported; after a reload, right."""

import ast
import functools
import importlib
import linecache
import sys

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import finite_differences

BEFORE = """import functools
import numpy as np


def loss(x):
    return np.sum(x ** 2)


def helper(x):
    return x * 2.0


def uses_helper(x):
    return np.sum(helper(x) ** 2)


class Model:
    @staticmethod
    def cube(x):
        return np.sum(x ** 3)


@functools.lru_cache(maxsize=None)
def scale():
    return 2.0


def helper_user(x):
    return np.sum(np.sin(x)) * scale()
"""


@pytest.fixture
def module(tmp_path):
    path = tmp_path / "stale_model.py"
    path.write_text(BEFORE)
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("stale_model"), path
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("stale_model", None)


X = np.array([1.0, -2.0, 0.5])


def test_the_unchanged_file_is_differentiated(module):
    mod, _ = module
    np.testing.assert_allclose(tangent_lsp.grad(mod.loss)(X), finite_differences(mod.loss, (X,))[0],
                               rtol=1e-6)
    np.testing.assert_allclose(tangent_lsp.grad(mod.helper_user)(X),
                               finite_differences(mod.helper_user, (X,))[0], rtol=1e-6)


def test_an_edit_not_reloaded_is_reported_and_a_reload_is_followed(module):
    mod, path = module
    path.write_text(BEFORE.replace("x ** 2", "x ** 3"))
    linecache.checkcache(str(path))
    with pytest.raises(tangent_lsp.DiffError, match="not the code that runs") as raised:
        tangent_lsp.grad(mod.loss)(X)
    assert "importlib.reload" in str(raised.value)
    mod = importlib.reload(mod)
    np.testing.assert_allclose(tangent_lsp.grad(mod.loss)(X), 3 * X ** 2, rtol=1e-12)


def test_an_edit_below_the_function_is_not_reported(module):
    mod, path = module
    path.write_text(BEFORE.replace("return 2.0", "return 3.0"))
    linecache.checkcache(str(path))
    np.testing.assert_allclose(tangent_lsp.grad(mod.loss)(X), 2 * X, rtol=1e-12)


def test_lines_moved_above_the_function_are_reported(module):
    """The text at the function's line is something else now (inspect reads by line)."""
    mod, path = module
    path.write_text("# a comment moves every line down\n\n" + BEFORE)
    linecache.checkcache(str(path))
    with pytest.raises(tangent_lsp.DiffError, match="not the code that runs"):
        tangent_lsp.grad(mod.loss)(X)


def test_a_function_made_at_run_time_is_not_checked():
    namespace = {"np": np}
    exec(compile("def cube(x):\n    return np.sum(x ** 3)\n", "<made>", "exec"), namespace)
    cached = functools.lru_cache(maxsize=None)(lambda: 1.0)  # (no file: nothing to compare)
    assert cached() == 1.0
    with pytest.raises(tangent_lsp.DiffError, match="cannot read the source"):
        tangent_lsp.grad(namespace["cube"])(X)


def test_a_helper_edited_and_not_reloaded_is_reported(module):
    """Hunt 53: the helper's new text was differentiated with the old code running."""
    mod, path = module
    path.write_text(BEFORE.replace("x * 2.0", "x * 5.0"))
    linecache.checkcache(str(path))
    with pytest.raises(tangent_lsp.DiffError, match="'helper' .* not the code that runs"):
        tangent_lsp.grad(mod.uses_helper)(X)


def test_a_renamed_function_and_a_method_are_checked(module):
    mod, path = module
    path.write_text(BEFORE.replace("def loss(x)", "def other(x)").replace("x ** 3", "x ** 4"))
    linecache.checkcache(str(path))
    for function in (mod.loss, mod.Model.cube):
        with pytest.raises(tangent_lsp.DiffError, match="not the code that runs"):
            tangent_lsp.grad(function)(X)


def test_a_notebook_cell_run_statement_by_statement_is_not_reported():
    """Hunt 53: IPython compiles each top-level statement of a cell on its own, so `np.sum`
    in a def is a method call there, an attribute load in the cell compiled whole."""
    cell = "import numpy as np\n\ndef cell_loss(x):\n    return np.sum(np.sin(x) * x)\n"
    name = "<ipython-input-53-0123456789ab>"
    linecache.cache[name] = (len(cell), None, cell.splitlines(True), name)
    namespace: dict = {}
    for stmt in ast.parse(cell).body:  # as IPython's run_ast_nodes does
        exec(compile(ast.Module(body=[stmt], type_ignores=[]), name, "exec"), namespace)
    try:
        ours = tangent_lsp.grad(namespace["cell_loss"])(X)
    finally:
        del linecache.cache[name]
    np.testing.assert_allclose(ours, np.cos(X) * X + np.sin(X), rtol=1e-12)
