"""Dicts indexed by keys the function builds: f-strings, ``"W" + str(i)``, ``.format``.

The key is a string, so the container is a dict and its adjoint one too (a key held in a
variable used to make the adjoint an array: an IndexError when the derivative ran).
"""

import autograd
import numpy as np
import pytest

import tangent_lsp
from tests.oracle import (
    _autograd_version, assert_gradients_match, assert_jvp_matches, finite_differences,
)

rng = np.random.default_rng(12)


def layers_by_fstring(W0, b0, W1, b1, x):
    params = {"W0": W0, "b0": b0, "W1": W1, "b1": b1}
    h = x
    for i in range(2):
        h = np.tanh(h @ params[f"W{i}"] + params[f"b{i}"])
    return np.sum(h * h)


def layers_by_concatenated_key(W0, b0, W1, b1, x):
    params = {"W0": W0, "b0": b0, "W1": W1, "b1": b1}
    h = x
    for i in range(2):
        weight = "W" + str(i)
        bias = "b%d" % i
        h = np.tanh(h @ params[weight] + params[bias])
    return np.sum(h * h)


def layers_by_format(W0, b0, W1, b1, x):
    params = {"W0": W0, "b0": b0, "W1": W1, "b1": b1}
    h = x
    for i in range(2):
        h = np.sin(h @ params["W{}".format(i)]) * params["b{}".format(i)]
    return np.sum(h)


def dict_filled_by_fstring(x, w):
    acts = {}
    h = x
    for i in range(3):
        h = np.sin(h * w)
        acts[f"layer{i}"] = h
    return np.sum(acts["layer2"] * acts["layer0"]) + np.sum(acts["layer1"])


def fstring_with_format_spec(x):
    scale = {"0.50": 2.0, "1.50": 3.0}
    total = 0.0
    for v in (0.5, 1.5):
        total = total + scale[f"{v:.2f}"] * np.sum(x ** 2) * v
    return total


SHAPES = dict(W0=(3, 4), b0=(4,), W1=(4, 2), b1=(2,), x=(5, 3))
LAYER_ARGS = tuple(rng.normal(size=SHAPES[n]) * 0.5 for n in ("W0", "b0", "W1", "b1", "x"))

CASES = [
    ("fstring", layers_by_fstring, LAYER_ARGS, (0, 1, 2, 3, 4)),
    ("concatenated", layers_by_concatenated_key, LAYER_ARGS, (0, 1, 2, 3)),
    ("format", layers_by_format, LAYER_ARGS, (0, 1, 2, 3)),
    ("filled", dict_filled_by_fstring, (rng.normal(size=3), rng.normal(size=3)), (0, 1)),
    ("format_spec", fstring_with_format_spec, (rng.normal(size=3),), (0,)),
]
VARIANTS = {
    "joint": {},
    "plain": {"optimized": False},
    "split": {"motion": "split"},
}


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("name,f,args,wrt", CASES, ids=[c[0] for c in CASES])
def test_gradients_through_computed_keys(name, f, args, wrt, variant):
    assert_gradients_match(f, args, wrt=wrt, **VARIANTS[variant])


@pytest.mark.parametrize("name,f,args,wrt", CASES, ids=[c[0] for c in CASES])
def test_tangents_through_computed_keys(name, f, args, wrt):
    assert_jvp_matches(f, args, wrt=wrt)


def mlp_by_fstring(params, x):
    h = x
    for i in range(2):
        h = np.tanh(h @ params[f"W{i}"] + params[f"b{i}"])
    return np.sum(h ** 2)


def mlp_by_concatenated_key(params, x):
    h = x
    for i in range(2):
        weight = "W" + str(i)
        h = np.tanh(h @ params[weight] + params["b{}".format(i)])
    return np.sum(h ** 2)


