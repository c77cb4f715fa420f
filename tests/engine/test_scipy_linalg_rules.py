"""The ``scipy.linalg`` rules (``tangent_lsp/rules/scipy_linalg*.py``): gradients against
central differences and autograd's ``scipy.linalg``, tangents, second derivatives in the
four orders, and a Gaussian process's likelihood written with them."""

import numpy as np
import pytest

import tangent_lsp
from tests.engine import scipy_linalg_programs as P
from tests.oracle import (
    ORDERS, assert_gradients_match, assert_jvp_matches, assert_second_derivative_matches,
)

rng = np.random.default_rng(31)
# A well-conditioned matrix whose every entry differs: the triangle a solve does not read
# holds numbers too, whose gradient must be zero.
A = rng.normal(size=(3, 3)) * 0.4 + 2.5 * np.eye(3)
B32 = rng.normal(size=(3, 2))
B3 = rng.normal(size=3)

CASES = [
    (P.lower_vector, (A, B3)),
    (P.upper_matrix, (A, B32)),
    (P.transposed, (A, B3)),
    (P.transposed_by_number, (A, B3)),
    (P.unit_diagonal, (A, B3)),
    (P.batch, (np.stack([A, A.T + 0.5 * np.eye(3)]), rng.normal(size=(2, 3, 2)))),
    (P.batch, (A, rng.normal(size=(2, 3, 2)))),  # a broadcast: a's gradient sums the batch
]
IDS = ["lower_vector", "upper_matrix", "transposed", "transposed_by_number",
       "unit_diagonal", "batch", "broadcast_batch"]
# Symmetric positive definite, its other triangle moved off (a one-triangle solver must
# not read it): the gradient there is zero
SPD = rng.normal(size=(3, 3)) @ rng.normal(size=(3, 3)).T * 0.2 + 2.0 * np.eye(3)
SKEWED = SPD + np.tril(rng.normal(size=(3, 3)), -1) * 0.1
MATRICES = [
    (P.cholesky_upper, (SKEWED,)), (P.cholesky_lower, (SKEWED.T,)),
    (P.solve_general, (A, B3)), (P.solve_transposed, (A, B32)),
    (P.solve_positive, (SKEWED, B3)), (P.solve_symmetric_lower, (SKEWED.T, B3)),
    (P.inverse, (A,)), (P.inverse_positive, (SKEWED.T,)), (P.log_det, (A,)),
    (P.exponential, (A * 0.3,)), (P.exponential_batch, (rng.normal(size=(2, 3, 3)) * 0.4,)),
    (P.whitened, (SKEWED, B3)),
    (P.cho_solve_lower, (SKEWED.T, B3)), (P.cho_solve_upper, (SKEWED, B32)),
    # a factor whose other triangle holds numbers cho_solve never reads
    (P.cho_solve_factor, (np.linalg.cholesky(SPD) + np.triu(SKEWED, 1), B3)),
    (P.cho_solve_pair, (np.linalg.cholesky(SPD).T + np.tril(SKEWED, -1), B32)),
    (P.cho_solve_log_likelihood, (SKEWED, B3)),
]
MATRIX_IDS = [f.__name__ for f, _ in MATRICES]


@pytest.mark.parametrize("f, args", MATRICES, ids=MATRIX_IDS)
def test_matrix_function_gradient(f, args):
    # autograd differentiates solve_triangular alone of these (its scipy.linalg's others
    # have no rule): central differences are the oracle
    assert_gradients_match(f, args, wrt=tuple(range(len(args))), autograd=False)


@pytest.mark.parametrize("f, args", MATRICES, ids=MATRIX_IDS)
def test_matrix_function_tangent(f, args):
    assert_jvp_matches(f, args, wrt=tuple(range(len(args))), autograd=False)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("f, args", MATRICES, ids=MATRIX_IDS)
def test_matrix_function_second_derivative(f, args, order):
    assert_second_derivative_matches(order, f, args, 0, 0, seed=3, atol=1e-6)


@pytest.mark.parametrize("lower", [True, False])
def test_cholesky_triangle_may_be_a_variable(lower):
    args = (SKEWED.T if lower else SKEWED, lower)
    assert_gradients_match(P.cholesky_lower_by_variable, args, autograd=False)
    assert_jvp_matches(P.cholesky_lower_by_variable, args, autograd=False)


@pytest.mark.parametrize("assume", ["diagonal", "banded", "upper triangular"])
@pytest.mark.parametrize("call", ["solve(a, b, assume_a={!r})", "inv(a, assume_a={!r}) @ b"])
def test_solvers_that_read_a_band_are_reported(call, assume):
    source = ("import numpy as np\nimport scipy.linalg\n\n\ndef f(a, b):\n"
              f"    return np.sum(scipy.linalg.{call.format(assume)})\n")
    with pytest.raises(tangent_lsp.DiffError, match="assume_a"):
        tangent_lsp.derive(source, "f", wrt=("a",))
# autograd's rule differentiates the diagonal under unit_diagonal=True too; it has no batches
AUTOGRAD = {"lower_vector", "upper_matrix", "transposed", "transposed_by_number"}


@pytest.mark.parametrize("f, args", CASES, ids=IDS)
def test_gradient(f, args, request):
    assert_gradients_match(f, args, wrt=(0, 1), autograd=request.node.callspec.id in AUTOGRAD)


@pytest.mark.parametrize("f, args", CASES, ids=IDS)
def test_tangent(f, args, request):
    assert_jvp_matches(f, args, wrt=(0, 1), autograd=False)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("i, j", [(0, 0), (0, 1), (1, 0)])
