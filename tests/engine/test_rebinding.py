"""Values read and returned around rebinding: tuple assignment inside branches and
loops (``a, b = b, a``), the value ``preserve_result`` returns after loops and branches
restored their variables, a dict growing a key, and names the runtime helpers own.
Each checked against central differences (found by a search over generated programs;
every case gave a wrong number or crashed before its fix)."""

import numpy as np
import pytest

import tangent_lsp
from tangent_lsp import DiffError, derive
from tangent_lsp.api import derivative_source
from tangent_lsp.higher import hessian, hvp


def swap_in_branch(a, b):
    if a > 0:
        a, b = b, a
    return a + 2.0 * b


def swap_in_loop(a, b):
    for _ in range(3):
        a, b = b + 1.0, a
    return a * b


def swap_in_while(a, b):
    while a < 3.0:
        a, b = b + 1.0, a
    return a + 2.0 * b


def fibonacci_like(x, y):
    for _ in range(4):
        x, y = y, x + y
    return x * y


SWAPS = [swap_in_branch, swap_in_loop, swap_in_while, fibonacci_like]


def _partials(f, args, eps=1e-6):
    out = []
    for i in range(len(args)):
        plus, minus = list(args), list(args)
        plus[i], minus[i] = args[i] + eps, args[i] - eps
        out.append((f(*plus) - f(*minus)) / (2 * eps))
    return out


