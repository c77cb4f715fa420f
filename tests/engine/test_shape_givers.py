"""A value the backward sweep reads only for its shape is not computed (shape_givers.py):
``unreduce(bf, s3)`` with ``s3 = (x * w + np.exp(x)) * 2.0`` computed for nothing else
reads the shape from ``x`` and ``w`` (``broadcast_shape(x, w)``), and the products go.
Checked with shapes that broadcast, where a wrong shape would show."""

import inspect

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import ORDERS, assert_gradients_match, assert_second_derivative_matches

rng = np.random.default_rng(31)


def updated_in_place(x, w):  # s is returned summed: only its shape is read
    s = x * w
    s += np.exp(x)
    s *= 2.0
    return np.sum(s)


def sq(u):
    return u * u


def through_a_helper(x, y):  # the sum's argument, for its shape
    return np.sum(sq(x) + sq(y) * x)


def elements(x):  # x[0] * x[1] + a full reduction: the shape of two elements
    return x[0] * x[1] + np.sum(x[2:] ** 2)


def mean_of_a_product(x, w):  # s is counted for the mean, and read for nothing else
    s = x * w + np.exp(x) * w
    return np.mean(s)


def rows(X):  # a row times a column: the broadcast of two slices, and a full reduction
    return np.sum(X[0] * X[1:, :1] + np.sum(X ** 2))


def branches_of_where(x, y):
    z = np.where(x > 0, x * y, -x)
    return np.sum(np.abs(z) + np.clip(x, -1.0, 1.0))


def product_plus_a_reduction(w, X):  # the matmul alone gives the sum's shape
    t = 0.5 * w
    return t @ (X @ w) + np.sum(np.log(np.diag(X)))


def read_for_its_value_too(x, w):  # s is read as a value: computed anyway, kept
    s = x * w + 1.0
    return np.sum(s) + np.sum(np.sin(s))


COLUMN, ROW = rng.normal(size=(3, 1)), rng.normal(size=(1, 4))
X5 = rng.normal(size=5)
PROGRAMS = [
    (updated_in_place, (X5, rng.normal(size=5)), (0, 1)),
    (updated_in_place, (COLUMN, ROW), (0, 1)),
    (updated_in_place, (ROW, COLUMN), (0, 1)),
    (through_a_helper, (X5, rng.normal(size=5)), (0, 1)),
    (through_a_helper, (COLUMN, ROW), (0, 1)),
    (elements, (X5,), (0,)),
    (rows, (rng.normal(size=(4, 3)),), (0,)),
    (branches_of_where, (X5, rng.normal(size=5)), (0, 1)),
    (branches_of_where, (COLUMN, ROW), (0, 1)),
    (read_for_its_value_too, (COLUMN, ROW), (0, 1)),
    (mean_of_a_product, (COLUMN, ROW), (0, 1)), (mean_of_a_product, (X5, X5 + 1.0), (0, 1)),
    (product_plus_a_reduction, (X5, rng.normal(size=(5, 5)) + 3.0 * np.eye(5)), (0, 1)),
]
IDS = [f"{p[0].__name__}-{'x'.join(map(str, np.shape(p[1][0])))}" for p in PROGRAMS]


@pytest.mark.parametrize("function, args, wrt", PROGRAMS, ids=IDS)
def test_gradients(function, args, wrt):
    # (autograd's np.where does not sum a broadcast condition's gradient back: not an oracle)
    where = function is branches_of_where
    assert_gradients_match(function, args, wrt, autograd=not where)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("function, args, wrt", [PROGRAMS[1], PROGRAMS[4], PROGRAMS[6]],
                         ids=[IDS[1], IDS[4], IDS[6]])
def test_second_derivatives(order, function, args, wrt):
    assert_second_derivative_matches(order, function, args, wrt[0], wrt[-1])


def _code(function, wrt=(0, 1)) -> str:
    source = "import numpy as np\n\n" + "\n\n".join(
        inspect.getsource(f) for f in (sq, function))
    code = tangent_lsp.derive(source, function.__name__, wrt=wrt).code
    return "\n".join(line for line in code.splitlines() if not line.lstrip().startswith("#"))


@pytest.mark.parametrize("function, wrt, gone, giver", [
    (updated_in_place, (0, 1), "x * w", "broadcast_shape(x, w)"),
    (through_a_helper, (0, 1), "sq(y) * x)", "broadcast_shape(x, y)"),
    (elements, (0,), "x0 * x1", "broadcast_shape(x0, x1)"),
    (rows, (0,), "X0 * X_i", "broadcast_shape("),
    (mean_of_a_product, (0, 1), "x * w", "reduced_count(x, w)"),
    # a value of shape () broadcasts into the product: a method's full reduction too
    (product_plus_a_reduction, (0, 1), "diag_X).sum()", "matmul_shape(t, Xw)"),
])
def test_a_value_read_only_for_its_shape_is_not_computed(function, wrt, gone, giver):
    code = _code(function, wrt)
    assert gone not in code and giver in code


def test_a_value_read_for_itself_keeps_its_name():
    code = _code(read_for_its_value_too)
    assert "broadcast_shape" not in code and "s = x * w + 1.0" in code
