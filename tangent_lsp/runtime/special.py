"""Special functions derivatives need: those of ``scipy.special`` (digamma for gammaln's,
trigamma for digamma's...), SciPy's own, imported when a derivative first calls one, so
that tangent-lsp does not need SciPy unless the differentiated code uses it; and the
first two derivatives of ``np.sinc``, whose textbook formulas divide by ``x`` (nan at 0,
inaccurate near it)."""

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
