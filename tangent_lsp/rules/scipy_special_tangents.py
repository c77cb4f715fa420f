"""Forward-mode rules for ``scipy.special`` (see ``scipy_special.py``)."""

import numpy
import scipy.special
from tangent_lsp.rules.notation import d, tangent_
from tangent_lsp.runtime import digamma, exprel_derivative, iv, ive, polygamma, unreduce



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


@tangent_(scipy.special.loggamma)
def loggamma(y, x):
    d[y] = d[x] * digamma(x)


@tangent_(scipy.special.gamma)
def gamma(y, x):
    d[y] = d[x] * y * digamma(x)


@tangent_(scipy.special.betaln)
def betaln(y, a, b):
    d[y] = d[a] * digamma(a) + d[b] * digamma(b) - (d[a] + d[b]) * digamma(a + b)


@tangent_(scipy.special.beta)
def beta(y, a, b):
    d[y] = y * (d[a] * digamma(a) + d[b] * digamma(b) - (d[a] + d[b]) * digamma(a + b))


@tangent_(scipy.special.i0)
def i0(y, x):
    d[y] = d[x] * iv(1, x)


@tangent_(scipy.special.i1)
def i1(y, x):
    d[y] = d[x] * 0.5 * (iv(0, x) + iv(2, x))


@tangent_(scipy.special.i0e)
def i0e(y, x):
    d[y] = d[x] * (ive(1, x) - numpy.sign(x) * y)


@tangent_(scipy.special.i1e)
def i1e(y, x):
    d[y] = d[x] * (0.5 * (ive(0, x) + ive(2, x)) - numpy.sign(x) * y)


@tangent_(scipy.special.erfcx)
def erfcx(y, x):
    d[y] = d[x] * (2.0 * x * y - 1.1283791670955126)


@tangent_(scipy.special.erfinv)
def erfinv(y, x):
    d[y] = d[x] * 0.886226925452758 * numpy.exp(y * y)


@tangent_(scipy.special.erfcinv)
def erfcinv(y, x):
    d[y] = -d[x] * 0.886226925452758 * numpy.exp(y * y)


@tangent_(scipy.special.ndtri)
def ndtri(y, p):
    d[y] = d[p] * 2.5066282746310002 * numpy.exp(0.5 * y * y)


@tangent_(scipy.special.expm1)
def expm1(y, x):
    d[y] = d[x] * numpy.exp(x)


@tangent_(scipy.special.log1p)
def log1p(y, x):
    d[y] = d[x] / (1.0 + x)


@tangent_(scipy.special.exprel)
def exprel(y, x):
    d[y] = d[x] * exprel_derivative(1, x)


@tangent_(scipy.special.softplus)
def softplus(y, x):
    d[y] = -d[x] * numpy.expm1(-y)


@tangent_(scipy.special.xlogy)
def xlogy(z, x, y):
    d[z] = d[x] * numpy.log(y) + d[y] * x / numpy.where(x == 0, 1.0, y)


@tangent_(scipy.special.xlog1py)
def xlog1py(z, x, y):
    d[z] = d[x] * numpy.log1p(y) + d[y] * x / numpy.where(x == 0, 1.0, 1.0 + y)


@tangent_(scipy.special.entr)
def entr(y, x):
    d[y] = -d[x] * (numpy.log(x) + 1.0)


@tangent_(scipy.special.rel_entr)
def rel_entr(z, x, y):
    d[z] = d[x] * (numpy.log(x / y) + 1.0) - d[y] * x / numpy.where(x == 0, 1.0, y)


@tangent_(scipy.special.kl_div)
def kl_div(z, x, y):
    d[z] = d[x] * numpy.log(x / y) + d[y] * (1.0 - x / numpy.where(x == 0, 1.0, y))


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
