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
from tests.engine.trees import (
    assert_same_structure, central, pair, random_like, second_derivative,
)
from tests.oracle import _autograd_version


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
    (P.nested_unpacking, (((W1, b1), 0.5), X), 0),
    (P.unpack_into_own_name, ((SQUARE[0]["W"], (SQUARE[1]["W"], b1[:3])), X), 0),
    # iterating over a dict: .values(), .items(), .keys() and the dict itself
    (P.l2_over_values, ({"W": W1, "b": b1}, X), 0),
    (P.l2_over_items, ({"W": W1, "b": b1}, X), 0),
    (P.over_the_dict_itself, ({"W": W1, "b": b1}, X), 0),
    (P.over_keys, ({"W": W1, "b": b1}, X), 0),
    (P.nested_dict_items, ({"first": DICTS[0], "second": DICTS[1]}, X), 0),
    # a list of arrays of different shapes, iterated
    (P.ragged_list, ([W1, b1, b2], X), 0),
    # an entry's adjoint written in a loop (or branch), then before it: the second adds
    (P.dict_entry_in_loop_and_before, ({k: rng.standard_normal(3) for k in "uw"}, X[0]), 0),
    (P.dict_entry_in_branch_and_before, ({k: rng.standard_normal(3) for k in "uw"}, X[0]), 0),
    # starred unpacking: a tuple's tail, a list's middle, an array's rows, in a loop target
    (P.starred_tail, ((W1, b1, 0.5), X), 0),
    (P.starred_middle, ([SQUARE[0]["W"], SQUARE[1]["W"], SQUARE[0]["W"].T, W1], X), 0),
    (P.starred_array_rows, (rng.standard_normal((4, 3)), X[0]), 0),
    (P.starred_in_loop, ([(b1, W1[0]), (b1[::-1], W1[1])], b1), 0),
    # a literal unpacked into a nested or starred target, or indexed (its adjoint was lost)
    (P.unpack_a_literal, (b1, b1[::-1]), 0),
    (P.index_a_literal, (b1, b1[::-1]), 0),
    # a dict read by keys from a list of strings (it was taken for an array)
    (P.keys_from_a_list, ({"a": b1, "b": b1[::-1]}, b1 * 0.5), 0),
]
IDS = [f"{case[0].__name__}-{k}" for k, case in enumerate(CASES)]
TWO_ARGUMENTS = [c for c in CASES if len(c[1]) > 1]
TWO_IDS = [i for c, i in zip(CASES, IDS) if len(c[1]) > 1]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradient_of_the_container(case):
    f, args, i = case
    ours = tangent_lsp.grad(f, wrt=(i,))(*args)
    reference = autograd.grad(_autograd_version(f), i)(*args)
    assert_same_structure(ours, reference)
    direction = random_like(args[i], np.random.default_rng(3))
    assert np.isclose(pair(ours, direction), central(f, args, i, direction), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_tangent_along_the_container(case):
    f, args, i = case
    direction = random_like(args[i], np.random.default_rng(4))
    ours = tangent_lsp.jvp(f, wrt=(i,))(*args, direction)
    ours = ours[-1] if isinstance(ours, tuple) else ours
    assert np.isclose(ours, central(f, args, i, direction), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("case", TWO_ARGUMENTS, ids=TWO_IDS)
def test_gradient_of_the_other_argument(case):
    """The container is only read: the gradient with respect to the input."""
    f, args, _ = case
    ours = tangent_lsp.grad(f, wrt=(1,))(*args)
    reference = autograd.grad(_autograd_version(f), 1)(*args)
    assert_same_structure(ours, reference)


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
    ours, expected = second_derivative(f, args, order, i, j)
    assert np.isclose(ours, expected, rtol=1e-4, atol=1e-6), (ours, expected)
