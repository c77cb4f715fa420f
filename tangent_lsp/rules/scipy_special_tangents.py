"""Forward-mode rules for ``scipy.special`` (see ``scipy_special.py``)."""

import numpy
import scipy.special
from tangent_lsp.rules.notation import d, tangent_
from tangent_lsp.runtime import digamma, polygamma, unreduce



@tangent_(scipy.special.expit)
def expit(y, x):
    d[y] = d[x] * y * (1.0 - y)


@tangent_(scipy.special.log_expit)
def log_expit(y, x):
    d[y] = -d[x] * numpy.expm1(y)


@tangent_(scipy.special.logit)
def logit(y, p):
    d[y] = d[p] / (p * (1.0 - p))


@tangent_(scipy.special.gammaln)
def gammaln(y, x):
    d[y] = d[x] * digamma(x)


@tangent_(scipy.special.digamma, scipy.special.psi)
def digamma_(y, x):
    d[y] = d[x] * polygamma(1, x)


@tangent_(scipy.special.polygamma)
def polygamma_(y, n, x):
    d[y] = d[x] * polygamma(n + 1, x)


@tangent_(scipy.special.erf)
def erf(y, x):
    d[y] = d[x] * 1.1283791670955126 * numpy.exp(-x * x)


@tangent_(scipy.special.erfc)
def erfc(y, x):
    d[y] = -d[x] * 1.1283791670955126 * numpy.exp(-x * x)


@tangent_(scipy.special.ndtr)
def ndtr(y, x):
    d[y] = d[x] * 0.3989422804014327 * numpy.exp(-0.5 * x * x)


@tangent_(scipy.special.log_ndtr)
def log_ndtr(y, x):
    d[y] = d[x] * 0.3989422804014327 * numpy.exp(-0.5 * x * x - y)


@tangent_(scipy.special.xlogy)
def xlogy(z, x, y):
    d[z] = d[x] * numpy.log(y) + d[y] * x / numpy.where(x == 0, 1.0, y)


@tangent_(scipy.special.logsumexp)
def logsumexp(y, a, axis=None, b=None, keepdims=False, return_sign=False):
    d[y] = numpy.sum(d[a] * numpy.exp(a - unreduce(y, a, axis=axis, keepdims=keepdims)), axis=axis,
                     keepdims=keepdims)


@tangent_(scipy.special.softmax)
def softmax(y, x, axis=None):
    d[y] = y * (d[x] - numpy.sum(d[x] * y, axis=axis, keepdims=True))


@tangent_(scipy.special.log_softmax)
def log_softmax(y, x, axis=None):
    d[y] = d[x] - numpy.sum(numpy.exp(y) * d[x], axis=axis, keepdims=True)
