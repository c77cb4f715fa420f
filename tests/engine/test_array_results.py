"""``grad`` of a function whose value is an array: the default seed 1.0 stands for 1.0 in
every element (the gradient of the sum of the value), and a seed passed in of the value's
shape weighs each element. A number added into the result by broadcasting
(``np.sum(x ** 2) + c``) is in every element, so its gradient counts each of them (hunt 43:
it was counted once, a silently wrong gradient)."""

import numpy as np
import pytest

import tangent_lsp
from tangent_lsp.engine import derive
from tests.oracle import finite_differences


def sum_plus_bias(x, c):
    return np.sum(x ** 2) + c


def broadcast_sum(x, c):
    y = np.sin(x) + c
    return y


def scaled(x):
    return x * 2.0


def scalar_loss(x, c):
    return np.sum(np.sin(x) + c)


def joined(x):  # hunt 47: split_like got the number 1.0 as the gradient of a concatenation
    return np.concatenate([x, np.atleast_1d(np.sum(x)), x * 2.0])


RNG = np.random.default_rng(4)
CASES = [
    (joined, (RNG.standard_normal(3),), (0,)),
    (sum_plus_bias, (RNG.standard_normal(3), RNG.standard_normal(5)), (0, 1)),
    (broadcast_sum, (RNG.standard_normal((3, 1)), RNG.standard_normal(4)), (0, 1)),
    (scaled, (RNG.standard_normal(4),), (0,)),
]


def _as_tuple(value, wrt):
    return (value,) if len(wrt) == 1 else tuple(value)


@pytest.mark.parametrize("f, args, wrt", CASES, ids=lambda v: getattr(v, "__name__", ""))
def test_the_default_seed_gives_the_gradient_of_the_sum(f, args, wrt):
    ours = _as_tuple(tangent_lsp.grad(f, wrt=wrt)(*args), wrt)
    expected = finite_differences(lambda *a: np.sum(f(*a)), args, wrt)
    for got, reference in zip(ours, expected):
        assert np.shape(got) == np.shape(reference)
        assert np.allclose(got, reference, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("f, args, wrt", CASES, ids=lambda v: getattr(v, "__name__", ""))
def test_a_seed_of_the_value_s_shape_weighs_each_element(f, args, wrt):
    weights = RNG.standard_normal(np.shape(f(*args)))
    ours = _as_tuple(tangent_lsp.grad(f, wrt=wrt)(*args, weights), wrt)
    expected = finite_differences(lambda *a: np.sum(weights * f(*a)), args, wrt)
    for got, reference in zip(ours, expected):
        assert np.allclose(got, reference, rtol=1e-5, atol=1e-7)


def test_a_number_result_spreads_nothing():
    source = "import numpy as np\n\n\ndef scalar_loss(x, c):\n    return np.sum(np.sin(x) + c)\n"
    code = derive(source, "scalar_loss", wrt=("x", "c")).code
    assert "bscalar_loss2" not in code


def test_the_spread_reads_the_arguments_shapes_under_the_return_s_comment():
    source = "import numpy as np\n\n\ndef sum_plus_bias(x, c):\n    return np.sum(x ** 2) + c\n"
    lines = derive(source, "sum_plus_bias", wrt=("x", "c")).code.splitlines()
    assert lines[1] == "    # Grad of: return np.sum(x ** 2) + c"
    assert lines[2] == "    bsum_plus_bias2 = unreduce(bsum_plus_bias, c)"
