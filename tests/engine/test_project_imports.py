"""Callees imported from other files of the project: found and differentiated by reading
their source (never importing them), with the imports the generated code needs."""

import importlib
import importlib.util
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


def pasted_and_imported(path, source, derivative, module_name):
    """The file with the derivative and its import lines pasted below the source, as the
    editor inserts them, imported: the pasted code must run where the user's code does."""
    path.write_text(source + "\n" + "\n".join(derivative.imports) + "\n\n" + derivative.code)
    return importlib.import_module(module_name)


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
    assert "def ddense_dW_dx_backward(" in derivative.code
    assert "from netpkg.layers import SCALE" in derivative.imports  # as any file spells it
    assert "import numpy as onp" in derivative.imports
    model = pasted_and_imported(model_path, source, derivative, "netpkg.model")
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


ACTIVATIONS = '''
import numpy as np

SCALE = 3.0


def act(z):
    return np.tanh(z)


def layer(x):
    return act(x) * SCALE
'''

SHADOWING_MODEL = '''
import numpy as np
from netpkg.activations import layer

SCALE = 10.0


def act(z):
    return z * z


def loss(x):
    return np.sum(layer(x) * act(x)) * SCALE
'''


def test_a_callee_reads_its_own_globals_where_the_caller_has_others_of_the_same_name(project):
    """`SCALE` and `act` mean one thing in the callee's file and another in the caller's:
    the callee's derivative reads its own under an alias (it read the caller's: wrong)."""
    (project / "activations.py").write_text(textwrap.dedent(ACTIVATIONS))
    model_path = project / "shadowing.py"
    source = textwrap.dedent(SHADOWING_MODEL)
    model_path.write_text(source)
    derivative = tangent_lsp.derive(source, "loss", path=str(model_path))
    assert "from netpkg.activations import SCALE as activations_SCALE" in derivative.imports
    assert "from netpkg.activations import act as activations_act" in derivative.imports
    model = pasted_and_imported(model_path, source, derivative, "netpkg.shadowing")
    x = np.random.default_rng(8).normal(size=3)
    expected = finite_differences(model.loss, (x,))[0]
    np.testing.assert_allclose(getattr(model, derivative.name)(x), expected, rtol=1e-5, atol=1e-8)
    assert model.SCALE == 10.0 and model.act(2.0) == 4.0  # the caller's own names are intact
    np.testing.assert_allclose(tangent_lsp.grad(model.loss)(x), expected, rtol=1e-5, atol=1e-8)
    tangent = tangent_lsp.jvp(model.loss)(x, np.ones(3))
    np.testing.assert_allclose(tangent, np.sum(expected), rtol=1e-5, atol=1e-8)


CLIPPED = '''
import numpy as np
from tangent_lsp import adjoint, tangent_


def clipped_identity(x):
    return x * 1.0


@adjoint(clipped_identity)
def _clipped_identity(y, x):
    d[x] = np.clip(d[y], -0.1, 0.1)


@tangent_(clipped_identity)
def _clipped_identity_tangent(y, x):
    d[y] = np.clip(d[x], -0.1, 0.1)
'''

CLIPPING_MODEL = '''
import numpy as np
from netpkg.clipping import clipped_identity


def loss(x):
    return np.sum(clipped_identity(x) ** 2)
'''


def test_a_rule_written_beside_its_function_in_another_file(project):
    """The caller's file has no rule for it: the rule of the file that defines it applies
    (the function's source was differentiated instead: no clipping)."""
    (project / "clipping.py").write_text(textwrap.dedent(CLIPPED))
    model_path = project / "clipping_model.py"
    source = textwrap.dedent(CLIPPING_MODEL)
    model_path.write_text(source)
    x = np.array([0.3, 1.6, -2.2])
    expected = np.clip(2.0 * x, -0.1, 0.1)
    derivative = tangent_lsp.derive(source, "loss", path=str(model_path))
    assert "np.clip(" in derivative.code
    model = importlib.import_module("netpkg.clipping_model")
    np.testing.assert_allclose(tangent_lsp.grad(model.loss)(x), expected)
    u = np.array([1.0, -1.0, 0.5])
    np.testing.assert_allclose(tangent_lsp.jvp(model.loss)(x, u), np.sum(2.0 * x * np.clip(u, -0.1, 0.1)))


