"""NumPy's statistics (``tangent_lsp/rules/numpy_statistics*.py``: average, ptp, median,
percentile, quantile, cov, corrcoef) and interp, polyval, nan_to_num, linalg.qr and lstsq:
gradients and tangents against central differences (and autograd where it has the
function: only nan_to_num), second derivatives in the four orders, the conventions at
ties and exact ranks, and the arguments reported instead of differentiated."""

import ast
import inspect
import re

import numpy as np
import pytest

import tangent_lsp
from tangent_lsp.engine.templates import library
from tests.oracle import (
    ORDERS, assert_gradients_match, assert_jvp_matches, assert_second_derivative_matches,
    finite_differences,
)

rng = np.random.default_rng(13)
A34 = rng.normal(size=(3, 4))  # distinct values: no ties
X234 = rng.normal(size=(2, 3, 4))
V5 = rng.normal(size=5)
W3 = rng.uniform(0.5, 2.0, 3)  # positive weights
W4 = rng.uniform(0.5, 2.0, 4)
W34 = rng.uniform(0.5, 2.0, (3, 4))
W42 = rng.uniform(0.5, 2.0, (4, 2))
Q3 = np.array([0.1, 0.45, 0.83])  # not at exact ranks of 3, 4 or 12 values
XP = np.array([-1.0, -0.2, 0.5, 1.5])  # knots, increasing
FP = np.array([0.3, -1.0, 2.0, 0.7])
X6 = np.array([-1.7, -0.6, 0.1, 0.9, 1.4, 2.2])  # two points outside the knots
P4 = np.array([0.5, -1.0, 0.3, 0.2])  # a cubic
NANS = np.array([[1.0, np.nan, -2.0], [np.inf, 0.5, -np.inf]])


def bent(y):  # a nonlinear read of the result, so second derivatives are not zero
    return np.sum(np.sin(y) * y)


# --- average -----------------------------------------------------------------------------


def average_all(a):
    return bent(np.average(a))


def average_axis(a):
    return bent(np.average(a, axis=1))


def average_rows_weighted(a, w):  # weights of the reduced axis
    return bent(np.average(a, axis=0, weights=w))


def average_weighted(a, w):  # weights shaped like a
    return bent(np.average(a, weights=w))


def average_keepdims(a, w):
    return bent(np.average(a, -1, w, keepdims=True) * a)


def average_axes(x, w):  # weights of two axes, given in the other order
    return bent(np.average(x, axis=(2, 0), weights=w))


# --- ptp, median, quantiles ----------------------------------------------------------------


def ptp_all(a):
    return bent(np.ptp(a))


def ptp_axis(a):
    return bent(np.ptp(a, axis=0))


def ptp_keepdims(a):
    return bent(np.ptp(a, 1, keepdims=True) * a)


def median_all(a):  # 12 values: the mean of the middle two
    return bent(np.median(a))


def median_odd(a):  # 3 values per column: the middle one
    return bent(np.median(a, axis=0))


def median_even(a):
    return bent(np.median(a, axis=-1))


def median_keepdims(a):
    return bent(np.median(a, 1, keepdims=True) * a)


def median_axes(x):
    return bent(np.median(x, axis=(0, 2)))


def quantile_one(a, q):
    return bent(np.quantile(a, q))


def quantile_axis(a, q):  # several q: their axis first
    return bent(np.quantile(a, q, axis=0))


def quantile_keepdims(a, q):
    return bent(np.quantile(a, q, axis=1, keepdims=True))


def quantile_axes(x, q):
    return bent(np.quantile(x, q, axis=(1, 2)))


def quantile_ranks(a):  # exactly at the ranks of 4 values (and both ends)
    return bent(np.quantile(a, [0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0], axis=1))


def percentile_one(a, q):
    return bent(np.percentile(a, q))


def percentile_axis(a, q):
    return bent(np.percentile(a, q, axis=1))


def percentile_rank(a):  # the 50th percentile of 3 values is the middle one
    return bent(np.percentile(a, 50, axis=0, keepdims=True) * a)


