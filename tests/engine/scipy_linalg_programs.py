"""Functions written with ``scipy.linalg``, for ``test_scipy_linalg_rules.py`` (a module
of its own: the engine reads its source; the names are imported as users import them)."""

import numpy as np
import scipy.linalg
from scipy.linalg import solve_triangular

W3 = np.array([0.3, -1.1, 0.7])


def lower_vector(L, b):
    return np.sum(solve_triangular(L, b, lower=True) * W3)


def upper_matrix(U, B):
    return np.sum(np.sin(scipy.linalg.solve_triangular(U, B)))


def transposed(L, b):
    return np.sum(solve_triangular(L, b, trans="T", lower=True) ** 2)


def transposed_by_number(U, b):
    return np.sum(solve_triangular(U, b, 1) * W3) + np.sum(solve_triangular(U, b, trans=2) ** 2)


def unit_diagonal(L, b):
    return np.sum(solve_triangular(L, b, lower=True, unit_diagonal=True) ** 2)


def option_in_a_variable(L, b, trans):
    return np.sum(solve_triangular(L, b, trans, True) ** 2)


def batch(L, B):
    return np.sum(np.tanh(solve_triangular(L, B, lower=True)))


def gaussian_process(log_ell, x, y):
    """The negative log marginal likelihood of a GP with a squared-exponential kernel,
    written as the textbooks write it (Rasmussen and Williams, algorithm 2.1)."""
    gaps = x[:, None] - x[None, :]
    K = np.exp(-0.5 * gaps**2 / np.exp(2.0 * log_ell)) + 0.1 * np.eye(x.shape[0])
    L = np.linalg.cholesky(K)
    alpha = solve_triangular(L.T, solve_triangular(L, y, lower=True), lower=False)
    return 0.5 * y @ alpha + np.sum(np.log(np.diag(L)))


def cholesky_upper(a):
    return np.sum(scipy.linalg.cholesky(a) * np.arange(9.0).reshape(3, 3))


def cholesky_lower(a):
    return np.sum(np.sin(scipy.linalg.cholesky(a, lower=True)))


def cholesky_lower_by_variable(a, lower):
    return np.sum(np.sin(scipy.linalg.cholesky(a, lower)))


def solve_general(a, b):
    return np.sum(scipy.linalg.solve(a, b) * W3)


def solve_transposed(a, B):
    return np.sum(np.tanh(scipy.linalg.solve(a, B, transposed=True)))


def solve_positive(a, b):
    return np.sum(scipy.linalg.solve(a, b, assume_a="pos") ** 2)


def solve_symmetric_lower(a, b):
    return np.sum(scipy.linalg.solve(a, b, lower=True, assume_a="sym") * W3)


def inverse(a):
    return np.sum(scipy.linalg.inv(a) ** 2)


def inverse_positive(a):
    return np.sum(np.sin(scipy.linalg.inv(a, assume_a="pos", lower=True)))


def log_det(a):
    return np.log(scipy.linalg.det(a))


def exponential(a):
    return np.sum(scipy.linalg.expm(a) * np.arange(9.0).reshape(3, 3))


def exponential_batch(a):
    return np.sum(np.sin(scipy.linalg.expm(a)))


def whitened(S, x):
    """A Mahalanobis distance through the upper factor SciPy returns by default."""
    U = scipy.linalg.cholesky(S)
    z = solve_triangular(U, x, trans="T")
    return z @ z


def cho_solve_lower(S, b):
    L = np.linalg.cholesky(S)
    return np.sum(scipy.linalg.cho_solve((L, True), b) * W3)


def cho_solve_upper(S, B):
    U = scipy.linalg.cholesky(S)
    return np.sum(np.tanh(scipy.linalg.cho_solve((U, False), B)))


def cho_solve_factor(c, b):  # the factor itself the argument: its other triangle unread
    return np.sum(scipy.linalg.cho_solve((c, True), b) ** 2)


def cho_solve_pair(c, b):  # the pair made before the call
    pair = (c, False)
    return np.sum(scipy.linalg.cho_solve(pair, b) ** 2)


def cho_solve_log_likelihood(S, y):  # U's gradient from the solve and from the log-determinant
    U = scipy.linalg.cholesky(S)
    alpha = scipy.linalg.cho_solve((U, False), y)
    return 0.5 * y @ alpha + np.sum(np.log(np.diag(U)))
