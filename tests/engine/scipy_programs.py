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


def s_gamma(x):
    return np.sum(sp.gamma(x) * W3) + np.sum(sp.loggamma(x + 0.5))


def s_betaln(a, b):
    return np.sum(sp.betaln(a, b) * W3) + np.sum(sp.beta(a, b[::-1]))


def s_bessel(x):
    return np.sum(sp.i0(x) * W3) + np.sum(sp.i1(x) ** 2)


def s_bessel_scaled(x):
    return np.sum(sp.i0e(x) * W3) + np.sum(sp.i1e(x - 0.3) ** 2)


def s_erfcx(x):
    return np.sum(sp.erfcx(x) * W3)


def s_erfinv(p):
    return np.sum(sp.erfinv(p) * W3) + np.sum(sp.erfcinv(p + 0.5) ** 2)


def s_ndtri(p):
    return np.sum(sp.ndtri(p) * W3)


def s_expm1_log1p(x):
    return np.sum(sp.expm1(x) * W3) + np.sum(sp.log1p(x * x) ** 2)


def s_exprel(x):  # one element near 0, where exprel's derivatives are series
    return np.sum(sp.exprel(x) * W3) + np.sum(sp.exprel(x * 1e-4) ** 2)


def s_softplus(x):
    return np.sum(sp.softplus(x) * W3)


def s_xlog1py(x, y):
    return np.sum(sp.xlog1py(x, y) * W3)


def s_xlog1py_zero(y):  # xlog1py(0, y) is 0, with no gradient to y even where y is -1
    return np.sum(sp.xlog1py(np.array([0.0, 1.0, 2.0]), y) * W3)


def s_entr(p):
    return np.sum(sp.entr(p) * W3)


def s_rel_entr(p, q):
    return np.sum(sp.rel_entr(p, q) * W3) + np.sum(sp.kl_div(p, q) * W3[::-1])


def s_rel_entr_zero(q):  # rel_entr(0, q) is 0 and kl_div(0, q) is q, even at q = 0
    p = np.array([0.0, 0.3, 0.6])
    return np.sum(sp.rel_entr(p, q) * W3) + np.sum(sp.kl_div(p, q) * W3[::-1])