@pytest.mark.parametrize("mlp", [mlp_by_fstring, mlp_by_concatenated_key])
def test_a_dict_argument_read_by_computed_keys_gets_a_dict_of_gradients(mlp):
    params = {name: rng.normal(size=SHAPES[name]) * 0.5 for name in ("W0", "b0", "W1", "b1")}
    x = LAYER_ARGS[4]
    grads = tangent_lsp.grad(mlp)(params, x)
    assert isinstance(grads, dict) and set(grads) == set(params)
    expected = autograd.grad(_autograd_version(mlp))(params, x)
    for key, value in params.items():
        def partial(v, key=key):
            return mlp({**params, key: v}, x)

        np.testing.assert_allclose(grads[key], expected[key], rtol=1e-6, atol=1e-9)
        differences = finite_differences(partial, (value,), (0,))[0]
        np.testing.assert_allclose(grads[key], differences, rtol=1e-5, atol=1e-8)


def test_fstring_reads_as_written_in_the_derivative():
    source = (
        "import numpy as np\n\ndef f(params, x):\n"
        "    return np.sum(params[f'W{0}'] * x) + np.sum(params[f'b{1:>3}'])\n"
    )
    code = tangent_lsp.derive(source, "f", wrt=("params",)).code
    assert "f'W{0}'" in code and "f'b{1:>3}'" in code


@pytest.mark.parametrize("name,f,args,wrt", CASES[:3], ids=[c[0] for c in CASES[:3]])
def test_second_order_through_computed_keys(name, f, args, wrt):
    # the derivative's own f-strings and string keys, differentiated again
    u = rng.normal(size=np.shape(args[0]))
    ours = tangent_lsp.hvp(f, wrt=0)(*args, u)
    first = autograd.grad(_autograd_version(f))
    expected = autograd.grad(lambda *a: np.sum(first(*a) * u))(*args)
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-9)


def read_by_a_key_passed_in(p, key):
    return np.sum(p[key] ** 2) + np.sum(p[key] * 0.5)


@pytest.mark.parametrize("p, key", [
    ({"a": np.array([1.0, -2.0]), "b": np.array([3.0])}, "a"),
    ([np.array([1.0, -2.0]), np.array([3.0])], 1),
    (np.array([1.0, -2.0, 0.5]), 2),
    (np.array([1.0, -2.0, 0.5]), np.array([1, 1])),
], ids=["dict", "list", "array", "array-repeated"])
def test_a_container_read_by_a_key_passed_in(p, key):
    """``p[key]`` with both passed in: a dict, a list or an array, which only the run time
    knows (a dict's adjoint was made an array: an IndexError in np.add.at)."""
    grads = tangent_lsp.grad(read_by_a_key_passed_in)(p, key)
    if isinstance(p, np.ndarray):
        expected = finite_differences(lambda v: read_by_a_key_passed_in(v, key), (p,))[0]
        np.testing.assert_allclose(grads, expected, rtol=1e-6, atol=1e-8)
        return
    assert type(grads) is type(p)
    for k in (p if isinstance(p, dict) else range(len(p))):
        def partial(v, k=k):
            moved = dict(p) if isinstance(p, dict) else list(p)
            moved[k] = v
            return read_by_a_key_passed_in(moved, key)

        expected = finite_differences(partial, (p[k],))[0]
        np.testing.assert_allclose(grads[k], expected, rtol=1e-6, atol=1e-8)


def loops_over_a_dict_passed_in(d):
    acc = {k: 0.0 for k in d}  # nothing here says d is a dict: the loop below does
    for k in d:
        acc[k] = np.sum(d[k] ** 2)
    return acc["a"] + 2.0 * acc["b"]


