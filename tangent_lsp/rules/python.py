"""Reverse-mode rules for Python builtins and the ``math`` module.

Same template notation as ``numpy_adjoints.py`` (parsed, never run). Derivatives
call NumPy (``numpy.cos`` is rewritten to the user's NumPy alias, which the
engine imports when needed), never ``math``: the user may have imported only
``from math import sin``. On Python floats NumPy returns ``np.float64``, a
``float``. Builtins such as ``abs``, ``sum``, ``max`` and ``pow`` also accept
arrays, so their rules go through NumPy or ``tangent_lsp.runtime``. Operators
(``+``, ``**``, ...) are keyed to NumPy's ufuncs and live in ``numpy_adjoints.py``.

Conventions at non-smooth points: ``max``/``min`` send the gradient to the
first extreme argument (the one Python returns); ``abs``/``fabs`` use the
sign, ``fabs(-0.0)`` counting as negative.
"""

import builtins
import math
import operator

import numpy
import tangent_lsp
import tangent_lsp.surgery
from tangent_lsp.rules.notation import adjoint, d, nondifferentiable
from tangent_lsp.runtime import pick_adjoint, unbroadcast, undict, unlist, unsum

# --- builtins --------------------------------------------------------------------------


@adjoint(builtins.abs)
def builtin_abs(y, x):
    d[x] = d[y] * numpy.sign(x)


@adjoint(builtins.float)
def builtin_float(y, x=0.0):
    d[x] = unbroadcast(d[y], x)


@adjoint(builtins.sum)
def builtin_sum(y, iterable, start=0):  # a list/tuple literal gets one gradient per element
    d[iterable] = unsum(d[y], iterable)
    d[start] = unbroadcast(d[y], start)


@adjoint(builtins.max, builtins.min)
def builtin_max(y, iterable, *args):  # max(iterable) or max(a, b, ...): the first extreme gets it
    grads = pick_adjoint(d[y], y, iterable, args)
    d[iterable] = grads[0]
    d[args] = grads[1]


@adjoint(builtins.pow)
def builtin_pow(y, base, exp, mod=None):
    d[base] = unbroadcast(d[y] * exp * base ** (exp - (exp != 0)), base)
    d[exp] = unbroadcast(d[y] * y * numpy.log(numpy.where(base == 0, 1.0, numpy.abs(base))), exp)


# --- math ------------------------------------------------------------------------------


@adjoint(math.exp)
def math_exp(y, x):
    d[x] = d[y] * y


@adjoint(math.exp2)
def math_exp2(y, x):
    d[x] = d[y] * y * numpy.log(2.0)


@adjoint(math.expm1)
def math_expm1(y, x):
    d[x] = d[y] * (y + 1.0)


@adjoint(math.log)
def math_log(y, x):  # one-argument form only: math.log(x, base) is reported as unsupported
    d[x] = d[y] / x


@adjoint(math.log2)
def math_log2(y, x):
    d[x] = d[y] / (x * numpy.log(2.0))


@adjoint(math.log10)
def math_log10(y, x):
    d[x] = d[y] / (x * numpy.log(10.0))


@adjoint(math.log1p)
def math_log1p(y, x):
    d[x] = d[y] / (1.0 + x)


@adjoint(math.sqrt)
def math_sqrt(y, x):
    d[x] = d[y] / (2.0 * y)


@adjoint(math.cbrt)
def math_cbrt(y, x):
    d[x] = d[y] / (3.0 * y * y)


@adjoint(math.pow)
def math_pow(r, x, y):  # d/dy uses log|x|, 0 at x == 0, as ** does
    d[x] = d[r] * y * x ** (y - 1.0)
    d[y] = d[r] * r * numpy.log(numpy.where(x == 0, 1.0, numpy.abs(x)))


@adjoint(math.sin)
def math_sin(y, x):
    d[x] = d[y] * numpy.cos(x)


@adjoint(math.cos)
def math_cos(y, x):
    d[x] = -d[y] * numpy.sin(x)


@adjoint(math.tan)
def math_tan(y, x):
    d[x] = d[y] * (1.0 + y * y)