# --- cov and corrcoef ------------------------------------------------------------------------


def cov_default(m):
    return bent(np.cov(m))


def cov_columns(m):
    return bent(np.cov(m, rowvar=False))


def cov_biased(m):
    return bent(np.cov(m, bias=True))


def cov_ddof(m):
    return bent(np.cov(m, ddof=2))


def cov_vector(v):  # one variable: a number
    return bent(np.cov(v))


def corrcoef_default(m):
    return bent(np.corrcoef(m))


def corrcoef_columns(m):
    return bent(np.corrcoef(m, rowvar=False))


# --- interp, polyval, nan_to_num, qr ----------------------------------------------------------


def interp_all(x, xp, fp):
    return bent(np.interp(x, xp, fp))


def interp_bounds(x, fp, low):  # left and right given: they are read outside
    return bent(np.interp(x, XP, fp, left=low, right=2.0 * low))


def interp_number(x, fp):
    return bent(np.interp(x, XP, fp))


def polyval_both(p, x):
    return bent(np.polyval(p, x))


def polyval_constant(x):
    return bent(np.polyval([0.5, -1.0, 0.3], x))


def nan_to_num_finite(x):
    return bent(np.nan_to_num(x))


def nan_to_num_bounded(x):  # the infinities replaced by numbers of our own
    return bent(np.nan_to_num(x, posinf=4.0, neginf=-4.0))


def nan_to_num_values(x, c):  # the replacements themselves vary
    return bent(np.nan_to_num(x, nan=c, posinf=2.0 * c, neginf=-3.0))


def qr_both(a):
    q, r = np.linalg.qr(a)
    return bent(q) + bent(r * 0.5)


def qr_r(a):
    return bent(np.linalg.qr(a)[1])


def lstsq_solution(a, b):
    return bent(np.linalg.lstsq(a, b)[0])


def lstsq_all(a, b):  # the residuals (a tall: else none) and the singular values too
    x, residuals, rank, s = np.linalg.lstsq(a, b, rcond=None)
    return bent(x) + np.sum(np.sqrt(residuals)) + bent(s * 0.3) + rank * 0.0


A43 = A34.T.copy()  # tall, of full rank
B4 = rng.normal(size=4)
B42 = rng.normal(size=(4, 2))
CASES = [
    (average_all, (A34,), (0,)), (average_axis, (A34,), (0,)),
    (average_rows_weighted, (A34, W3), (0, 1)), (average_weighted, (A34, W34), (0, 1)),
    (average_keepdims, (A34, W4), (0, 1)), (average_axes, (X234, W42), (0, 1)),
    (ptp_all, (A34,), (0,)), (ptp_axis, (A34,), (0,)), (ptp_keepdims, (A34,), (0,)),
    (median_all, (A34,), (0,)), (median_odd, (A34,), (0,)), (median_even, (A34,), (0,)),
    (median_keepdims, (A34,), (0,)), (median_axes, (X234,), (0,)),
    (quantile_one, (A34, 0.3), (0, 1)), (quantile_axis, (A34, Q3), (0, 1)),
    (quantile_keepdims, (A34, Q3[:2]), (0, 1)), (quantile_axes, (X234, Q3), (0, 1)),
    (quantile_ranks, (A34,), (0,)),
    (percentile_one, (A34, 40.0), (0, 1)), (percentile_axis, (A34, Q3 * 100.0), (0, 1)),
    (percentile_rank, (A34,), (0,)),
    (cov_default, (A34,), (0,)), (cov_columns, (A34,), (0,)), (cov_biased, (A34,), (0,)),
    (cov_ddof, (A34,), (0,)), (cov_vector, (V5,), (0,)),
    (corrcoef_default, (A34,), (0,)), (corrcoef_columns, (A34.T.copy(),), (0,)),
    (interp_all, (X6, XP, FP), (0, 1, 2)), (interp_bounds, (X6, FP, 0.4), (0, 1, 2)),
    (interp_number, (0.2, FP), (0, 1)),
    (polyval_both, (P4, A34), (0, 1)), (polyval_both, (P4, 0.7), (0, 1)),
    (polyval_constant, (A34,), (0,)),
    (nan_to_num_finite, (A34,), (0,)), (nan_to_num_bounded, (NANS,), (0,)),
    (nan_to_num_values, (NANS, 0.3), (0, 1)),
    (qr_both, (A34.T.copy(),), (0,)), (qr_both, (A34[:, :3].copy(),), (0,)),
    (qr_both, (X234.transpose(0, 2, 1).copy(),), (0,)), (qr_r, (A34.T.copy(),), (0,)),
    (lstsq_solution, (A43, B4), (0, 1)), (lstsq_solution, (A34[:, :3].copy(), B4[:3].copy()), (0, 1)),
    (lstsq_solution, (A34[:2].copy(), B4[:2].copy()), (0, 1)),  # wide: the least-norm solution
    (lstsq_all, (A43, B4), (0, 1)), (lstsq_all, (A43, B42), (0, 1)),
    (lstsq_all, (A34, B4[:3].copy()), (0, 1)),  # wide: no residuals
]
IDS = [f"{f.__name__}-{np.shape(args[0])}" for f, args, _ in CASES]
AUTOGRAD = {nan_to_num_finite}  # autograd has none of the others


