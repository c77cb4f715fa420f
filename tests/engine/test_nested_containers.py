"""Containers of containers as parameters: a list of layers given as dicts or tuples,
unpacked in loops, passed to the module's own functions, read by position; a dict of
lists; a callee returning a list and a dict. Checked in reverse mode against autograd
and central differences, in forward mode against central differences, and (second
derivatives) the change of one gradient along another argument.

Adjoints of tuples come back as lists (written element by element); the comparison
treats a list and a tuple with the same elements as equal.
"""

import autograd
import numpy as np
import pytest

import tangent_lsp
from tests.engine import nested_programs as P
from tests.oracle import _autograd_version


def _leaves(tree) -> list:
    if isinstance(tree, dict):
        return [leaf for key in sorted(tree) for leaf in _leaves(tree[key])]
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in _leaves(item)]
    return [tree]


def _rebuilt(tree, leaves):
    """``tree``'s structure with ``leaves`` (an iterator) in place of its leaves."""
    if isinstance(tree, dict):
        return {key: _rebuilt(tree[key], leaves) for key in sorted(tree)}
    if isinstance(tree, (list, tuple)):
        return type(tree)(_rebuilt(item, leaves) for item in tree)
    leaf = next(leaves)
    return leaf if isinstance(tree, np.ndarray) else float(leaf)


def _moved(tree, direction, step):
    return _rebuilt(tree, iter([a + step * d for a, d in zip(_leaves(tree), _leaves(direction))]))


def _random_like(tree, rng):
    return _rebuilt(tree, iter([rng.standard_normal(np.shape(a)) for a in _leaves(tree)]))


def _assert_same_structure(ours, reference, where=""):
    if isinstance(reference, dict):
        assert isinstance(ours, dict) and set(ours) == set(reference), where
        for key in reference:
            _assert_same_structure(ours[key], reference[key], f"{where}[{key!r}]")
    elif isinstance(reference, (list, tuple)):
        assert isinstance(ours, (list, tuple)) and len(ours) == len(reference), where
        for k, (a, b) in enumerate(zip(ours, reference)):
            _assert_same_structure(a, b, f"{where}[{k}]")
    else:
        assert np.shape(ours) == np.shape(reference), f"{where}: {np.shape(ours)} vs {np.shape(reference)}"
        assert np.allclose(ours, reference, rtol=1e-6, atol=1e-8), f"{where}: {ours} vs {reference}"


def _pair(tree_a, tree_b) -> float:
    return float(sum(np.sum(np.asarray(a) * np.asarray(b))
                     for a, b in zip(_leaves(tree_a), _leaves(tree_b), strict=True)))


def _central(f, args, i, direction, eps=1e-6):
    plus, minus = list(args), list(args)
    plus[i], minus[i] = _moved(args[i], direction, eps), _moved(args[i], direction, -eps)
    return (f(*plus) - f(*minus)) / (2 * eps)


rng = np.random.default_rng(11)
W1, b1 = rng.standard_normal((3, 4)) * 0.7, rng.standard_normal(4) * 0.3
W2, b2 = rng.standard_normal((4, 2)) * 0.7, rng.standard_normal(2) * 0.3
X = rng.standard_normal((5, 3))
DICTS = [{"W": W1, "b": b1}, {"W": W2, "b": b2}]
SQUARE = [{"W": rng.standard_normal((3, 3)) * 0.5, "b": rng.standard_normal(3) * 0.2}
          for _ in range(2)]

