"""Reverse-mode rules for NumPy's statistics: ``average``, ``ptp``, ``median``,
``percentile``, ``quantile``, ``cov`` and ``corrcoef``.

Same template notation as ``numpy_adjoints.py`` (parsed, never run). The order
statistics are read at the flat positions ``order_statistics`` finds (method 'linear'),
so their derivatives are ``take``/``untake`` and arithmetic, which have rules of their
own: second derivatives come for free (zero in ``a``, as the quantiles are piecewise
linear; not in ``q``, which moves the interpolation). Arguments these rules do not
follow (``method``, ``weights`` of the quantiles, ``returned``, ``cov``'s ``y`` and
frequency weights) are reported by analysis.py.
"""

import numpy
from tangent_lsp.rules.notation import adjoint, d
from tangent_lsp.runtime import (
    average_weights,
    cov_count,
    cov_rows,
    extremum_mask,
    order_statistics,
    unaverage_weights,
    unbroadcast,
    uncov_rows,
    unreduce,
    untake,
)


@adjoint(numpy.average)  # y = sum(w a) / sum(w) over axis: d/da = w / sum(w), d/dw = (a - y) / sum(w)
def average(y, a, axis=None, weights=None, returned=False, keepdims=False):
    w = average_weights(weights, a, axis)  # 1.0 without weights
    g = unreduce(d[y], a, axis=axis, keepdims=keepdims) / numpy.sum(w + numpy.zeros_like(a), axis=axis, keepdims=True)
    d[a] = g * w
    d[weights] = unaverage_weights(g * (a - unreduce(y, a, axis=axis, keepdims=keepdims)), weights, a, axis)


@adjoint(numpy.ptp)  # max - min: tied extremes share the gradient, as for max and min
def ptp(y, a, axis=None, out=None, keepdims=False):
    top = extremum_mask(a, numpy.max(a, axis=axis, keepdims=True), axis=axis, keepdims=True)
    bottom = extremum_mask(a, numpy.min(a, axis=axis, keepdims=True), axis=axis, keepdims=True)
    g = unreduce(d[y], a, axis=axis, keepdims=keepdims)
    d[a] = g * top - g * bottom  # the masks may be booleans


# The quantiles interpolate between two order statistics: y = a[lower] (1 - f) + a[upper] f,
# with f = q (n - 1) - lower rank (at[3] is n - 1, over 100 for percentiles; at[4] the rank).


@adjoint(numpy.quantile)
def quantile(y, a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
             weights=None):
    at = order_statistics(a, q, axis, keepdims)
    f = numpy.reshape(q, at[2]) * at[3] - at[4]
    d[a] = untake(d[y] * (1.0 - f), a, at[0]) + untake(d[y] * f, a, at[1])
    d[q] = numpy.reshape(unbroadcast(d[y] * (numpy.take(a, at[1]) - numpy.take(a, at[0])), f), numpy.shape(q)) * at[3]


@adjoint(numpy.percentile)
def percentile(y, a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
               weights=None):
    at = order_statistics(a, q, axis, keepdims, 100.0)
    f = numpy.reshape(q, at[2]) * at[3] - at[4]
    d[a] = untake(d[y] * (1.0 - f), a, at[0]) + untake(d[y] * f, a, at[1])
    d[q] = numpy.reshape(unbroadcast(d[y] * (numpy.take(a, at[1]) - numpy.take(a, at[0])), f), numpy.shape(q)) * at[3]


@adjoint(numpy.median)  # the middle one, or the mean of the middle two
def median(y, a, axis=None, out=None, overwrite_input=False, keepdims=False):
    at = order_statistics(a, 0.5, axis, keepdims)
    f = 0.5 * at[3] - at[4]
    d[a] = untake(d[y] * (1.0 - f), a, at[0]) + untake(d[y] * f, a, at[1])


# cov: c = xc xc^T / k for the rows x of m (the variables), centred: dc = dxc xc^T + xc dxc^T
# over k, so d[x] = (g + g^T) xc / k (already centred: centring is its own adjoint).


@adjoint(numpy.cov)
def cov(c, m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *, dtype=None):
    x = cov_rows(m, rowvar)
    xc = x - numpy.mean(x, axis=1, keepdims=True)
    g = numpy.reshape(d[c], (numpy.shape(x)[0], numpy.shape(x)[0]))  # c of one variable is squeezed
    d[m] = uncov_rows((g + numpy.transpose(g)) @ xc / cov_count(x, bias, ddof), m, rowvar)


@adjoint(numpy.corrcoef)  # r = z z^T for the centred rows scaled to unit norm, z = xc / |xc|
def corrcoef(r, x, y=None, rowvar=True, *, dtype=None):
    rows = cov_rows(x, rowvar)
    xc = rows - numpy.mean(rows, axis=1, keepdims=True)
    norms = numpy.sqrt(numpy.sum(xc * xc, axis=1, keepdims=True))
    z = xc / norms
    g = numpy.reshape(d[r], (numpy.shape(rows)[0], numpy.shape(rows)[0]))
    gz = (g + numpy.transpose(g)) @ z
    d[x] = uncov_rows((gz - z * numpy.sum(gz * z, axis=1, keepdims=True)) / norms, x, rowvar)