@pytest.mark.parametrize("f, args, wrt", CASES, ids=IDS)
def test_gradient(f, args, wrt):
    autograd = f in AUTOGRAD and np.all(np.isfinite(args[0]))
    assert_gradients_match(f, args, wrt=wrt, autograd=autograd)


@pytest.mark.parametrize("f, args, wrt", CASES, ids=IDS)
def test_tangent(f, args, wrt):
    autograd = f in AUTOGRAD and np.all(np.isfinite(args[0]))
    assert_jvp_matches(f, args, wrt=wrt, autograd=autograd)


PAIRS = [
    pytest.param(f, args, i, j, id=f"{name}-{i}{j}")
    for (f, args, wrt), name in zip(CASES, IDS)
    for i, j in sorted({(k, k) for k in wrt} | {(wrt[0], wrt[-1]), (wrt[-1], wrt[0])})
]


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("f, args, i, j", PAIRS)
def test_second_derivative(f, args, i, j, order):
    assert_second_derivative_matches(order, f, args, i, j, seed=7, context=f.__name__)


def test_every_statistics_rule_has_a_case():
    """Each key of the statistics rule files is called by some case above."""
    keys = {k for k, t in list(library().adjoints.items()) + list(library().tangents.items())
            if "numpy_statistics" in t.source_file}
    called = {f"numpy.{node.func.attr}" for f, _, _ in CASES
              for node in ast.walk(ast.parse(inspect.getsource(f)))
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)}
    assert keys and sorted(keys - called) == []


# --- ties, exact ranks and knots: the conventions, checked where one-sided differences exist ---


def _one_sided(f, args, k, direction, step=1e-7):
    """The derivative of ``f`` along ``direction`` of argument k, from above."""
    moved = list(args)
    moved[k] = np.asarray(args[k], dtype=float) + step * direction
    return (f(*moved) - f(*args)) / step


def test_tied_values_share_the_gradient_of_their_rank():
    v = np.array([0.3, 2.0, -1.0, 2.0, 0.9])  # the median is 2.0, held twice
    gradient = tangent_lsp.grad(lambda_free_median)(v)
    tied = v == np.median(v)
    assert np.isclose(np.sum(gradient), 1.0) and np.all(gradient[~tied] == 0.0)
    # moving the tied values together moves the median with them
    assert np.isclose(np.sum(gradient * tied), _one_sided(lambda_free_median, (v,), 0, tied * 1.0))


def lambda_free_median(v):
    return np.median(v)


def ptp_of(v):
    return np.ptp(v)


