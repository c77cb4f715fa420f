"""Forward-mode rules for Python builtins and the ``math`` module.

Same template notation as ``numpy_tangents.py`` (parsed, never run; see its
docstring for how tangents of constant arguments are folded away and how
shapes are kept), one rule for every function ``python.py`` has a reverse rule
for, with the same keys and signatures. Tangents call NumPy (``numpy.cos`` is
rewritten to the user's NumPy alias), never ``math``: the user may have imported
only ``from math import sin``. Builtins such as ``abs``, ``sum``, ``max`` and
``pow`` also accept arrays, so their rules work on arrays too. Operators (``+``,
``**``, ...) are keyed to NumPy's ufuncs and live in ``numpy_tangents.py``.

Conventions at non-smooth points, as in the reverse rules: ``max``/``min`` take
the tangent of the first extreme argument (the one Python returns);
``abs``/``fabs`` use the sign, ``fabs(-0.0)`` counting as negative.
"""

import builtins
import math
import operator

import numpy
from tangent_lsp.rules.notation import d, tangent_
from tangent_lsp.runtime import (
    broadcast_like, dict_of_tangents, joined_tangents, pick_tangent, sum_tangents,
)

# --- builtins --------------------------------------------------------------------------


@tangent_(builtins.abs)
def builtin_abs(y, x):
    d[y] = d[x] * numpy.sign(x)


@tangent_(builtins.float)
def builtin_float(y, x=0.0):
    d[y] = float(d[x])


@tangent_(builtins.sum)
def builtin_sum(y, iterable, start=0):  # the elements' tangents added up
    d[y] = broadcast_like(sum_tangents(d[iterable]) + d[start], y)


@tangent_(builtins.max, builtins.min)
def builtin_max(y, iterable, *args):  # max(iterable) or max(a, b, ...): the first extreme's
    d[y] = pick_tangent(y, iterable, args, d[iterable], d[args])


@tangent_(builtins.pow)
def builtin_pow(y, base, exp, mod=None):
    d[y] = d[base] * exp * base ** (exp - (exp != 0)) + d[exp] * y * numpy.log(
        numpy.where(base == 0, 1.0, numpy.abs(base))
    )


# --- math ------------------------------------------------------------------------------


@tangent_(math.exp)
def math_exp(y, x):
    d[y] = d[x] * y


@tangent_(math.exp2)
def math_exp2(y, x):
    d[y] = d[x] * y * numpy.log(2.0)


@tangent_(math.expm1)
def math_expm1(y, x):
    d[y] = d[x] * (y + 1.0)


@tangent_(math.log)
def math_log(y, x):  # one-argument form only: math.log(x, base) is reported as unsupported
    d[y] = d[x] / x


@tangent_(math.log2)
def math_log2(y, x):
    d[y] = d[x] / (x * numpy.log(2.0))


@tangent_(math.log10)
def math_log10(y, x):
    d[y] = d[x] / (x * numpy.log(10.0))


@tangent_(math.log1p)
def math_log1p(y, x):
    d[y] = d[x] / (1.0 + x)


@tangent_(math.sqrt)
def math_sqrt(y, x):
    d[y] = d[x] / (2.0 * y)


@tangent_(math.cbrt)
def math_cbrt(y, x):
    d[y] = d[x] / (3.0 * y * y)


@tangent_(math.pow)
def math_pow(r, x, y):  # the y term uses log|x|, 0 at x == 0, as ** does
    d[r] = d[x] * y * x ** (y - 1.0) + d[y] * r * numpy.log(numpy.where(x == 0, 1.0, numpy.abs(x)))


@tangent_(math.sin)
def math_sin(y, x):
    d[y] = d[x] * numpy.cos(x)


@tangent_(math.cos)
def math_cos(y, x):
    d[y] = -d[x] * numpy.sin(x)


@tangent_(math.tan)
def math_tan(y, x):
    d[y] = d[x] * (1.0 + y * y)


@tangent_(math.asin)
def math_asin(y, x):
    d[y] = d[x] / numpy.sqrt(1.0 - x * x)


@tangent_(math.acos)
def math_acos(y, x):
    d[y] = -d[x] / numpy.sqrt(1.0 - x * x)


@tangent_(math.atan)
def math_atan(y, x):
    d[y] = d[x] / (1.0 + x * x)


@tangent_(math.atan2)
def math_atan2(r, y, x):
    r2 = x * x + y * y
    d[r] = d[y] * x / r2 - d[x] * y / r2


@tangent_(math.sinh)
def math_sinh(y, x):
    d[y] = d[x] * numpy.cosh(x)


@tangent_(math.cosh)
def math_cosh(y, x):
    d[y] = d[x] * numpy.sinh(x)


@tangent_(math.tanh)
def math_tanh(y, x):
    d[y] = d[x] * (1.0 - y * y)


@tangent_(math.asinh)
def math_asinh(y, x):
    d[y] = d[x] / numpy.sqrt(x * x + 1.0)


@tangent_(math.acosh)
def math_acosh(y, x):
    d[y] = d[x] / numpy.sqrt(x * x - 1.0)


@tangent_(math.atanh)
def math_atanh(y, x):
    d[y] = d[x] / (1.0 - x * x)


@tangent_(math.hypot)
def math_hypot(y, *coordinates):  # numbers: a dot product of values and tangents
    d[y] = numpy.dot(coordinates, d[coordinates]) / y


@tangent_(math.fabs)
def math_fabs(y, x):
    d[y] = d[x] * numpy.copysign(1.0, x)


@tangent_(math.copysign)
def math_copysign(r, x, y):
    d[r] = d[x] * numpy.copysign(1.0, x) * numpy.copysign(1.0, y)


@tangent_(math.fmod)
def math_fmod(r, x, y):
    d[r] = d[x] - d[y] * numpy.trunc(x / y)


@tangent_(math.degrees)
def math_degrees(y, x):
    d[y] = d[x] * (180.0 / numpy.pi)


@tangent_(math.radians)
def math_radians(y, x):
    d[y] = d[x] * (numpy.pi / 180.0)


@tangent_(math.erf)
def math_erf(y, x):
    d[y] = d[x] * (2.0 / numpy.sqrt(numpy.pi)) * numpy.exp(-x * x)


@tangent_(math.erfc)
def math_erfc(y, x):
    d[y] = -d[x] * (2.0 / numpy.sqrt(numpy.pi)) * numpy.exp(-x * x)


@tangent_(math.fsum)
def math_fsum(y, seq):  # numbers: their tangents summed
    d[y] = numpy.sum(d[seq])


@tangent_(builtins.list)
def builtin_list(y, iterable=()):  # the tangents in a list, like the values
    d[y] = list(d[iterable])


@tangent_(builtins.tuple)
def builtin_tuple(y, iterable=()):
    d[y] = tuple(d[iterable])


@tangent_(operator.concat)  # `hs + [h]`: the tangents joined like the values
def concat(y, a, b):
    d[y] = joined_tangents(d[a], d[b], a, b)


@tangent_(builtins.dict)
def builtin_dict(y, mapping=None):  # a dict, or a list of (key, value) pairs
    d[y] = dict_of_tangents(d[mapping], mapping)
