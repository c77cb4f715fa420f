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