def test_tied_extremes_share_ptp():
    v = np.array([3.0, 1.0, 3.0, 0.0, 0.0])
    gradient = tangent_lsp.grad(ptp_of)(v)
    top, bottom = v == v.max(), v == v.min()
    assert np.allclose(gradient[top], 1.0 / top.sum()) and np.allclose(gradient[bottom], -1.0 / bottom.sum())
    assert np.isclose(np.sum(gradient * top), _one_sided(ptp_of, (v,), 0, top * 1.0))


def quantile_of(a, q):
    return np.sum(np.quantile(a, q, axis=1))


def median_of(a):
    return np.sum(np.median(a, axis=1))


@pytest.mark.parametrize("q", [0.0, 1.0 / 3.0, 0.5, 2.0 / 3.0])
def test_a_quantile_at_an_exact_rank_moves_with_q_as_from_above(q):
    derivative = tangent_lsp.grad(quantile_of, wrt=(1,))(A34, q)
    assert np.isclose(derivative, _one_sided(quantile_of, (A34, q), 1, 1.0), rtol=1e-5)
    forward = tangent_lsp.jvp(quantile_of, wrt=(1,))(A34, q, 1.0)
    assert np.isclose(forward, derivative)


def test_the_last_quantile_moves_with_q_as_from_below():
    derivative = tangent_lsp.grad(quantile_of, wrt=(1,))(A34, 1.0)
    assert np.isclose(derivative, -_one_sided(quantile_of, (A34, 1.0), 1, -1.0), rtol=1e-5)


@pytest.mark.parametrize("n", [1, 2, 5, 6])
def test_median_reads_the_middle_ranks(n):
    a = rng.normal(size=(2, n))
    gradient = tangent_lsp.grad(median_of)(a)
    np.testing.assert_allclose(gradient, finite_differences(median_of, (a,))[0], atol=1e-7)
    assert np.allclose(np.sum(gradient, axis=1), 1.0)


def interp_at(x, fp):
    return np.sum(np.interp(x, XP, fp))


def test_interp_at_a_knot_takes_the_segment_to_its_right():
    x = XP[:-1].copy()  # at the last knot, the segment to its left: checked below
    derivative = tangent_lsp.grad(interp_at)(x, FP)
    for k in range(x.size):
        direction = np.eye(x.size)[k]
        assert np.isclose(derivative[k], _one_sided(interp_at, (x, FP), 0, direction), rtol=1e-5)
    last = tangent_lsp.grad(interp_at)(XP[-1:].copy(), FP)
    assert np.isclose(last[0], -_one_sided(interp_at, (XP[-1:], FP), 0, -np.ones(1)), rtol=1e-5)


# --- arguments the rules do not follow are reported -----------------------------------------


@pytest.mark.parametrize("call, says", [
    ("np.quantile(x, 0.3, method='nearest')", "method other than 'linear'"),
    ("np.percentile(x, 30.0, method=how)", "method= is followed only when written as a constant"),
    ("np.median(x, overwrite_input=True)", "overwrite_input=True"),
    ("np.quantile(x, 0.5, overwrite_input=True)", "overwrite_input=True"),
    ("np.average(x, weights=x, returned=True)[0]", "returned=True"),
    ("np.cov(x, x * 2.0)", "second set of variables (y=)"),
    ("np.cov(x, fweights=[1, 2, 1, 1])", "frequency weights (fweights=)"),
    ("np.cov(x, aweights=x[0])", "observation weights (aweights=)"),
    ("np.corrcoef(x, y=x)", "second set of variables (y=)"),
    ("np.interp(x, [0.0, 1.0], [1.0, 2.0], period=2.0)", "periodic interpolation (period=)"),
    ("np.linalg.qr(x, mode='complete')[0]", "mode other than 'reduced'"),
    ("np.linalg.qr(x, 'r')", "mode other than 'reduced'"),
])
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_arguments_left_undifferentiated_are_reported(call, says, mode):
    source = f"import numpy as np\n\n\ndef f(x, how='lower'):\n    return np.sum({call})\n"
    with pytest.raises(tangent_lsp.DiffError, match=re.escape(says)) as error:
        tangent_lsp.derive(source, "f", mode=mode)
    assert error.value.line == 5
