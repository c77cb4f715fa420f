"""Lists built in loops, dicts of parameters, tuples, and writes into arrays."""

import autograd
import numpy as np
import pytest

import tangent_lsp
from tests.oracle import _autograd_version, assert_gradients_match, finite_differences

rng = np.random.default_rng(4)


def rnn_collecting_states(W, x):
    hs = []
    h = x
    for _ in range(4):
        h = np.tanh(W @ h)
        hs.append(h)
    return np.sum(np.stack(hs)) + np.sum(hs[-1] * hs[0])


def builtin_sum_of_list(x):
    parts = []
    for i in range(3):
        parts.append(x * (i + 1.0))
    return np.sum(sum(parts) ** 2)


def list_literal_and_index(a, b):
    items = [a, b * 2.0, a * b]
    return np.sum(items[0] * items[2]) + np.sum(items[-2])


def list_built_in_branch(x):
    out = []
    for i in range(4):
        if i % 2 == 0:
            out.append(np.sin(x * i))
        else:
            out.append(x ** 2)
    return np.sum(np.concatenate(out))


def iterate_over_built_list(x):
    terms = []
    for k in range(3):
        terms.append(x ** (k + 1))
    total = 0.0
    for term in terms:
        total = total + np.sum(term)
    return total


def dict_literal(a, b):
    p = {"a": a, "b": b * 2.0}
    return np.sum(p["a"] * p["b"])


def tuple_literal(a, b):
    pair = (a * 2.0, b)
    return np.sum(pair[0] * pair[1])


def write_rows(x, w):
    out = np.zeros((3, x.shape[0]))
    for i in range(3):
        out[i] = x * w[i]
    return np.sum(out ** 2)


def overwrite_elements(x):
    y = x * 2.0
    y[0] = x[1] ** 3
    y[1:] += x[:-1]
    return np.sum(y * y)


def copied_view(A):  # a copy of a column, then the column overwritten: no aliasing
    B = A * 2.0
    col = B[:, 1].copy()
    B[:, 1] = col * col
    return np.sum(np.sin(B) * col[:, None])


def element_then_write(x):  # x[0] of a vector is a number, not a view
    y = x * 2.0
    a = y[0]
    y[0] = a * a
    return np.sum(np.sin(y)) + a


def update_columns(A, v):
    B = A * 1.0
    for j in range(A.shape[1]):
        B[:, j] = B[:, j] * v[j] + 1.0
    return np.sum(np.sin(B))


def write_then_read_in_loop(x):
    state = np.zeros(3)
    total = 0.0
    for i in range(3):
        state[i] = np.sum(x) * (i + 1.0)
        total = total + np.sum(state * state)
    return total


def constants_on_a_popped_list(x):
    xs = []
    for i in range(3):
        xs.append(x * (i + 2.0))
        xs.append(np.floor(x))  # no gradient, but a place on the list
    total = 0.0
    while xs:
        a = xs.pop()
        b = xs.pop()
        total = total + np.sum(a * b + b)
    return total


def pop_to_discard(x):
    xs = [x * 2.0, np.sin(x)]
    xs.pop()  # dropped: its element gets no gradient
    xs.append(x * x)
    return np.sum(xs.pop() * xs.pop())


def two_pops(x):
    xs = [x, x * 2.0]
    a = xs.pop()
    b = xs.pop()  # the same expression as a's, but another value
    return np.sum(a * b * b)


def elements_updated_in_a_loop(x):  # the tangent list is copied with `copied`, not .copy()
    hs = [x, x * 2.0]
    for i in range(2):
        hs[i] = hs[i] * x
    return np.sum(hs[0] * hs[1])


def first_and_last_of_a_built_list(x, n):  # n == 1: hs[0] and hs[-1] are one element
    hs = []
    for t in range(n):
        hs.append(x * (t + 1.0))
    return np.sum(hs[0] * hs[-1])