def test_an_earlier_loop_over_a_dict_is_a_dicts_loop():
    """``for k in d`` read d as a list (``d[0]``: a KeyError) when only a later loop, or a
    later ``.items()``, showed that d is a dict."""
    d = {"a": np.array([1.0, -2.0]), "b": np.array([3.0])}
    grads = tangent_lsp.grad(loops_over_a_dict_passed_in)(d)
    assert set(grads) == {"a", "b"}
    for key, value in d.items():
        def partial(v, key=key):
            return loops_over_a_dict_passed_in({**d, key: v})

        expected = finite_differences(partial, (value,))[0]
        np.testing.assert_allclose(grads[key], expected, rtol=1e-6, atol=1e-8)
    tangents = {"a": np.array([0.5, 1.0]), "b": np.array([-1.0])}
    jvp = tangent_lsp.autodiff(loops_over_a_dict_passed_in, mode="forward")(d, tangents)
    expected = sum(np.sum(grads[k] * tangents[k]) for k in d)
    np.testing.assert_allclose(jvp, expected, rtol=1e-10)


def regularised(params, x):  # `sum(params.values())`: a view read whole, not looped over
    return np.sum(x @ params["W"]) + np.sum(sum(params.values()) ** 2)


def stacked_values(d):
    return np.sum(np.stack(list(d.values())) ** 2) + np.sum(np.sin(d["b"]))


def weighted_items(d):
    total = 0.0
    for k, v in list(d.items()):
        total = total + np.sum(v ** 2 * len(k))
    return total


@pytest.mark.parametrize("f, needs_x", [
    (regularised, True), (stacked_values, False), (weighted_items, False),
], ids=["sum_values", "stack_values", "list_items"])
def test_a_dict_view_read_whole(f, needs_x):
    """``.values()``, ``.items()`` outside a loop's header ("no derivative rule for method
    '.values()' (numpy.ndarray.values)" before): the list a loop over the dict builds."""
    d = {"W": np.array([0.5, -1.0]), "b": np.array([2.0, 0.3]), "cc": np.array([1.5, -0.5])}
    x = np.array([1.0, 2.0])
    args = (d, x) if needs_x else (d,)
    grads = tangent_lsp.grad(f)(*args)
    assert isinstance(grads, dict) and set(grads) == set(d)
    for key, value in d.items():
        def partial(v, key=key):
            return f({**d, key: v}, *args[1:])

        expected = finite_differences(partial, (value,))[0]
        np.testing.assert_allclose(grads[key], expected, rtol=1e-6, atol=1e-8)
    tangents = {k: np.array([0.3, -0.7]) for k in d}
    jvp = tangent_lsp.autodiff(f, mode="forward")(*args, tangents)
    expected = sum(np.sum(grads[k] * tangents[k]) for k in d)
    np.testing.assert_allclose(jvp, expected, rtol=1e-8)


def dict_of_int_keyed_dict(x):
    e = {"a": {1: x * 2.0}}
    return np.sum(e["a"][1] ** 2)


def int_keyed_dict_in_an_argument(p):
    return np.sum(p["a"][0] * p["a"][1]) + np.sum(p["W"][0] ** 2)


def test_a_dict_with_integer_keys_inside_a_dict():
    """``e["a"][1]`` where ``e["a"]`` is a dict with integer keys: its adjoint was made an
    array (``ba = np.zeros(np.shape(a)); ba[1] += ...``: an IndexError)."""
    x = np.array([1.0, -2.0])
    assert_gradients_match(dict_of_int_keyed_dict, (x,))
    p = {"a": {0: np.array([1.0, 2.0]), 1: np.array([3.0, -1.0])},
         "W": np.array([[1.0, 2.0], [3.0, 4.0]])}
    grads = tangent_lsp.grad(int_keyed_dict_in_an_argument)(p)
    for path in (("a", 0), ("a", 1), ("W",)):
        def partial(v, path=path):
            moved = {"a": dict(p["a"]), "W": p["W"]}
            if path[0] == "a":
                moved["a"][path[1]] = v
            else:
                moved["W"] = v
            return int_keyed_dict_in_an_argument(moved)

        value = p["a"][path[1]] if path[0] == "a" else p["W"]
        got = grads["a"][path[1]] if path[0] == "a" else grads["W"]
        np.testing.assert_allclose(got, finite_differences(partial, (value,))[0], rtol=1e-6)
