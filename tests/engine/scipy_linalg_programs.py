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
