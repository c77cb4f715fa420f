"""A list, dict or tuple returned by the module's own function is a container at the
call site too: read there by a key held in a variable (``g[k]``) or iterated, its
adjoint is built element by element, not as one array. The same for ``dict()``.

Checked against central differences (and autograd) in reverse mode, in both motions,
in forward mode, and to second order: array arguments in the four orders, container
arguments forward and reverse over reverse."""

import importlib
import sys

import autograd
import numpy as np
import pytest

import tangent_lsp
from tests.engine import returned_programs as P
from tests.engine.trees import (
    assert_same_structure, central, pair, random_like, second_derivative,
)
from tests.oracle import (
    ORDERS, _autograd_version, assert_gradients_match, assert_jvp_matches,
    assert_second_derivative_matches,
)

rng = np.random.default_rng(19)
X = rng.standard_normal(3)
PARAMS = {"w": rng.standard_normal(3), "b": rng.standard_normal(3)}
WS = [rng.standard_normal((4, 3)) * 0.5, rng.standard_normal((2, 4)) * 0.5]

# functions of arrays: (function, arguments, arguments differentiated)
ARRAYS = [
    (P.sgd_of_arrays, (PARAMS["w"], PARAMS["b"], X), (0, 1)),
    (P.penalty_of_two_layers, (WS[0], WS[1], X), (0, 1, 2)),
    (P.tuple_read_by_variable, (X,), (0,)),
    (P.tuple_iterated, (X,), (0,)),
    (P.unpacked_list_iterated, (X,), (0,)),
    (P.list_in_a_returned_tuple, (X,), (0,)),
    (P.nested_tuple_unpacked, (X,), (0,)),
    (P.list_from_several_returns, (X,), (0,)),
    (P.comprehension_read_by_position, (X,), (0,)),
    # `dict()` and `dict(a=...)` are dicts, as `{}` is, whatever their keys
    (P.dict_ctor_int_keys, (X,), (0,)),
    (P.dict_ctor_read_by_position, (X,), (0,)),
    (P.dict_ctor_keywords, (X,), (0,)),
    (P.dict_copied, (X,), (0,)),
    # the callee returns its argument: the result is the caller's list
    (P.list_passed_through, (WS[0], rng.standard_normal((2, 3)) * 0.5, X), (0, 1, 2)),
    (P.list_name_passed_through, (WS[0], rng.standard_normal((2, 3)) * 0.5, X), (0, 1, 2)),
]
ARRAY_IDS = [case[0].__name__ for case in ARRAYS]
VARIANTS = {"joint": {}, "plain": {"optimized": False}, "split": {"motion": "split"}}


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("f,args,wrt", ARRAYS, ids=ARRAY_IDS)
def test_gradient(f, args, wrt, variant):
    assert_gradients_match(f, args, wrt=wrt, **VARIANTS[variant])


@pytest.mark.parametrize("f,args,wrt", ARRAYS, ids=ARRAY_IDS)
def test_tangent(f, args, wrt):
    assert_jvp_matches(f, args, wrt=wrt)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("f,args,wrt", ARRAYS, ids=ARRAY_IDS)
def test_second_derivative(f, args, wrt, order):
    i, j = wrt[0], wrt[-1]
    assert_second_derivative_matches(order, f, args, i, j)
    if i != j:
        assert_second_derivative_matches(order, f, args, j, i)


# functions of containers: (function, arguments); the first argument is differentiated
CONTAINERS = [
    (P.sgd_then_loss, (PARAMS, X, 0.1)),  # lr given: a derivative's seed comes after it
    (P.two_steps, (PARAMS, X)),
    (P.activity_penalty, (WS, X)),
]
CONTAINER_IDS = [case[0].__name__ for case in CONTAINERS]


@pytest.mark.parametrize("f,args", CONTAINERS, ids=CONTAINER_IDS)
def test_gradient_of_the_container(f, args):
    for options in VARIANTS.values():
        default_one = tangent_lsp.INPUT_DERIVATIVE.DefaultOne
        ours = tangent_lsp.autodiff(f, wrt=(0,), input_derivative=default_one, **options)(*args)
        assert_same_structure(ours, autograd.grad(_autograd_version(f), 0)(*args))
        direction = random_like(args[0], np.random.default_rng(3))
        assert np.isclose(pair(ours, direction), central(f, args, 0, direction), rtol=1e-5)


@pytest.mark.parametrize("f,args", CONTAINERS, ids=CONTAINER_IDS)
def test_tangent_along_the_container(f, args):
    direction = random_like(args[0], np.random.default_rng(4))
    ours = tangent_lsp.jvp(f, wrt=(0,))(*args, direction)
    assert np.isclose(ours, central(f, args, 0, direction), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("order", ["forward over reverse", "reverse over reverse"])
@pytest.mark.parametrize("f,args", CONTAINERS, ids=CONTAINER_IDS)
def test_second_derivative_of_the_container(f, args, order):
    for i, j in [(0, 0), (0, 1), (1, 0)]:
        ours, expected = second_derivative(f, args, order, i, j)
        assert np.isclose(ours, expected, rtol=1e-4, atol=1e-6), (i, j, ours, expected)


HELPERS = '''
import numpy as np


def grads(params, x):
    return {"w": 2.0 * params["w"] * x, "b": np.cos(params["b"])}


def widths(x):
    return [np.sin(x), np.cos(x[:2]) * x[0]]
'''

MODEL = '''
import numpy as np
from .helpers import grads, widths


def step(w, b, x):
    params = {"w": w, "b": b}
    g = grads(params, x)
    new = {k: params[k] - 0.1 * g[k] for k in ["w", "b"]}
    tot = np.sum(new["w"] * new["b"])
    for h in widths(x * w):
        tot = tot + np.sum(h ** 2)
    return tot
'''


@pytest.fixture
def model(tmp_path, monkeypatch):
    package = tmp_path / "retpkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "helpers.py").write_text(HELPERS)
    (package / "model.py").write_text(MODEL)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("retpkg.model")
    for name in [m for m in sys.modules if m.startswith("retpkg")]:
        del sys.modules[name]


def test_callee_from_another_file(model):
    """The kind of what a callee of another file returns is read from its source too."""
    args = (PARAMS["w"], PARAMS["b"], X)
    assert_gradients_match(model.step, args, wrt=(0, 1, 2), autograd=False)
    for order in ORDERS:
        assert_second_derivative_matches(order, model.step, args, 0, 2)


RECURSIVE = '''
import numpy as np


def build(x, n):
    if n == 0:
        return [x]
    hs = build(x * 0.5, n - 1)
    hs.append(x)
    return hs


def f(x):
    tot = 0.0
    for h in build(x, 2):
        tot = tot + np.sum(h)
    return tot
'''


def test_recursion_is_still_reported():
    """What a recursive function returns is not known while its body is read: the
    recursion is reported when its derivative is generated, as before."""
    with pytest.raises(tangent_lsp.DiffError, match="recursion is not supported"):
        tangent_lsp.derive(RECURSIVE, "f", path="m.py")
