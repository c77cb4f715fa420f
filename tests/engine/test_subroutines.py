"""Calls into the user's own functions: each callee gets a readable derivative of its own."""

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import assert_gradients_match

rng = np.random.default_rng(2)


def layer(W, x):
    return np.tanh(W @ x)


def scaled(x, scale=1.0):
    return x * scale


def two_layers(W1, W2, x):
    return layer(W2, layer(W1, x))


def net(W1, W2, x):
    return np.sum(two_layers(W1, W2, x) ** 2)


def literal_arguments(x):
    return np.sum(scaled(x, 2.0) + scaled(x, scale=3.0) + scaled(x))


def called_in_loop(W, x):
    h = x
    for _ in range(4):
        h = layer(W, h)
    return np.sum(h)


def same_argument_twice(x):
    return np.sum(product(x, x))


def product(a, b):
    return a * b


def callee_with_control_flow(x):
    return np.sum(clipped_square(x))


def clipped_square(v):
    if np.sum(v) > 0:
        return v * v
    return -v


def constant_argument(x):
    W0 = np.eye(3)
    return np.sum(layer(W0, x))


def slices_of_a_result(X, w):
    h = layer(X, w)  # an array: h[..., :2] slices it, it is not a tuple of results
    return np.sum(h[..., :2] * h[1:].sum())


CASES = [
    ("chain_of_calls", net, (rng.normal(size=(3, 3)), rng.normal(size=(3, 3)), rng.normal(size=3)), (0, 1, 2)),
    ("literal_and_keyword_arguments", literal_arguments, (rng.normal(size=3),), (0,)),
    ("called_in_loop", called_in_loop, (rng.normal(size=(3, 3)) * 0.5, rng.normal(size=3)), (0, 1)),
    ("same_argument_twice", same_argument_twice, (rng.normal(size=3),), (0,)),
    ("callee_with_control_flow_pos", callee_with_control_flow, (np.abs(rng.normal(size=3)),), (0,)),
    ("callee_with_control_flow_neg", callee_with_control_flow, (-np.abs(rng.normal(size=3)),), (0,)),
    ("constant_argument", constant_argument, (rng.normal(size=3),), (0,)),
    ("slices_of_a_result", slices_of_a_result, (rng.normal(size=(3, 3)), rng.normal(size=3)), (0, 1)),
]


@pytest.mark.parametrize("motion", ["joint", "split"])
@pytest.mark.parametrize("optimized", [True, False], ids=["optimized", "plain"])
@pytest.mark.parametrize("name,f,args,wrt", CASES, ids=[c[0] for c in CASES])
def test_subroutine_gradients(name, f, args, wrt, optimized, motion):
    assert_gradients_match(f, args, wrt=wrt, optimized=optimized, motion=motion)


SOURCE = '''
import numpy as np


def layer(W, x):
    return np.tanh(W @ x)


def net(W1, W2, x):
    h = layer(W1, x)
    out = layer(W2, h)
    return np.sum(out ** 2) + np.sum(layer(W1, out))


def recursive(x, n):
    if n > 0:
        return recursive(x * 2.0, n - 1)
    return np.sum(x)
'''


def test_static_path_generates_each_callee_once_next_to_the_caller():
    derivative = tangent_lsp.derive(SOURCE, "net", wrt=("W1", "W2"))
    code = derivative.code
    assert code.index("def dnet_dW1_dW2(") < code.index("def dlayer_dW_dx_backward(")
    assert code.count("def dlayer_dW_dx_backward(") == 1
    assert "blayer=" in code  # the seed is passed by keyword


def test_static_path_runs_without_importing_the_module():
    derivative = tangent_lsp.derive(SOURCE, "net", wrt=("W1",))
    namespace: dict = {}
    exec(compile("\n".join([SOURCE, *derivative.imports, derivative.code]), "<net>", "exec"), namespace)
    args = (rng.normal(size=(3, 3)), rng.normal(size=(3, 3)), rng.normal(size=3))
    from tests.oracle import finite_differences

    expected = finite_differences(namespace["net"], args, (0,))[0]
    np.testing.assert_allclose(namespace[derivative.name](*args), expected, rtol=1e-5, atol=1e-8)


def test_recursion_is_reported_at_the_call():
    with pytest.raises(tangent_lsp.DiffError, match="recursion is not supported") as info:
        tangent_lsp.derive(SOURCE, "recursive", path="m.py")
    assert info.value.line == SOURCE.splitlines().index("        return recursive(x * 2.0, n - 1)") + 1


def _product_of(*args):
    return args[0] * args[1]


def calls_a_star_args_helper(x, y):
    return np.sum(_product_of(x, y))


def test_a_helper_taking_star_args_is_reported_not_zero():
    for derive in (tangent_lsp.grad, tangent_lsp.jvp):
        with pytest.raises(tangent_lsp.DiffError, match="takes \\*args"):
            derive(calls_a_star_args_helper, wrt=(0, 1))


def _layer_of_pair(p, x):
    W, b = p
    return np.tanh(W @ x + b)


def layer_given_a_pair(W, b, x):
    return np.sum(_layer_of_pair((W, b), x) ** 2)


def test_a_pair_with_one_varying_element_in_forward_mode():
    W, b, x = np.array([[1.0, 0.3], [-0.2, 0.8]]), np.array([0.1, 0.2]), np.array([0.3, 0.4])
    v = np.array([1.0, -0.5])
    step = 1e-6
    expected = (layer_given_a_pair(W, b + step * v, x) - layer_given_a_pair(W, b - step * v, x)) / (2 * step)
    assert np.isclose(tangent_lsp.jvp(layer_given_a_pair, wrt=(1,))(W, b, x, v), expected)
    gradient = tangent_lsp.grad(layer_given_a_pair, wrt=(1,))
    change = (gradient(W, b + step * v, x) - gradient(W, b - step * v, x)) / (2 * step)
    assert np.allclose(tangent_lsp.hvp(layer_given_a_pair, wrt=1)(W, b, x, v), change, atol=1e-6)


def _states(x):
    hs = []
    hs.append(np.sin(x))
    hs.append(x * 2)
    return hs, np.cos(x)  # a list among the returned values


def reads_returned_states(x):
    hs, c = _states(x)
    return np.sum(hs[0] * hs[1] * c)


def test_a_returned_list_among_several_results_to_second_order():
    from tests.oracle import ORDERS, assert_jvp_matches, assert_second_derivative_matches

    x = rng.normal(size=3)
    assert_gradients_match(reads_returned_states, (x,), autograd=False)
    assert_jvp_matches(reads_returned_states, (x,), autograd=False)
    for order in ORDERS:
        assert_second_derivative_matches(order, reads_returned_states, (x,), 0, 0)
