"""Callees imported from other files of the project: found and differentiated by reading
their source (never importing them), with the imports the generated code needs."""

import importlib
import sys
import textwrap

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import finite_differences

LAYERS = '''
import numpy as onp

SCALE = 0.5


def dense(W, x):
    return onp.tanh(W @ x) * SCALE
'''

MODEL = '''
import numpy as np
from {spec} import dense


def loss(W1, W2, x):
    h = dense(W1, x)
    return np.sum(dense(W2, h) ** 2)
'''


@pytest.fixture
def project(tmp_path, monkeypatch):
    package = tmp_path / "netpkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "layers.py").write_text(textwrap.dedent(LAYERS))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield package
    for name in [m for m in sys.modules if m.startswith("netpkg")]:
        del sys.modules[name]


@pytest.mark.parametrize("spec", [".layers", "netpkg.layers"], ids=["relative", "absolute"])
def test_callee_from_another_file(project, spec):
    model_path = project / "model.py"
    source = MODEL.format(spec=spec)
    model_path.write_text(source)
    derivative = tangent_lsp.derive(source, "loss", path=str(model_path), wrt=("W1", "W2"))
    assert "def ddense_dW_dx(" in derivative.code
    assert f"from {spec} import SCALE" in derivative.imports
    assert "import numpy as onp" in derivative.imports
    # insert the derivative into the file, as the editor does, and run it
    model_path.write_text(source + "\n" + "\n".join(derivative.imports) + "\n\n" + derivative.code)
    model = importlib.import_module("netpkg.model")
    rng = np.random.default_rng(7)
    args = (rng.normal(size=(3, 3)), rng.normal(size=(2, 3)), rng.normal(size=3))
    ours = getattr(model, derivative.name)(*args)
    expected = finite_differences(model.loss, args, (0, 1))
    for got, want in zip(ours, expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-8)


def test_installed_packages_are_not_searched(tmp_path):
    source = "import numpy as np\nfrom json import loads\n\ndef f(x):\n    return np.sum(loads(x))\n"
    with pytest.raises(tangent_lsp.DiffError, match="loads"):
        tangent_lsp.derive(source, "f", path=str(tmp_path / "m.py"))


def test_a_function_a_package_passes_on_and_a_missing_module(tmp_path):
    import numpy as np

    from tangent_lsp.engine import DiffError, derive

    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from .layers import dense\n")
    (package / "layers.py").write_text("import numpy as np\n\n\ndef dense(x):\n    return np.sin(x)\n")
    source = ("import numpy as np\nfrom pkg import dense\nfrom nothere_at_all import h\n\n\n"
              "def f(x):\n    return np.sum(dense(x))\n\n\ndef g(x):\n    return np.sum(h(x))\n")
    path = str(tmp_path / "model.py")
    derivative = derive(source, "f", path=path)
    namespace = {"np": np, "dense": np.sin}
    exec(compile("\n".join(derivative.imports) + "\n" + derivative.code, "d", "exec"), namespace)
    x = np.array([0.3, -1.0])
    assert np.allclose(namespace["df_dx"](x), np.cos(x))
    try:
        derive(source, "g", path=path)
    except DiffError as error:
        assert "cannot find the module 'nothere_at_all'" in str(error), error
    else:
        raise AssertionError("a missing module is reported")
