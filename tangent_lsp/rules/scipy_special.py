"""Reverse-mode rules for ``scipy.special``: the functions likelihoods are written with
(1.1283791670955126 is 2 / sqrt(pi), erf's constant; 0.3989422804014327 is 1 / sqrt(2 pi);
0.886226925452758 and 2.5066282746310002 are their reciprocals, for erfinv and ndtri).

Where x == 0 makes a term 0 whose derivative divides by y (x / y in xlogy, rel_entr,
kl_div, x / (1 + y) in xlog1py), it is 0 there, even where y is 0 (-1) too; the slope to
x itself at x == 0 is the one-sided one, infinite for entr, rel_entr and kl_div (as
xlogy's log(y) is at y == 0).

Same template notation as ``numpy_adjoints.py`` (parsed, never run: SciPy need not be
installed). Derivatives that are special functions themselves (``digamma``,
``polygamma``, Bessel's ``iv`` and ``ive``, ``exprel_derivative``) come from
``tangent_lsp.runtime``, which imports SciPy when one runs.
``logsumexp`` is differentiated with ``b`` and ``return_sign`` left out (analysis.py
reports them).
"""

import numpy
import scipy.special
from tangent_lsp.rules.notation import adjoint, d
from tangent_lsp.runtime import (
    digamma, exprel_derivative, iv, ive, polygamma, unbroadcast, unreduce,
)



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


@adjoint(scipy.special.loggamma)  # real arguments only
def loggamma(y, x):
    d[x] = d[y] * digamma(x)


@adjoint(scipy.special.gamma)
def gamma(y, x):
    d[x] = d[y] * y * digamma(x)


@adjoint(scipy.special.betaln)
def betaln(y, a, b):
    d[a] = unbroadcast(d[y] * (digamma(a) - digamma(a + b)), a)
    d[b] = unbroadcast(d[y] * (digamma(b) - digamma(a + b)), b)


@adjoint(scipy.special.beta)
def beta(y, a, b):
    d[a] = unbroadcast(d[y] * y * (digamma(a) - digamma(a + b)), a)
    d[b] = unbroadcast(d[y] * y * (digamma(b) - digamma(a + b)), b)


@adjoint(scipy.special.i0)
def i0(y, x):
    d[x] = d[y] * iv(1, x)


@adjoint(scipy.special.i1)
def i1(y, x):
    d[x] = d[y] * 0.5 * (iv(0, x) + iv(2, x))


@adjoint(scipy.special.i0e)
def i0e(y, x):  # exp(-|x|) i0(x): a kink at 0, where sign(0) = 0 takes the mean slope
    d[x] = d[y] * (ive(1, x) - numpy.sign(x) * y)


@adjoint(scipy.special.i1e)
def i1e(y, x):
    d[x] = d[y] * (0.5 * (ive(0, x) + ive(2, x)) - numpy.sign(x) * y)


@adjoint(scipy.special.erfcx)
def erfcx(y, x):  # exp(x**2) erfc(x)
    d[x] = d[y] * (2.0 * x * y - 1.1283791670955126)


@adjoint(scipy.special.erfinv)
def erfinv(y, x):
    d[x] = d[y] * 0.886226925452758 * numpy.exp(y * y)


@adjoint(scipy.special.erfcinv)
def erfcinv(y, x):
    d[x] = -d[y] * 0.886226925452758 * numpy.exp(y * y)


@adjoint(scipy.special.ndtri)
def ndtri(y, p):
    d[p] = d[y] * 2.5066282746310002 * numpy.exp(0.5 * y * y)


@adjoint(scipy.special.expm1)
def expm1(y, x):
    d[x] = d[y] * numpy.exp(x)


@adjoint(scipy.special.log1p)
def log1p(y, x):
    d[x] = d[y] / (1.0 + x)


@adjoint(scipy.special.exprel)
def exprel(y, x):
    d[x] = d[y] * exprel_derivative(1, x)


@adjoint(scipy.special.softplus)
def softplus(y, x):  # expit(x) = 1 - exp(-softplus(x)), accurate at both ends
    d[x] = -d[y] * numpy.expm1(-y)


@adjoint(scipy.special.xlogy)
def xlogy(z, x, y):  # where x is 0, so is the gradient to y (xlogy(0, 0) is 0)
    d[x] = unbroadcast(d[z] * numpy.log(y), x)
    d[y] = unbroadcast(d[z] * x / numpy.where(x == 0, 1.0, y), y)


@adjoint(scipy.special.xlog1py)
def xlog1py(z, x, y):  # as xlogy: no gradient to y where x is 0, even at y = -1
    d[x] = unbroadcast(d[z] * numpy.log1p(y), x)
    d[y] = unbroadcast(d[z] * x / numpy.where(x == 0, 1.0, 1.0 + y), y)


@adjoint(scipy.special.entr)
def entr(y, x):  # -x log(x); +inf at x = 0
    d[x] = -d[y] * (numpy.log(x) + 1.0)


@adjoint(scipy.special.rel_entr)
def rel_entr(z, x, y):  # x log(x / y); as xlogy at x = 0
    d[x] = unbroadcast(d[z] * (numpy.log(x / y) + 1.0), x)
    d[y] = unbroadcast(-d[z] * x / numpy.where(x == 0, 1.0, y), y)


@adjoint(scipy.special.kl_div)
def kl_div(z, x, y):  # x log(x / y) - x + y; as xlogy at x = 0
    d[x] = unbroadcast(d[z] * numpy.log(x / y), x)
    d[y] = unbroadcast(d[z] * (1.0 - x / numpy.where(x == 0, 1.0, y)), y)


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