def test_names_a_callee_reads_are_imported_as_the_caller_would_spell_them(project):
    """A function a package passes on (`from netpkg import dense2`), whose file imports a
    sibling relatively (`from .util import K`): the import lines name the modules from the
    caller's side (they were copied as `from .util import K`: an ImportError there)."""
    (project / "util.py").write_text("K = 3.0\n")
    (project / "__init__.py").write_text("from .scaled import dense2\n")
    (project / "scaled.py").write_text(textwrap.dedent('''
        import numpy as np
        from .util import K

        SCALE = 2.0


        def dense2(W, x):
            return np.tanh(W @ x) * SCALE * K
    '''))
    model_path = project.parent / "outside.py"  # beside the package, not in it
    source = "import numpy as np\nfrom netpkg import dense2\n\n\ndef loss(W, x):\n    return np.sum(dense2(W, x) ** 2)\n"
    model_path.write_text(source)
    derivative = tangent_lsp.derive(source, "loss", path=str(model_path))
    assert "from netpkg.util import K" in derivative.imports
    assert "from netpkg.scaled import SCALE" in derivative.imports
    model = pasted_and_imported(model_path, source, derivative, "outside")
    rng = np.random.default_rng(9)
    args = (rng.normal(size=(2, 3)), rng.normal(size=3))
    expected = finite_differences(model.loss, args)[0]
    np.testing.assert_allclose(getattr(model, derivative.name)(*args), expected, rtol=1e-5, atol=1e-8)
    del sys.modules["outside"]


def test_a_callee_file_is_read_as_python_reads_it(project):
    """A BOM and a coding line are fine; a syntax error is named as such (it said the
    module could not be found)."""
    (project / "bommed.py").write_bytes(
        b"\xef\xbb\xbfimport numpy as np\n\n\ndef act(z):\n    return np.tanh(z)\n"
    )
    (project / "broken.py").write_text(
        "import numpy as np\n\n\ndef act(z):\n    return np.tanh(z)\n\n\ndef half(:\n    pass\n"
    )
    caller = project / "caller.py"
    for callee, works in (("bommed", True), ("broken", False)):
        source = f"import numpy as np\nfrom .{callee} import act\n\n\ndef f(x):\n    return np.sum(act(x))\n"
        caller.write_text(source)
        if works:
            assert "def dact_dz_backward(" in tangent_lsp.derive(source, "f", path=str(caller)).code
        else:
            with pytest.raises(tangent_lsp.DiffError) as info:
                tangent_lsp.derive(source, "f", path=str(caller))
            assert "syntax error" in info.value.message and info.value.path.endswith("broken.py")


def test_two_callees_reading_globals_of_one_name_each_read_their_own(project):
    """`K` in one file and `K` in another, neither bound by the caller: the first keeps its
    name, the second is aliased (both read the first's before); an alias never takes a
    name the caller binds (`ka_K` here)."""
    (project / "ka.py").write_text("K = 2.0\n\n\ndef a(z):\n    return K * z ** 2\n")
    (project / "kb.py").write_text("K = 5.0\n\n\ndef b(z):\n    return K * z ** 3\n")
    model_path = project / "two.py"
    source = ("import numpy as np\nfrom .ka import a\nfrom .kb import b\n\nka_K = 1000.0\n\n\n"
              "def f(x):\n    return np.sum(a(x) + b(x)) + ka_K * 0.0\n")
    model_path.write_text(source)
    derivative = tangent_lsp.derive(source, "f", path=str(model_path))
    model = pasted_and_imported(model_path, source, derivative, "netpkg.two")
    x = np.array([0.5, -1.0, 1.5])
    expected = 2.0 * 2.0 * x + 3.0 * 5.0 * x ** 2
    np.testing.assert_allclose(getattr(model, derivative.name)(x), expected)
    assert model.ka_K == 1000.0
    np.testing.assert_allclose(tangent_lsp.grad(model.f)(x), expected)


def test_imports_of_a_callee_of_a_callee_name_the_right_modules(project):
    """`from .const import K` in a file reached through another file, two packages deep,
    is imported as `netpkg.sub.const` (it was spelled relative to the wrong file: the
    caller's own `const`, or an ImportError); `from . import const` is `from netpkg.sub
    import const` (it was `from  import const`); `from . import helper` of a function the
    package passes on is followed."""
    sub = project / "sub"
    sub.mkdir()
    (sub / "__init__.py").write_text("from .util import u as scale_u\n")
    (sub / "const.py").write_text("K = 3.0\n")
    (project / "const.py").write_text("K = 100.0\n")  # another K, one package up
    (sub / "util.py").write_text(
        "from .const import K\nfrom . import const\n\n\ndef u(x):\n    return K * x * const.K\n")
    (sub / "h2.py").write_text("from .util import u\n\n\ndef h2(x):\n    return u(x) ** 2\n")
    (sub / "model.py").write_text(
        "import numpy as np\nfrom .h2 import h2\nfrom . import scale_u\n\n\n"
        "def f(x):\n    return np.sum(h2(x)) + np.sum(scale_u(x))\n")
    model_path = sub / "model.py"
    source = model_path.read_text()
    derivative = tangent_lsp.derive(source, "f", path=str(model_path))
    assert "from netpkg.sub.const import K" in derivative.imports
    assert "from netpkg.sub import const" in derivative.imports
    model = pasted_and_imported(model_path, source, derivative, "netpkg.sub.model")
    x = np.array([0.5, -1.0, 1.5])
    expected = 2.0 * 81.0 * x + 9.0
    np.testing.assert_allclose(getattr(model, derivative.name)(x), expected)
    np.testing.assert_allclose(tangent_lsp.grad(model.f)(x), expected)


