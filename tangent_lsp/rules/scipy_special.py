"""Reverse-mode rules for ``scipy.special``: the functions likelihoods are written with
(1.1283791670955126 is 2 / sqrt(pi), erf's constant; 0.3989422804014327 is 1 / sqrt(2 pi)).

Same template notation as ``numpy_adjoints.py`` (parsed, never run: SciPy need not be
installed). Derivatives that are special functions themselves (``digamma``,
``polygamma``) come from ``tangent_lsp.runtime``, which imports SciPy when one runs.
``logsumexp`` is differentiated with ``b`` and ``return_sign`` left out (analysis.py
reports them).
"""

import numpy
import scipy.special
from tangent_lsp.rules.notation import adjoint, d
from tangent_lsp.runtime import digamma, polygamma, unbroadcast, unreduce



@adjoint(scipy.special.expit)
def expit(y, x):
    d[x] = d[y] * y * (1.0 - y)


@adjoint(scipy.special.log_expit)
def log_expit(y, x):  # 1 - expit(x), accurate where expit(x) is near 1
    d[x] = -d[y] * numpy.expm1(y)


@adjoint(scipy.special.logit)
def logit(y, p):
    d[p] = d[y] / (p * (1.0 - p))


@adjoint(scipy.special.gammaln)
def gammaln(y, x):
    d[x] = d[y] * digamma(x)


@adjoint(scipy.special.digamma, scipy.special.psi)
def digamma_(y, x):
    d[x] = d[y] * polygamma(1, x)


@adjoint(scipy.special.polygamma)
def polygamma_(y, n, x):
    d[x] = d[y] * polygamma(n + 1, x)


@adjoint(scipy.special.erf)
def erf(y, x):
    d[x] = d[y] * 1.1283791670955126 * numpy.exp(-x * x)


@adjoint(scipy.special.erfc)
def erfc(y, x):
    d[x] = -d[y] * 1.1283791670955126 * numpy.exp(-x * x)


@adjoint(scipy.special.ndtr)
def ndtr(y, x):
    d[x] = d[y] * 0.3989422804014327 * numpy.exp(-0.5 * x * x)


@adjoint(scipy.special.log_ndtr)
def log_ndtr(y, x):  # the density over the distribution, without dividing by a tiny ndtr
    d[x] = d[y] * 0.3989422804014327 * numpy.exp(-0.5 * x * x - y)


@adjoint(scipy.special.xlogy)
def xlogy(z, x, y):  # where x is 0, so is the gradient to y (xlogy(0, 0) is 0)
    d[x] = unbroadcast(d[z] * numpy.log(y), x)
    d[y] = unbroadcast(d[z] * x / numpy.where(x == 0, 1.0, y), y)


@adjoint(scipy.special.logsumexp)
def logsumexp(y, a, axis=None, b=None, keepdims=False, return_sign=False):
    d[a] = unreduce(d[y], a, axis=axis, keepdims=keepdims) * numpy.exp(
        a - unreduce(y, a, axis=axis, keepdims=keepdims)
    )


@adjoint(scipy.special.softmax)
def softmax(y, x, axis=None):
    d[x] = y * (d[y] - numpy.sum(d[y] * y, axis=axis, keepdims=True))


@adjoint(scipy.special.log_softmax)
def log_softmax(y, x, axis=None):
    d[x] = d[y] - numpy.exp(y) * numpy.sum(d[y], axis=axis, keepdims=True)
