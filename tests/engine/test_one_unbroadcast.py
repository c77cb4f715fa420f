"""Two sums down to one shape are one (simplify._one_unbroadcast): ``unbroadcast(a, x) *
c + unbroadcast(b, x)`` → ``unbroadcast(a * c + b, x)`` where ``a`` and ``b`` provably have
one shape and ``c`` has ``x``'s. Checked where broadcasting happens, where a wrong merge
would count a value once per broadcast row."""

import inspect

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import ORDERS, assert_gradients_match, assert_second_derivative_matches

rng = np.random.default_rng(47)


def two_paths(x, w):  # x reaches s twice: through x * w and through exp(x)
    s = x * w + np.exp(x)
    return np.sum(s * s)


def scaled_paths(x, w):
    s = x * w
    t = np.sin(x) * s
    return np.sum(t + s * 3.0)


def mean_of_two_paths(x, w):  # the mean's adjoint becomes a number (spread_implicitly)
    s = x * w + np.exp(x) * w
    return np.mean(s)


def different_shapes(x, w):  # x * w is (3, 4) where x is (3, 1); np.exp(x) is x's: no merge
    return np.sum(x * w) + np.sum(np.exp(x) * 2.0)


COLUMN, ROW = rng.normal(size=(3, 1)), rng.normal(size=(1, 4))
X4, W4 = rng.normal(size=4), rng.normal(size=4)
PROGRAMS = [
    (two_paths, (X4, W4)), (two_paths, (COLUMN, ROW)), (two_paths, (ROW, COLUMN)),
    (scaled_paths, (X4, W4)), (scaled_paths, (COLUMN, ROW)),
    (different_shapes, (COLUMN, ROW)),
    (mean_of_two_paths, (COLUMN, ROW)), (mean_of_two_paths, (ROW, COLUMN)),
    (mean_of_two_paths, (X4, W4)),
]
IDS = [f"{f.__name__}-{'x'.join(map(str, np.shape(a[0])))}" for f, a in PROGRAMS]


@pytest.mark.parametrize("function, args", PROGRAMS, ids=IDS)
def test_gradients(function, args):
    assert_gradients_match(function, args, (0, 1))


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("function, args", [PROGRAMS[1], PROGRAMS[4]], ids=[IDS[1], IDS[4]])
def test_second_derivatives(order, function, args):
    assert_second_derivative_matches(order, function, args, 0, 1)


def test_the_sums_of_one_shape_are_merged():
    source = "import numpy as np\n\n" + inspect.getsource(two_paths)
    code = tangent_lsp.derive(source, "two_paths", wrt=("x",)).code
    assert code.count("unbroadcast(") == 1