@pytest.mark.parametrize("f, args", CASES[:5], ids=IDS[:5])
def test_second_derivative(f, args, order, i, j):
    assert_second_derivative_matches(order, f, args, i, j, seed=5, atol=1e-6)


def test_gradient_is_zero_in_the_triangle_the_solve_never_reads():
    lower, diagonal = tangent_lsp.grad(P.unit_diagonal, wrt=(0,))(A, B3), np.diag_indices(3)
    assert np.all(lower[np.triu_indices(3)] == 0.0) and np.all(lower[diagonal] == 0.0)
    assert np.all(lower[np.tril_indices(3, -1)] != 0.0)


@pytest.mark.parametrize("trans", [0, 1, 2, "N", "T", "C"])
def test_the_option_may_be_a_variable(trans):
    assert_gradients_match(P.option_in_a_variable, (A, B3, trans), wrt=(0, 1), autograd=False)
    assert_jvp_matches(P.option_in_a_variable, (A, B3, trans), wrt=(0, 1), autograd=False)


def test_options_given_as_constants_fold_into_the_generated_code():
    """`trans="T"` picks the untransposed solve for the adjoint while generating, not in
    a conditional expression the reader has to evaluate."""
    code = tangent_lsp.derive(_source(), "transposed", wrt=("L", "b")).code
    assert " if " not in code and "'N'" in code and "np.tril(" in code
    code = tangent_lsp.derive(_source(), "upper_matrix", wrt=("U",)).code
    assert " if " not in code and "'T'" in code and "np.triu(" in code


def _source():
    with open(P.__file__) as handle:
        return handle.read()


X = np.linspace(-1.0, 1.0, 5)
Y = np.sin(3.0 * X)


def test_gaussian_process_likelihood():
    assert_gradients_match(P.gaussian_process, (0.2, X, Y), wrt=(0, 2), autograd=True)
    assert_jvp_matches(P.gaussian_process, (0.2, X, Y), wrt=(0, 2), autograd=False)


@pytest.mark.parametrize("order", ORDERS)
def test_gaussian_process_curvature(order):
    assert_second_derivative_matches(order, P.gaussian_process, (0.2, X, Y), 0, 0, atol=1e-6)


@pytest.mark.parametrize("lower", [True, False])
def test_unmirrored_is_the_transpose_of_mirrored(lower):
    """The pair the symmetric solves' rules are written with are each other's adjoints (their
    own rules say so: second derivatives go through them)."""
    from tangent_lsp.runtime import mirrored, unmirrored

    a, g = rng.normal(size=(2, 4, 4)), rng.normal(size=(2, 4, 4))
    assert np.allclose(np.sum(mirrored(a, lower) * g), np.sum(a * unmirrored(g, lower)))
    assert np.array_equal(mirrored(a, lower), np.swapaxes(mirrored(a, lower), -1, -2))


def test_the_factor_of_a_pair_written_in_the_call_is_read_directly():
    """`cho_solve((L, True), b)`: the rule reads L and the flag from the pair while
    generating, and the pair's derivative is L's (no `(L, True)[0]`, no `bL, _ = (...)`)."""
    code = tangent_lsp.derive(_source(), "cho_solve_lower", wrt=("S",)).code
    assert "[0]" not in code and " if " not in code and "_ =" not in code
    assert "bL = np.tril(" in code


def test_the_pair_s_derivative_adds_into_the_factor_s_part_by_part():
    """Hunt 41: where U's gradient had another term, the pair's derivative was named and
    indexed: `parts = (np.triu(...), 0.0)`, `bU = ... + parts[0]`."""
    code = tangent_lsp.derive(_source(), "cho_solve_log_likelihood", wrt=("S",)).code
    assert "parts" not in code and "bU = bU + np.triu(" in code


def test_a_matrix_function_read_for_its_shape_is_not_computed():
    """`unbroadcast(g * c, scipy.linalg.expm(a))`: the exponential has a's shape; computing
    it cost as much as the derivative's own (doubled) exponential."""
    code = tangent_lsp.derive(_source(), "exponential", wrt=("a",)).code
    statements = [line for line in code.splitlines() if not line.lstrip().startswith("#")]
    assert not any("expm(a)" in line for line in statements) and "matrix_exp(" in code


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_a_factorization_without_a_rule_names_the_one_with_a_rule(mode):
    source = ("import numpy as np\nimport scipy.linalg\n\n\ndef f(S, b):\n"
              "    c = scipy.linalg.cho_factor(S)\n    return np.sum(scipy.linalg.cho_solve(c, b))\n")
    with pytest.raises(tangent_lsp.DiffError) as raised:
        tangent_lsp.derive(source, "f", wrt=("S",), mode=mode)
    assert "cho_factor" in raised.value.message
    assert "scipy.linalg.cholesky(a, lower=True)" in raised.value.hint


def test_an_option_held_in_a_variable_is_reported_as_such():
    """Hunt 41: assume_a='pos' held in a variable was reported as 'a diagonal, banded or
    triangular assume_a'."""
    source = ("import numpy as np\nimport scipy.linalg\n\n\ndef f(a, b, kind):\n"
              "    return np.sum(scipy.linalg.solve(a, b, assume_a=kind))\n")
    with pytest.raises(tangent_lsp.DiffError, match="assume_a= is followed only when written as a constant") as raised:
        tangent_lsp.derive(source, "f", wrt=("a",))
    assert "'pos'" in raised.value.hint
