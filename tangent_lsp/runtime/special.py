"""Special functions the derivatives of ``scipy.special`` need (digamma for gammaln's,
trigamma for digamma's...): SciPy's own, imported when a derivative first calls one, so
that tangent-lsp does not need SciPy unless the differentiated code uses it."""

from __future__ import annotations


def _special():
    import scipy.special  # noqa: PLC0415 - only code that called scipy.special gets here

    return scipy.special


def digamma(x):
    """``scipy.special.digamma``: the derivative of ``gammaln``."""
    return _special().digamma(x)


def polygamma(n, x):
    """``scipy.special.polygamma``: the ``n``-th derivative of ``digamma``."""
    return _special().polygamma(n, x)
