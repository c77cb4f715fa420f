"""Functions written with ``scipy.special``, for ``test_scipy_rules.py`` (a module of
its own: the engine reads its source; the names are imported as users import them)."""

import numpy as np
import scipy.special as sp
from scipy.special import digamma, erf, expit, gammaln, logsumexp, xlogy

W3 = np.array([0.3, -1.1, 0.7])


def s_expit(x):
    return np.sum(expit(x) * W3)


def s_log_expit(x):
    return np.sum(sp.log_expit(x) * W3)


def s_logit(p):
    return np.sum(sp.logit(p) * W3)


def s_gammaln(x):
    return np.sum(gammaln(x) * W3)


def s_digamma(x):
    return np.sum(digamma(x) * W3) + np.sum(sp.psi(x + 1.0))


def s_polygamma(x):
    return np.sum(sp.polygamma(1, x) * W3)


def s_erf(x):
    return np.sum(erf(x) * W3) + np.sum(sp.erfc(x))


def s_ndtr(x):
    return np.sum(sp.ndtr(x) * W3) + np.sum(sp.log_ndtr(x - 2.0))


def s_xlogy(x, y):
    return np.sum(xlogy(x, y) * W3)


def s_xlogy_zero(y):  # xlogy(0, y) is 0, with no gradient to y even where y is 0
    return np.sum(xlogy(np.array([0.0, 1.0, 2.0]), y) * W3)


def s_logsumexp(x):
    return logsumexp(x)


def s_logsumexp_axis(m):
    return np.sum(logsumexp(m, axis=1) * np.array([1.0, -0.5])) + np.sum(
        logsumexp(m, axis=0, keepdims=True) ** 2
    )


def s_softmax(m):
    return np.sum(sp.softmax(m, axis=1) * np.array([[1.0, 2.0, -1.0], [0.5, 0.0, 3.0]]))


def s_log_softmax(m):
    return np.sum(sp.log_softmax(m, axis=-1) ** 2) + np.sum(sp.softmax(m[0]) ** 2)


def negative_binomial(log_r, log_mu, y):
    r, mu = np.exp(log_r), np.exp(log_mu)
    return -np.sum(gammaln(y + r) - gammaln(r) + xlogy(r, r / (r + mu)) + xlogy(y, mu / (r + mu)))


def logistic_regression(w, X, t):
    p = expit(X @ w)
    return -np.mean(xlogy(t, p) + xlogy(1.0 - t, 1.0 - p))


def mixture(x, mu, log_s):
    z = (x[:, None] - mu[None, :]) / np.exp(log_s)
    return -np.sum(logsumexp(-0.5 * z ** 2 - log_s, axis=1))