def slots_filled_in_a_loop(x, n):  # `[None] * n`: a list of slots, written by position
    hs = [None] * n
    h = x
    for t in range(n):
        h = np.sin(h) * (t + 1.0)
        hs[t] = h
    return np.sum(hs[-1] * hs[0]) + np.sum(hs[n // 2])


def first_then_computed_position(x, n):  # n == 1: hs[0] is hs[n // 2]
    hs = []
    for t in range(n):
        hs.append(x * (t + 1.0))
    return np.sum(hs[0] * x) + np.sum(hs[n // 2] ** 2)


def slots_of_zeros(x):
    acc = 3 * [0.0]
    for i in range(3):
        acc[i] = np.sum(x ** (i + 1))
    return acc[0] * acc[2] + acc[1]


CASES = [
    ("elements_updated_in_a_loop", elements_updated_in_a_loop, (rng.normal(size=3),), (0,), True),
    ("rnn_collecting_states", rnn_collecting_states, (rng.normal(size=(3, 3)) * 0.5, rng.normal(size=3)), (0, 1), True),
    ("builtin_sum_of_list", builtin_sum_of_list, (rng.normal(size=3),), (0,), True),
    ("list_literal_and_index", list_literal_and_index, (rng.normal(size=3), rng.normal(size=3)), (0, 1), True),
    ("list_built_in_branch", list_built_in_branch, (rng.normal(size=3),), (0,), True),
    ("iterate_over_built_list", iterate_over_built_list, (rng.normal(size=3),), (0,), True),
    ("dict_literal", dict_literal, (rng.normal(size=3), rng.normal(size=3)), (0, 1), True),
    ("tuple_literal", tuple_literal, (rng.normal(size=3), rng.normal(size=3)), (0, 1), True),
    ("two_pops", two_pops, (rng.normal(size=3),), (0,), True),
    ("first_and_last_of_one", first_and_last_of_a_built_list, (rng.normal(size=3), 1), (0,), True),
    ("first_and_last_of_three", first_and_last_of_a_built_list, (rng.normal(size=3), 3), (0,), True),
    ("slots_of_one", slots_filled_in_a_loop, (rng.normal(size=3), 1), (0,), True),
    ("slots_of_four", slots_filled_in_a_loop, (rng.normal(size=3), 4), (0,), True),
    ("first_then_computed_of_one", first_then_computed_position, (rng.normal(size=3), 1), (0,), True),
    ("first_then_computed_of_four", first_then_computed_position, (rng.normal(size=3), 4), (0,), True),
    ("slots_of_zeros", slots_of_zeros, (rng.normal(size=3),), (0,), True),
    ("pop_to_discard", pop_to_discard, (rng.normal(size=3),), (0,), True),
    ("constants_on_a_popped_list", constants_on_a_popped_list, (rng.normal(size=3) * 3,), (0,), False),
    # autograd cannot differentiate writes into arrays: finite differences only
    ("write_rows", write_rows, (rng.normal(size=4), rng.normal(size=3)), (0, 1), False),
    ("overwrite_elements", overwrite_elements, (rng.normal(size=4),), (0,), False),
    ("update_columns", update_columns, (rng.normal(size=(3, 4)), rng.normal(size=4)), (0, 1), False),
    ("copied_view", copied_view, (rng.normal(size=(3, 4)),), (0,), False),
    ("element_then_write", element_then_write, (rng.normal(size=4),), (0,), False),
    ("write_then_read_in_loop", write_then_read_in_loop, (rng.normal(size=3),), (0,), False),
]

VARIANTS = {
    "joint": {},
    "plain": {"optimized": False},
    "split": {"motion": "split"},
    "split-plain": {"motion": "split", "optimized": False},
}


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("name,f,args,wrt,autograd", CASES, ids=[c[0] for c in CASES])
def test_container_gradients(name, f, args, wrt, autograd, variant):
    assert_gradients_match(f, args, wrt=wrt, autograd=autograd, **VARIANTS[variant])


def mlp(params, x):
    h = np.tanh(params["W1"] @ x + params["b1"])
    return np.sum(params["W2"] @ h)


def test_dict_of_parameters_gets_a_dict_of_gradients():
    params = {"W1": rng.normal(size=(3, 3)), "b1": rng.normal(size=3), "W2": rng.normal(size=(2, 3))}
    x = rng.normal(size=3)
    grads = tangent_lsp.grad(mlp)(params, x)
    assert set(grads) == set(params)
    for key, value in params.items():
        def partial(v, key=key):
            return mlp({**params, key: v}, x)

        expected = finite_differences(partial, (value,), (0,))[0]
        np.testing.assert_allclose(grads[key], expected, rtol=1e-5, atol=1e-8)


def test_list_methods_other_than_append_are_rejected():
    source = "import numpy as np\n\ndef f(x):\n    xs = [x]\n    xs.extend([x])\n    return np.sum(xs[0])\n"
    with pytest.raises(tangent_lsp.DiffError, match=r"in-place method '\.extend\(\)'"):
        tangent_lsp.derive(source, "f")


# A list of layers of different shapes, read through a slice of it, or at a position the
# function computes: its adjoint is a list too (was `np.zeros(np.shape(ps))`: a crash)
def layers_after_the_first(ps, x):
    h = x
    for W in ps[1:]:
        h = np.tanh(h @ W)
    return np.sum(h)


def layers_in_pairs(ps, x):
    h = x
    for W, b in zip(ps[::2], ps[1::2]):
        h = np.tanh(h @ W + b)
    return np.sum(h)


def layers_reversed_by_a_slice(ps, x):
    h = x
    for W in ps[::-1]:
        h = np.tanh(W @ h)
    return np.sum(h)


def last_of_a_list_by_its_length(xs):
    s = 0.0
    for v in xs:
        s = s + np.sum(v)
    n = len(xs)
    return s + np.sum(xs[n - 1] ** 2)


RAGGED = [rng.normal(size=(2, 3)), rng.normal(size=(3, 4)), rng.normal(size=(4, 2))]
PAIRS = [rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(4, 2)), rng.normal(size=2)]


@pytest.mark.parametrize("f, args", [
    (layers_after_the_first, (RAGGED, rng.normal(size=3))),
    (layers_in_pairs, (PAIRS, rng.normal(size=3))),
    (layers_reversed_by_a_slice, ([rng.normal(size=(4, 2)), rng.normal(size=(2, 3))], rng.normal(size=3))),
    (last_of_a_list_by_its_length, ([rng.normal(size=2), rng.normal(size=3)],)),
    (last_of_a_list_by_its_length, (rng.normal(size=(2, 3)),)),
], ids=["slice", "pairs", "reversed", "computed_position", "computed_position_array"])
def test_a_list_read_through_a_slice_or_a_computed_position(f, args):
    ours = tangent_lsp.grad(f)(*args)
    expected = autograd.grad(_autograd_version(f))(*args)
    assert type(ours) is type(expected) and len(ours) == len(expected)
    eps = 1e-6
    for k, (got, want) in enumerate(zip(ours, expected)):
        assert np.shape(got) == np.shape(want) and np.allclose(got, want, rtol=1e-6, atol=1e-9)
        u = rng.normal(size=np.shape(want))  # and a central difference along one direction

        def moved(step, k=k, u=u):
            items = list(args[0])
            items[k] = items[k] + step * u
            first = np.array(items) if isinstance(args[0], np.ndarray) else items
            return f(first, *args[1:])

        assert np.isclose(np.sum(got * u), (moved(eps) - moved(-eps)) / (2 * eps), rtol=1e-5)


# dict() of (key, value) pairs: `dict(params.items())` crashed in the backward sweep (the
# pairs' adjoint was the dict's; hunt 29), and forward mode made a dict keyed by tangents
def rebuilt_from_items(params, x):
    new = dict(params.items())
    return np.sum(np.tanh(new["w"] * x) * new["b"])


def rebuilt_from_pairs(params, x):  # "w" given twice: the dict keeps the second value
    new = dict([("w", params["w"] * 2.0), ("b", params["b"]), ("w", np.sin(params["w"]))])
    return np.sum(new["w"] * new["b"] * x)


@pytest.mark.parametrize("f", [rebuilt_from_items, rebuilt_from_pairs])
def test_a_dict_made_of_pairs_has_each_value_s_gradient(f):
    params = {"w": rng.normal(size=3), "b": rng.normal(size=3)}
    x = rng.normal(size=3)
    grads = tangent_lsp.grad(f)(params, x)
    assert set(grads) == set(params)
    directions = {key: rng.normal(size=3) for key in params}
    for key, value in params.items():
        def partial(v, key=key):
            return f({**params, key: v}, x)

        expected = finite_differences(partial, (value,), (0,))[0]
        np.testing.assert_allclose(grads[key], expected, rtol=1e-5, atol=1e-8)
    along = sum(np.sum(grads[key] * directions[key]) for key in params)
    np.testing.assert_allclose(tangent_lsp.jvp(f)(params, x, directions), along, rtol=1e-8)


def _pairs_of_w(w, b, x):
    new = dict([("w", w * 2.0), ("b", b), ("w", np.sin(w))])
    return np.sum(new["w"] * new["w"] * new["b"] * x)


def test_a_dict_made_of_pairs_differentiates_twice():
    from tangent_lsp.higher import hvp

    w, b, x, v = (rng.normal(size=3) for _ in range(4))
    gradient = tangent_lsp.grad(_pairs_of_w)
    np.testing.assert_allclose(gradient(w, b, x), finite_differences(_pairs_of_w, (w, b, x))[0],
                               rtol=1e-5)
    step = 1e-6
    expected = (gradient(w + step * v, b, x) - gradient(w - step * v, b, x)) / (2 * step)
    np.testing.assert_allclose(hvp(_pairs_of_w)(w, b, x, v), expected, rtol=1e-5, atol=1e-8)
