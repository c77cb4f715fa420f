"""Special functions derivatives need: those of ``scipy.special`` (digamma for gammaln's,
trigamma for digamma's, Bessel's ``iv``/``ive`` for ``i0``/``i1``/``i0e``/``i1e``'s),
SciPy's own, imported when a derivative first calls one, so
that tangent-lsp does not need SciPy unless the differentiated code uses it; and the
first two derivatives of ``np.sinc``, whose textbook formulas divide by ``x`` (nan at 0,
inaccurate near it), and every derivative of ``exprel`` (the same division, by ``x**(n + 1)``)."""

from __future__ import annotations

import numpy as np

_SMALL = 1e-3  # below it, the Taylor series (error ~x**4 relative) beats the formula's cancellation


def _special():
    import scipy.special  # noqa: PLC0415 - only code that called scipy.special gets here

    return scipy.special


def digamma(x):
    """``scipy.special.digamma``: the derivative of ``gammaln``."""
    return _special().digamma(x)


def polygamma(n, x):
    """``scipy.special.polygamma``: the ``n``-th derivative of ``digamma``."""
    return _special().polygamma(n, x)


def sinc_slope(x):
    """d/dx sinc(x) = (cos(pi x) - sinc(x)) / x; -pi**2 x / 3 + pi**4 x**3 / 30 near 0."""
    x = np.asarray(x, dtype=float)
    small = np.abs(x) < _SMALL
    safe = np.where(small, 1.0, x)
    series = x * (-np.pi**2 / 3 + np.pi**4 / 30 * x * x)
    return np.where(small, series, (np.cos(np.pi * safe) - np.sinc(safe)) / safe)[()]


def sinc_curvature(x):
    """d²/dx² sinc(x) = -pi**2 sinc(x) - 2 sinc'(x) / x; -pi**2 / 3 + pi**4 x**2 / 10 near 0."""
    x = np.asarray(x, dtype=float)
    small = np.abs(x) < _SMALL
    safe = np.where(small, 1.0, x)
    series = -np.pi**2 / 3 + np.pi**4 / 10 * x * x
    return np.where(small, series, -np.pi**2 * np.sinc(safe) - 2.0 * sinc_slope(safe) / safe)[()]


def iv(n, x):
    """``scipy.special.iv``: the modified Bessel function of the first kind of integer order
    ``n`` (``i0`` is ``iv(0, x)``, ``i1`` is ``iv(1, x)``); its derivative is
    ``(iv(n - 1, x) + iv(n + 1, x)) / 2``, with ``iv(-1, x) = iv(1, x)``."""
    return _special().iv(n, x)


def ive(n, x):
    """``scipy.special.ive``: ``iv(n, x) * exp(-|x|)`` (``i0e``, ``i1e``), finite where
    ``iv`` overflows; its derivative is ``(ive(n - 1, x) + ive(n + 1, x)) / 2 - sign(x) ive(n, x)``."""
    return _special().ive(n, x)


_EXPREL_SERIES = 2.0  # below it, the series; above it, the recurrence loses less than n!/2**n


def exprel_derivative(n, x):
    """The ``n``-th derivative of ``scipy.special.exprel`` ((exp(x) - 1) / x), which is
    the integral of ``t**n exp(x t)`` over [0, 1]: the series ``sum x**k / (k! (n + k + 1))``
    near 0, where the textbook formulas divide by ``x**(n + 1)``, else the recurrence
    ``E_n = (exp(x) - n E_(n-1)) / x`` from ``exprel`` itself (nan where exp(x) overflows)."""
    x = np.asarray(x, dtype=float)
    small = np.abs(x) < _EXPREL_SERIES
    safe = np.where(small, _EXPREL_SERIES, x)
    e, recurrence = np.exp(safe), _special().exprel(safe)
    for k in range(1, n + 1):
        recurrence = (e - k * recurrence) / safe
    t = np.where(small, x, 0.0)
    term = np.ones_like(t)
    series = term / (n + 1)
    for k in range(1, 30):  # 2**30 / 30! is below 1e-23
        term = term * t / k
        series = series + term / (n + k + 1)
    return np.where(small, series, recurrence)[()]