@pytest.mark.parametrize("f", SWAPS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("optimized", [True, False], ids=["optimized", "plain"])
def test_tuple_assignment_in_blocks_reads_the_old_values(f, optimized):
    args = (0.5, 1.5)
    expected = _partials(f, args)
    ours = tangent_lsp.grad(f, wrt=(0, 1), optimized=optimized, preserve_result=True)(*args)
    assert np.allclose(ours[:2], expected, rtol=1e-5)
    assert np.isclose(ours[2], f(*args))
    assert np.isclose(tangent_lsp.jvp(f, wrt=(0, 1), optimized=optimized)(*args, 1.0, 0.0),
                      expected[0], rtol=1e-5)


def running_sum(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + x[i]
    return s


def written_in_a_loop(x):
    y = x * 1.0
    for i in range(x.shape[0]):
        y[i] = y[i] * x[i]
    return y


def rebound_in_a_branch(x):
    y = x
    if np.sum(x) > 0:
        y = y * 3.0
    return y, np.sum(y)


@pytest.mark.parametrize("motion", ["joint", "split"])
def test_preserved_result_is_the_value_the_function_returns(motion):
    x = np.array([1.0, 2.0, 3.0])
    for f, seed in ((running_sum, 1.0), (written_in_a_loop, np.ones(3)),
                    (rebound_in_a_branch, (np.ones(3), 1.0))):
        *_, value = tangent_lsp.vjp(f, preserve_result=True, motion=motion)(x, seed)
        expected = f(x)
        if isinstance(expected, tuple):
            assert all(np.allclose(a, b) for a, b in zip(value, expected, strict=True))
        else:
            assert np.allclose(value, expected), f.__name__


def dict_grows(x):
    d = {"a": x}
    d["b"] = d["a"] * d["a"]
    return np.sum(d["b"] * x)


def test_a_dict_growing_a_key_to_second_order():
    x = np.array([0.7, -1.3])
    expected_gradient = 3.0 * x ** 2
    assert np.allclose(tangent_lsp.grad(dict_grows)(x), expected_gradient)
    assert np.allclose(tangent_lsp.grad(dict_grows, optimized=False)(x), expected_gradient)
    assert np.allclose(hessian(dict_grows)(x), np.diag(6.0 * x))


def add_at(x):  # named like a runtime helper the derivative calls
    acc = np.zeros(2)
    np.add.at(acc, np.array([0, 0]), x)
    return np.sum(acc * acc)


def unbroadcast(x, y):
    return np.sum(x * y)


def test_functions_named_like_runtime_helpers():
    x = np.array([0.5, 1.0])
    expected = np.full(2, 2.0 * np.sum(x))
    for optimized in (True, False):
        gradient, value = tangent_lsp.grad(add_at, optimized=optimized, preserve_result=True)(x)
        assert np.allclose(gradient, expected) and np.isclose(value, add_at(x))
    assert np.allclose(tangent_lsp.grad(unbroadcast)(x, 2.0 * x), 2.0 * x)


def local_named_copied(x):  # forward mode calls the helper `copied` for the tangent
    copied = x.copy()
    copied[0] = np.sin(copied[0])
    return np.sum(copied * x)


def local_named_reduced_count(x):
    reduced_count = np.mean(x ** 2)
    return reduced_count * 2


def calls_unbroadcast(x):  # this module's own `unbroadcast`, and the helper's
    return unbroadcast(x, x) + np.sum(x * x)


def test_variables_named_like_runtime_helpers():
    x, v = np.array([0.5, 1.0]), np.array([1.0, -2.0])
    for f in (local_named_copied, local_named_reduced_count):
        expected = np.array([
            (f(x + e) - f(x - e)) / 2e-6 for e in np.eye(2) * 1e-6
        ])
        assert np.allclose(tangent_lsp.grad(f)(x), expected)
        assert np.isclose(tangent_lsp.jvp(f)(x, v), expected @ v)
        change = (tangent_lsp.grad(f)(x + 1e-6 * v) - tangent_lsp.grad(f)(x - 1e-6 * v)) / 2e-6
        assert np.allclose(hvp(f)(x, v), change, atol=1e-6)
    code = derivative_source(local_named_copied, mode="forward")
    assert code.imports[-1] == "from tangent_lsp.runtime import copied as tl_copied", code.imports


def test_a_function_named_like_a_helper_it_needs_is_reported():
    with pytest.raises(DiffError, match="'unbroadcast' is also the name of a helper"):
        tangent_lsp.grad(calls_unbroadcast)


def test_an_inserted_derivative_imports_a_shadowed_helper_under_an_alias():
    source = (
        "import numpy as np\n\ndef zeros_like(x):\n    return np.ones_like(x)\n\n"
        "def f(xs):\n    return xs[0] * xs[1]\n"
    )
    derivative = derive(source, "f", wrt=("xs",))
    assert derivative.imports == ["from tangent_lsp.runtime import unbroadcast, zeros_like as tl_zeros_like"]
    assert "tl_zeros_like(xs)" in derivative.code and " zeros_like(" not in derivative.code


def list_of_numbers_written(xs):
    ys = list(xs)
    ys[0] = ys[0] * xs[2]
    return ys[0] + ys[1]


def test_an_element_of_a_list_of_python_floats_written():
    xs = [0.3, 0.5, 0.7]
    gradient = tangent_lsp.grad(list_of_numbers_written)(xs)
    assert np.allclose(gradient, [0.7, 1.0, 0.3])
    g = tangent_lsp.grad(list_of_numbers_written)
    # the gradient's derivative along the first element (differentiated again)
    assert np.allclose(tangent_lsp.jvp(g)(xs, 1.0, [1.0, 0.0, 0.0]), [0.0, 0.0, 1.0])


def reads_with_get(params, x):
    W = params.get("W")
    b = params.get("b", 0.0)
    c = params.get("c", 1.5)  # not in the dict: a constant
    return np.sum(np.tanh(x @ W + b) * c)


def test_a_dicts_get_reads_an_entry():
    params = {"W": np.array([[0.3, -0.2], [0.1, 0.5]]), "b": np.array([0.1, -0.3])}
    x = np.array([0.4, 0.7])
    gradient = tangent_lsp.grad(reads_with_get)(params, x)
    assert set(gradient) == {"W", "b"}
    for key in ("W", "b"):
        expected = np.zeros_like(params[key])
        for index in np.ndindex(expected.shape):
            up = {k: v.copy() for k, v in params.items()}
            down = {k: v.copy() for k, v in params.items()}
            up[key][index] += 1e-6
            down[key][index] -= 1e-6
            expected[index] = (reads_with_get(up, x) - reads_with_get(down, x)) / 2e-6
        assert np.allclose(gradient[key], expected, atol=1e-8)
    direction = {"W": np.ones((2, 2)), "b": np.array([0.5, -1.0])}
    up = {k: params[k] + 1e-6 * direction[k] for k in params}
    down = {k: params[k] - 1e-6 * direction[k] for k in params}
    expected = (reads_with_get(up, x) - reads_with_get(down, x)) / 2e-6
    assert np.isclose(tangent_lsp.jvp(reads_with_get)(params, x, direction), expected)


def list_reduced_twice(x):
    sq = [v ** 2 for v in x]
    return np.sum(sq) + np.max(sq)


def test_a_list_reduced_by_numpy_twice():
    x = np.array([0.7, 1.3, 0.4])
    expected = np.array([(list_reduced_twice(x + e) - list_reduced_twice(x - e)) / 2e-6
                         for e in np.eye(3) * 1e-6])
    for optimized in (True, False):
        assert np.allclose(tangent_lsp.grad(list_reduced_twice, optimized=optimized)(x), expected)
    assert np.allclose(hvp(list_reduced_twice)(x, np.ones(3)), [2.0, 4.0, 2.0])
