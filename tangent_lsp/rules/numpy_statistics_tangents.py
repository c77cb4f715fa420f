"""Forward-mode rules for NumPy's statistics (see ``numpy_statistics.py``)."""

import numpy
from tangent_lsp.rules.notation import d, tangent_
from tangent_lsp.runtime import (
    average_weights,
    cov_count,
    cov_rows,
    extremum_mask,
    order_statistics,
    unreduce,
)


@tangent_(numpy.average)
def average(y, a, axis=None, weights=None, returned=False, keepdims=False):
    w = average_weights(weights, a, axis)
    change = w * d[a] + (a - unreduce(y, a, axis=axis, keepdims=keepdims)) * average_weights(d[weights], a, axis)
    d[y] = numpy.sum(change, axis=axis, keepdims=keepdims) / numpy.sum(w + numpy.zeros_like(a), axis=axis, keepdims=keepdims)


@tangent_(numpy.ptp)
def ptp(y, a, axis=None, out=None, keepdims=False):
    top = extremum_mask(a, numpy.max(a, axis=axis, keepdims=True), axis=axis, keepdims=True)
    bottom = extremum_mask(a, numpy.min(a, axis=axis, keepdims=True), axis=axis, keepdims=True)
    d[y] = numpy.sum(top * d[a] - bottom * d[a], axis=axis, keepdims=keepdims)  # the masks may be booleans


@tangent_(numpy.quantile)
def quantile(y, a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
             weights=None):
    at = order_statistics(a, q, axis, keepdims)
    f = numpy.reshape(q, at[2]) * at[3] - at[4]
    d[y] = (
        numpy.take(d[a], at[0]) * (1.0 - f) + numpy.take(d[a], at[1]) * f
        + (numpy.take(a, at[1]) - numpy.take(a, at[0])) * numpy.reshape(d[q], at[2]) * at[3]
    )


@tangent_(numpy.percentile)
def percentile(y, a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
               weights=None):
    at = order_statistics(a, q, axis, keepdims, 100.0)
    f = numpy.reshape(q, at[2]) * at[3] - at[4]
    d[y] = (
        numpy.take(d[a], at[0]) * (1.0 - f) + numpy.take(d[a], at[1]) * f
        + (numpy.take(a, at[1]) - numpy.take(a, at[0])) * numpy.reshape(d[q], at[2]) * at[3]
    )


@tangent_(numpy.median)
def median(y, a, axis=None, out=None, overwrite_input=False, keepdims=False):
    at = order_statistics(a, 0.5, axis, keepdims)
    f = 0.5 * at[3] - at[4]
    d[y] = numpy.take(d[a], at[0]) * (1.0 - f) + numpy.take(d[a], at[1]) * f


@tangent_(numpy.cov)
def cov(c, m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *, dtype=None):
    x = cov_rows(m, rowvar)
    dx = cov_rows(d[m], rowvar)
    p = (dx - numpy.mean(dx, axis=1, keepdims=True)) @ numpy.transpose(x - numpy.mean(x, axis=1, keepdims=True))
    d[c] = numpy.reshape((p + numpy.transpose(p)) / cov_count(x, bias, ddof), numpy.shape(c))


@tangent_(numpy.corrcoef)  # dz = (dxc - z <dxc, z>) / |xc| row by row; dr = dz z^T + z dz^T
def corrcoef(r, x, y=None, rowvar=True, *, dtype=None):
    rows = cov_rows(x, rowvar)
    xc = rows - numpy.mean(rows, axis=1, keepdims=True)
    norms = numpy.sqrt(numpy.sum(xc * xc, axis=1, keepdims=True))
    z = xc / norms
    moved = cov_rows(d[x], rowvar)
    dxc = moved - numpy.mean(moved, axis=1, keepdims=True)
    p = ((dxc - z * numpy.sum(dxc * z, axis=1, keepdims=True)) / norms) @ numpy.transpose(z)
    d[r] = numpy.reshape(p + numpy.transpose(p), numpy.shape(r))