# (function, arguments, index of the container argument)
CASES = [
    (P.list_of_dicts_to_callee, (DICTS, X), 0),
    (P.list_of_tuples_unpacked, ([(W1, b1), (W2, b2)], X), 0),
    (P.list_of_tuples_unpacked_to_callee, ([(W1, b1), (W2, b2)], X), 0),
    (P.list_of_lists_by_position, ([[W1, b1], [W2, b2]], X), 0),
    (P.list_of_tuples_to_unpacking_callee, ([(W1, b1), (W2, b2)], X), 0),
    (P.dict_of_lists_zipped, ({"W": [W1, W2], "b": [b1, b2]}, X), 0),
    (P.tuple_unpacked_once, ((W1, b1), X), 0),
    (P.dict_used_twice, ({"W": SQUARE[0]["W"], "b": b1[:3]}, X), 0),
    (P.dict_through_two_calls, (SQUARE, X), 0),
    (P.dict_of_list_of_dicts, ({"scale": 0.8, "layers": DICTS}, X), 0),
    (P.enumerate_layers, (DICTS, X), 0),
    (P.array_rows_unpacked, (rng.standard_normal((4, 2)), 0.7), 0),
    (P.array_unpacked, (rng.standard_normal((2, 3)),), 0),
    (P.callee_returns_containers, (rng.standard_normal(3),), 0),
    # a callee reads its parameter by position: an array's rows, or a tuple's elements
    (P.list_of_tuples_to_positional_callee, ([(W1, b1), (W2, b2)], X), 0),
    (P.tuple_by_position, ((W1, b1, 0.5), X), 0),
    (P.tuple_by_position, (rng.standard_normal((3, 3, 3)), X[:3]), 0),  # an array
    # an entry's adjoint written in a loop (or branch), then before it: the second adds
    (P.dict_entry_in_loop_and_before, ({k: rng.standard_normal(3) for k in "uw"}, X[0]), 0),
    (P.dict_entry_in_branch_and_before, ({k: rng.standard_normal(3) for k in "uw"}, X[0]), 0),
]
IDS = [f"{case[0].__name__}-{k}" for k, case in enumerate(CASES)]
TWO_ARGUMENTS = [c for c in CASES if len(c[1]) > 1]
TWO_IDS = [i for c, i in zip(CASES, IDS) if len(c[1]) > 1]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradient_of_the_container(case):
    f, args, i = case
    ours = tangent_lsp.grad(f, wrt=(i,))(*args)
    reference = autograd.grad(_autograd_version(f), i)(*args)
    _assert_same_structure(ours, reference)
    direction = _random_like(args[i], np.random.default_rng(3))
    assert np.isclose(_pair(ours, direction), _central(f, args, i, direction), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_tangent_along_the_container(case):
    f, args, i = case
    direction = _random_like(args[i], np.random.default_rng(4))
    ours = tangent_lsp.jvp(f, wrt=(i,))(*args, direction)
    ours = ours[-1] if isinstance(ours, tuple) else ours
    assert np.isclose(ours, _central(f, args, i, direction), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("case", TWO_ARGUMENTS, ids=TWO_IDS)
def test_gradient_of_the_other_argument(case):
    """The container is only read: the gradient with respect to the input."""
    f, args, _ = case
    ours = tangent_lsp.grad(f, wrt=(1,))(*args)
    reference = autograd.grad(_autograd_version(f), 1)(*args)
    _assert_same_structure(ours, reference)


def _first(result):
    return result[0] if isinstance(result, tuple) and len(result) == 1 else result


def _gradient_pairing(f, i, args, cotangent):
    """``<grad_i f(args), cotangent>`` by the engine's first-order gradient (checked above)."""
    return _pair(tangent_lsp.grad(f, wrt=(i,))(*args), cotangent)


# (order, argument differentiated first, argument differentiated second)
SECOND = [("forward over reverse", 0, 1), ("forward over reverse", 0, 0),
          ("reverse over reverse", 1, 0), ("reverse over reverse", 0, 0)]


@pytest.mark.parametrize("second", SECOND, ids=[f"{o} d{i}d{j}" for o, i, j in SECOND])
@pytest.mark.parametrize("case", TWO_ARGUMENTS, ids=TWO_IDS)
def test_second_derivative_through_containers(case, second):
    """``<d/dx_j <grad_i f, t>, u>`` computed by differentiating the generated gradient
    again, against central differences of the gradient along ``u``."""
    f, args, _ = case
    order, i, j = second
    rng = np.random.default_rng(8)
    t, u = _random_like(args[i], rng), _random_like(args[j], rng)
    gradient = tangent_lsp.grad(f, wrt=(i,))
    if order == "forward over reverse":
        change = tangent_lsp.jvp(gradient, wrt=(j,))(*args, 1.0, u)
        ours = _pair(change, t)
    else:
        ours = _pair(_first(tangent_lsp.vjp(gradient, wrt=(j,))(*args, 1.0, t)), u)
    expected = _central(lambda *a: _gradient_pairing(f, i, a, t), args, j, u)
    assert np.isclose(ours, expected, rtol=1e-4, atol=1e-6), (ours, expected)
