"""A user's rules for another library's ufuncs (scipy.special's have no ``__module__``),
for ``test_surgery.py``: read statically as ``scipy.special.gammaln``, and looked up
under that key when ``grad`` resolves the live object too."""

import numpy as np
from scipy.special import digamma, gammaln, polygamma

from tangent_lsp import adjoint, tangent_
from tangent_lsp.rules.notation import d


@adjoint(gammaln)
def gammaln_adjoint(y, x):
    d[x] = d[y] * digamma(x)


@tangent_(gammaln)
def gammaln_tangent(y, x):
    d[y] = d[x] * digamma(x)


@adjoint(digamma)
def digamma_adjoint(y, x):
    d[x] = d[y] * polygamma(1, x)


@tangent_(digamma)
def digamma_tangent(y, x):
    d[y] = d[x] * polygamma(1, x)


def negative_binomial(log_mu, log_r, y):
    mu, r = np.exp(log_mu), np.exp(log_r)
    return -np.sum(gammaln(y + r) - gammaln(r) + r * np.log(r / (r + mu))
                   + y * np.log(mu / (r + mu)))