def test_a_callee_defaults_and_numpy_names_are_its_own(project):
    """A callee's default read from its own module (`scale=SCALE`, the caller has its own
    SCALE), and a callee that imports NumPy's functions by name while the caller calls
    NumPy `onp`: the derivative reads the callee's value and the caller's NumPy."""
    (project / "dense.py").write_text(
        "from numpy import tanh, cos\n\nSCALE = 2.0\n\n\n"
        "def dense(x, scale=SCALE):\n    return tanh(x * scale) + cos(x)\n")
    model_path = project / "defaults_model.py"
    source = ("import numpy as onp\nfrom .dense import dense\n\nSCALE = 100.0\n\n\n"
              "def f(x):\n    return onp.sum(dense(x)) * SCALE\n")
    model_path.write_text(source)
    derivative = tangent_lsp.derive(source, "f", path=str(model_path))
    model = pasted_and_imported(model_path, source, derivative, "netpkg.defaults_model")
    assert model.SCALE == 100.0
    x = np.array([0.1, 0.2, -0.3])
    expected = 100.0 * (2.0 * (1.0 - np.tanh(2.0 * x) ** 2) - np.sin(x))
    np.testing.assert_allclose(getattr(model, derivative.name)(x), expected)
    np.testing.assert_allclose(tangent_lsp.grad(model.f)(x), expected)


def test_a_rule_beside_a_function_a_package_passes_on(project):
    (project / "clip").mkdir()
    (project / "clip" / "__init__.py").write_text("from .rules import clipped_identity\n")
    (project / "clip" / "rules.py").write_bytes(b"\xef\xbb\xbf" + textwrap.dedent(CLIPPED).encode())
    model_path = project / "reexported_rule.py"
    source = ("import numpy as np\nfrom .clip import clipped_identity\n\n\n"
              "def loss(x):\n    return np.sum(clipped_identity(x) ** 2)\n")
    model_path.write_text(source)
    assert "np.clip(" in tangent_lsp.derive(source, "loss", path=str(model_path)).code
    model = importlib.import_module("netpkg.reexported_rule")
    x = np.array([0.3, 1.6, -2.2])
    np.testing.assert_allclose(tangent_lsp.grad(model.loss)(x), np.clip(2.0 * x, -0.1, 0.1))


def test_a_callees_own_global_is_read_when_the_caller_binds_the_name_too_at_run_time(project):
    """``grad(model.loss)`` on the module as written (no derivative pasted into it): the
    callee's ``SCALE`` is read under an alias, which the run-time namespace did not get
    (NameError: name 'activations_SCALE' is not defined)."""
    (project / "activations.py").write_text(textwrap.dedent(ACTIVATIONS))
    (project / "shadowing.py").write_text(textwrap.dedent(SHADOWING_MODEL))
    model = importlib.import_module("netpkg.shadowing")
    x = np.random.default_rng(9).normal(size=3)
    expected = finite_differences(model.loss, (x,))[0]
    np.testing.assert_allclose(tangent_lsp.grad(model.loss)(x), expected, rtol=1e-5, atol=1e-8)
    tangent = tangent_lsp.jvp(model.loss)(x, np.ones(3))
    np.testing.assert_allclose(tangent, np.sum(expected), rtol=1e-5, atol=1e-8)
    assert np.all(np.isfinite(tangent_lsp.hvp(model.loss)(x, np.ones(3))))


def test_a_function_missing_from_a_file_beside_the_source_is_named_as_missing(tmp_path):
    """``helper.py`` is next to the file but not on ``sys.path`` (the command line run from
    elsewhere): the message said the module could not be found, not the function."""
    (tmp_path / "helper.py").write_text("def act(x):\n    return x * 2.0\n")
    source = "import numpy as np\nimport helper\n\n\ndef f(x):\n    return np.sum(helper.nothere(x))\n"
    with pytest.raises(tangent_lsp.DiffError) as error:
        tangent_lsp.derive(source, "f", path=str(tmp_path / "main.py"))
    assert "cannot find 'nothere' in the module 'helper'" in str(error.value)
    assert error.value.line == 6


@pytest.mark.parametrize("source, numpy_imported", [
    ("def f(x):\n    return x * x + 3.0 * x\n", False),  # plain arithmetic: no NumPy call
    ("import math\n\n\ndef f(x):\n    return math.sin(x) * x\n", True),  # np.cos in it
])
def test_numpy_is_imported_when_the_derivative_calls_it(tmp_path, source, numpy_imported):
    """A module that does not import NumPy got `import numpy as np` with every
    derivative, used or not (an unused import in the user's file; hunt 34 bug 9)."""
    derivative = tangent_lsp.derive(source, "f")
    assert ("import numpy as np" in derivative.imports) == numpy_imported
    path = tmp_path / "no_numpy.py"
    path.write_text(source + "\n" + "\n".join(derivative.imports) + "\n\n" + derivative.code)
    spec = importlib.util.spec_from_file_location("no_numpy", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    x = 0.7
    expected = finite_differences(module.f, (np.array(x),))[0]
    assert np.isclose(getattr(module, derivative.name)(x), expected, rtol=1e-6)