@adjoint(math.asin)
def math_asin(y, x):
    d[x] = d[y] / numpy.sqrt(1.0 - x * x)


@adjoint(math.acos)
def math_acos(y, x):
    d[x] = -d[y] / numpy.sqrt(1.0 - x * x)


@adjoint(math.atan)
def math_atan(y, x):
    d[x] = d[y] / (1.0 + x * x)


@adjoint(math.atan2)
def math_atan2(r, y, x):
    d[y] = d[r] * x / (x * x + y * y)
    d[x] = -d[r] * y / (x * x + y * y)


@adjoint(math.sinh)
def math_sinh(y, x):
    d[x] = d[y] * numpy.cosh(x)


@adjoint(math.cosh)
def math_cosh(y, x):
    d[x] = d[y] * numpy.sinh(x)


@adjoint(math.tanh)
def math_tanh(y, x):
    d[x] = d[y] * (1.0 - y * y)


@adjoint(math.asinh)
def math_asinh(y, x):
    d[x] = d[y] / numpy.sqrt(x * x + 1.0)


@adjoint(math.acosh)
def math_acosh(y, x):
    d[x] = d[y] / numpy.sqrt(x * x - 1.0)


@adjoint(math.atanh)
def math_atanh(y, x):
    d[x] = d[y] / (1.0 - x * x)


@adjoint(math.hypot)
def math_hypot(y, *coordinates):
    d[coordinates] = d[y] / y * numpy.array(coordinates)


@adjoint(math.fabs)
def math_fabs(y, x):
    d[x] = d[y] * numpy.copysign(1.0, x)


@adjoint(math.copysign)
def math_copysign(r, x, y):
    d[x] = d[r] * numpy.copysign(1.0, x) * numpy.copysign(1.0, y)


@adjoint(math.fmod)
def math_fmod(r, x, y):
    d[x] = d[r]
    d[y] = -d[r] * numpy.trunc(x / y)


@adjoint(math.degrees)
def math_degrees(y, x):
    d[x] = d[y] * (180.0 / numpy.pi)


@adjoint(math.radians)
def math_radians(y, x):
    d[x] = d[y] * (numpy.pi / 180.0)


@adjoint(math.erf)
def math_erf(y, x):
    d[x] = d[y] * (2.0 / numpy.sqrt(numpy.pi)) * numpy.exp(-x * x)


@adjoint(math.erfc)
def math_erfc(y, x):
    d[x] = -d[y] * (2.0 / numpy.sqrt(numpy.pi)) * numpy.exp(-x * x)


@adjoint(math.fsum)
def math_fsum(y, seq):
    d[seq] = unsum(d[y], seq)


# --- containers: a list/tuple/dict of values, the same values in a new container ----------


@adjoint(builtins.list, builtins.tuple)
def builtin_list(y, iterable=()):  # an array's elements' adjoints make an array again
    d[iterable] = unlist(d[y], iterable)


@adjoint(operator.concat)  # `hs + [h]`: each side's adjoints are its part of the whole's
def concat(y, a, b):
    d[a] = d[y][:len(a)]
    d[b] = d[y][len(a):]


@adjoint(builtins.dict)
def builtin_dict(y, mapping=None):  # a dict, or a list of (key, value) pairs
    d[mapping] = undict(d[y], mapping)


# --- no gradient -----------------------------------------------------------------------

nondifferentiable(
    builtins.len, builtins.range, builtins.int, builtins.round, builtins.bool,
    builtins.isinstance, builtins.issubclass, builtins.type, builtins.callable,
    builtins.str, builtins.repr, builtins.print, builtins.id, builtins.hash,
    builtins.ord, builtins.chr, builtins.any, builtins.all,
    math.floor, math.ceil, math.trunc, math.isnan, math.isinf, math.isfinite, math.isclose,
    math.factorial, math.comb, math.perm, math.gcd, math.lcm,
)


# --- gradient surgery ----------------------------------------------------------------------

nondifferentiable(tangent_lsp.stop_gradient, tangent_lsp.surgery.stop_gradient)
