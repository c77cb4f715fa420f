"""A factorization or an inverse of a matrix a loop does not change is computed once,
before the loop (hoist.py): it was computed, and its matrix taped, on every step, and the
inverse's adjoint applied on every backward step."""

import inspect

import numpy as np
import pytest
import scipy.linalg

import tangent_lsp
from tests.oracle import ORDERS, assert_gradients_match, assert_second_derivative_matches


def mahalanobis_sum(S, xs):
    total = 0.0
    for i in range(xs.shape[0]):
        total = total + xs[i] @ np.linalg.inv(S) @ xs[i]
    return total


def whitened_steps(S, xs):
    total = 0.0
    for i in range(xs.shape[0]):
        L = np.linalg.cholesky(S)
        z = scipy.linalg.solve_triangular(L, xs[i], lower=True)
        total = total + z @ z
    return total


def changing_matrix(S, xs):  # S changes each step: its inverse stays in the loop
    total = 0.0
    for i in range(xs.shape[0]):
        S = S + 0.1 * np.outer(xs[i], xs[i])
        total = total + xs[i] @ np.linalg.solve(S, xs[i])
    return total


rng = np.random.default_rng(8)
B = rng.normal(size=(3, 3))
SPD = B @ B.T * 0.3 + 2.0 * np.eye(3)


def _steps(n):
    return rng.normal(size=(n, 3))


@pytest.mark.parametrize("n", [0, 1, 4])
@pytest.mark.parametrize("f", [mahalanobis_sum, whitened_steps, changing_matrix])
def test_gradients(f, n):
    assert_gradients_match(f, (SPD, _steps(n)), wrt=(0, 1), autograd=f is not whitened_steps)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("f", [mahalanobis_sum, whitened_steps])
def test_second_derivatives(f, order):
    assert_second_derivative_matches(order, f, (SPD, _steps(3)), 0, 0, atol=1e-6)


def _code(f, wrt=("S",)):
    source = "import numpy as np\nimport scipy.linalg\n\n\n" + inspect.getsource(f)
    code = tangent_lsp.derive(source, f.__name__, wrt=wrt).code
    return "\n".join(line for line in code.splitlines() if not line.lstrip().startswith("#"))


@pytest.mark.parametrize("f, line", [
    (mahalanobis_sum, "inv_S = np.linalg.inv(S)"), (whitened_steps, "L = np.linalg.cholesky(S)"),
])
def test_the_factor_is_computed_once_before_the_loop(f, line):
    code = _code(f)
    assert code.count(line.split(" = ")[1]) == 1 and code.index(line) < code.index("for i in")
    assert "tape.append(inv_S)" not in code and "tape.append(L)" not in code


def test_the_inverse_adjoint_is_applied_once_after_the_backward_loop():
    code = _code(mahalanobis_sum)
    backward = code[code.index("for i in reversed"):]
    loop_body = backward[: backward.index("yt = ")]
    assert "yt @" not in loop_body and code.count("yt @") == 1 and "binv_S +=" in loop_body


def test_a_matrix_the_loop_changes_is_factored_in_the_loop():
    code = _code(changing_matrix)
    assert code.index("np.linalg.solve(S") > code.index("for i in steps")


def written_through_another_name(S, x):
    S = S + 0.0
    T = S
    for _ in range(3):
        x = np.linalg.inv(S) @ x
        T[0, 0] = T[0, 0] + 1.0
    return np.sum(x)


def written_through_a_row(S, x):
    S = S + 0.0
    row = S[0]
    for _ in range(3):
        x = np.tanh(S) @ x
        row[1] = row[1] + 0.5
    return np.sum(x)


def written_through_a_view_made_by_asarray(S, x):
    S = S + 0.0
    T = np.asarray(S)
    for _ in range(3):
        x = np.linalg.inv(S) @ x
        T[0, 0] = T[0, 0] + 1.0
    return np.sum(x)


def written_by_an_augmented_assignment(S, x):
    S = S + 0.0
    T = S
    for _ in range(3):
        x = np.linalg.inv(S) @ x
        T += 0.5
    return np.sum(x)


@pytest.mark.parametrize("f", [
    written_through_another_name, written_through_a_row,
    written_through_a_view_made_by_asarray, written_by_an_augmented_assignment,
])
def test_a_matrix_written_through_another_name_stays_in_the_loop(f):
    """Hunts 41 and 42: `T = S` (or `row = S[0]`, `T = np.asarray(S)`) then `T[0, 0] = ...`
    or `T += 0.5` in the loop changes S: its inverse moved before the loop was the first
    step's, the writes were lost, and the gradient silently wrong (the move hid the read
    after the write that the view check reports)."""
    with pytest.raises(tangent_lsp.DiffError, match="changed in place"):
        tangent_lsp.grad(f)(SPD, np.ones(3))
