"""Forward-mode rules for NumPy: functions, ndarray methods and attributes.

The same template notation as ``numpy_adjoints.py`` (parsed, never run), and one
rule for every function that has a reverse rule there, with the same keys and
the same signatures (moves and copies are in ``numpy_shapes_tangents.py``, linear
algebra in ``numpy_linalg_tangents.py``, statistics in ``numpy_statistics_tangents.py``). In a forward template the first parameter is the call's
result (its value is computed before the tangent), ``d[p]`` read in an
expression is the tangent of the argument bound to ``p``, and ``d[y] = expr``
assigns the result's tangent. Other assigned names are local temporaries.

Each rule is a sum of one term per argument, linear in the ``d[...]``: the
engine replaces the tangent of an argument that carries none by zero and folds
it away (a product with it vanishes, a sum drops it, a call whose tangent
arguments are all zero vanishes), so ``d[x1] * x2 + x1 * d[x2]`` becomes
``x1 * dx2`` when ``x1`` is a constant. For a tuple/list parameter or ``*args``,
``d[p]`` is a tuple of tangents with a literal ``0.0`` for constant elements;
rules pass such tuples through ``tangents_like`` (zeros of the right shape).

Shapes (the rule for broadcasting): a tangent has exactly its value's shape and
a floating dtype. A term that multiplies by ``y``, by the other operand or by a
mask of ``y`` has ``y``'s shape by itself (``multiply``, ``divide``, ``power``,
``maximum``, ``clip``...). A term that is a bare tangent (``add``, ``subtract``,
``mod``, ``where``) may not: in ``y = x + C`` with a constant ``C`` larger than
``x``, ``dx`` alone has ``x``'s shape. Those rules wrap the tangent in
``broadcast_like(..., y)``, which returns its argument untouched when the shape
is already ``y``'s (so ``broadcast_like(dx1 + dx2, y)`` costs a shape check), and
which the optimizer may drop where shapes are provably equal, as it drops
``unbroadcast``.

Views and copies: a rule returns a view of the tangent where NumPy returns a
view (``transpose``, ``reshape``, ``diagonal``...) and a fresh array where NumPy
copies (``copy``, ``astype``, ``array``, ``flatten``, ``positive``), so tangents
alias each other exactly as the values do.

Conventions at non-smooth points are those of the reverse rules (their adjoints
are the transposes of these): ties in ``maximum``/``minimum``/``fmax``/``fmin``
go to ``x1``; tied extremes of ``max``/``min`` reductions share; a value of
``clip`` exactly on a bound follows ``a``; ``sign(0) == 0`` in ``abs``; the
2-norm at 0 has tangent 0; ``cumprod`` divides by its input; ``power``'s exponent term uses ``log|x1|`` with 0 where
``x1 == 0``; ``sort`` breaks ties stably.
"""

import numpy
from tangent_lsp.rules.notation import d, tangent_
from tangent_lsp.runtime import (
    interp_layout,
    broadcast_like,
    einsum_tangent,
    extremum_mask,
    linspace_weights,
    at_samples,
    prod_others,
    reduced_count,
    sinc_slope,
)

# --- elementwise, one argument --------------------------------------------------------


@tangent_(numpy.negative)
def negative(y, x):
    d[y] = -d[x]


@tangent_(numpy.positive)
def positive(y, x):
    d[y] = numpy.positive(d[x])


@tangent_(numpy.abs, numpy.absolute, numpy.fabs)
def absolute(y, x):
    d[y] = d[x] * numpy.sign(x)


@tangent_(numpy.exp)
def exp(y, x):
    d[y] = d[x] * y


@tangent_(numpy.exp2)
def exp2(y, x):
    d[y] = d[x] * y * numpy.log(2.0)


@tangent_(numpy.expm1)
def expm1(y, x):
    d[y] = d[x] * (y + 1.0)


@tangent_(numpy.log)
def log(y, x):
    d[y] = d[x] / x


@tangent_(numpy.log2)
def log2(y, x):
    d[y] = d[x] / (x * numpy.log(2.0))


@tangent_(numpy.log10)
def log10(y, x):
    d[y] = d[x] / (x * numpy.log(10.0))


@tangent_(numpy.log1p)
def log1p(y, x):
    d[y] = d[x] / (1.0 + x)


@tangent_(numpy.sqrt)
def sqrt(y, x):
    d[y] = d[x] / (2.0 * y)


@tangent_(numpy.cbrt)
def cbrt(y, x):
    d[y] = d[x] / (3.0 * y * y)


@tangent_(numpy.square)
def square(y, x):
    d[y] = d[x] * 2.0 * x


@tangent_(numpy.reciprocal)
def reciprocal(y, x):
    d[y] = -d[x] * y * y


@tangent_(numpy.sin)
def sin(y, x):
    d[y] = d[x] * numpy.cos(x)


@tangent_(numpy.cos)
def cos(y, x):
    d[y] = -d[x] * numpy.sin(x)


@tangent_(numpy.tan)
def tan(y, x):
    d[y] = d[x] * (1.0 + y * y)


@tangent_(numpy.arcsin, numpy.asin)
def arcsin(y, x):
    d[y] = d[x] / numpy.sqrt(1.0 - x * x)


@tangent_(numpy.arccos, numpy.acos)
def arccos(y, x):
    d[y] = -d[x] / numpy.sqrt(1.0 - x * x)


@tangent_(numpy.arctan, numpy.atan)
def arctan(y, x):
    d[y] = d[x] / (1.0 + x * x)


@tangent_(numpy.sinh)
def sinh(y, x):
    d[y] = d[x] * numpy.cosh(x)


@tangent_(numpy.cosh)
def cosh(y, x):
    d[y] = d[x] * numpy.sinh(x)


@tangent_(numpy.tanh)
def tanh(y, x):
    d[y] = d[x] * (1.0 - y * y)


@tangent_(numpy.arcsinh, numpy.asinh)
def arcsinh(y, x):
    d[y] = d[x] / numpy.sqrt(x * x + 1.0)


@tangent_(numpy.arccosh, numpy.acosh)
def arccosh(y, x):
    d[y] = d[x] / numpy.sqrt(x * x - 1.0)


@tangent_(numpy.arctanh, numpy.atanh)
def arctanh(y, x):
    d[y] = d[x] / (1.0 - x * x)


@tangent_(numpy.deg2rad, numpy.radians)
def deg2rad(y, x):
    d[y] = d[x] * (numpy.pi / 180.0)


@tangent_(numpy.rad2deg, numpy.degrees)
def rad2deg(y, x):
    d[y] = d[x] * (180.0 / numpy.pi)


@tangent_(numpy.sinc)
def sinc(y, x):  # (cos(pi x) - y) / x, and 0 at x == 0
    d[y] = d[x] * sinc_slope(x)


# --- elementwise, two arguments (broadcasting) -----------------------------------------


@tangent_(numpy.add)
def add(y, x1, x2):
    d[y] = broadcast_like(d[x1] + d[x2], y)


@tangent_(numpy.subtract)
def subtract(y, x1, x2):
    d[y] = broadcast_like(d[x1] - d[x2], y)


@tangent_(numpy.multiply)
def multiply(y, x1, x2):
    d[y] = d[x1] * x2 + x1 * d[x2]


@tangent_(numpy.divide, numpy.true_divide)
def divide(y, x1, x2):
    d[y] = d[x1] / x2 - d[x2] * y / x2


@tangent_(numpy.power, numpy.pow, numpy.float_power)
def power(y, x1, x2):  # the x2 term uses log|x1|, 0 at x1 == 0: finite for x1 < 0 (a zero d[x2] stays 0)
    d[y] = d[x1] * x2 * x1 ** (x2 - (x2 != 0)) + d[x2] * y * numpy.log(numpy.where(x1 == 0, 1.0, numpy.abs(x1)))


@tangent_(numpy.mod, numpy.remainder)
def mod(y, x1, x2):
    d[y] = broadcast_like(d[x1], y) - d[x2] * numpy.floor_divide(x1, x2)


@tangent_(numpy.fmod)
def fmod(y, x1, x2):
    d[y] = broadcast_like(d[x1], y) - d[x2] * numpy.trunc(x1 / x2)


@tangent_(numpy.maximum, numpy.minimum, numpy.fmax, numpy.fmin)
def maximum(y, x1, x2):  # ties go to x1
    d[y] = d[x1] * (y == x1) + d[x2] * (y != x1)


@tangent_(numpy.arctan2, numpy.atan2)
def arctan2(y, x1, x2):
    r2 = x1 * x1 + x2 * x2
    d[y] = d[x1] * x2 / r2 - d[x2] * x1 / r2


@tangent_(numpy.hypot)
def hypot(y, x1, x2):
    d[y] = d[x1] * x1 / y + d[x2] * x2 / y


@tangent_(numpy.logaddexp)
def logaddexp(y, x1, x2):
    d[y] = d[x1] * numpy.exp(x1 - y) + d[x2] * numpy.exp(x2 - y)


@tangent_(numpy.logaddexp2)
def logaddexp2(y, x1, x2):
    d[y] = d[x1] * numpy.exp2(x1 - y) + d[x2] * numpy.exp2(x2 - y)


@tangent_(numpy.copysign)
def copysign(y, x1, x2):  # x2 only contributes its sign
    d[y] = d[x1] * numpy.where(numpy.signbit(x1) == numpy.signbit(y), 1.0, -1.0)


@tangent_(numpy.where)
def where(out, condition, x=None, y=None):  # the condition carries no tangent
    d[out] = broadcast_like(numpy.where(condition, d[x], d[y]), out)


@tangent_(numpy.clip)
def clip(y, a, a_min=None, a_max=None, min=None, max=None):  # a bound reached exactly: a's
    d[y] = (
        d[a] * (y == a)
        + d[a_min] * ((y == a_min) & (y != a))
        + d[a_max] * ((y == a_max) & (y != a))
        + d[min] * ((y == min) & (y != a))
        + d[max] * ((y == max) & (y != a))
    )


@tangent_(numpy.ndarray.clip)
def clip_method(y, a, min=None, max=None):
    d[y] = d[a] * (y == a) + d[min] * ((y == min) & (y != a)) + d[max] * ((y == max) & (y != a))


@tangent_(numpy.nan_to_num)
def nan_to_num(y, x, copy=True, nan=0.0, posinf=None, neginf=None):
    d[y] = broadcast_like(numpy.where(numpy.isfinite(x), d[x], numpy.where(
        numpy.isnan(x), d[nan], numpy.where(numpy.isposinf(x), d[posinf], d[neginf]))), y)


@tangent_(numpy.interp)  # inside: the slope times x's move less the knots' moves
def interp(y, x, xp, fp, left=None, right=None, period=None):
    at = interp_layout(x, xp, left, right)  # segment j, inside, below, above, reads fp
    lower = numpy.take(xp, at[0])
    width = numpy.take(xp, at[0] + 1) - lower
    t = numpy.clip((x - lower) / width, 0.0, 1.0)
    slope = (numpy.take(fp, at[0] + 1) - numpy.take(fp, at[0])) / width
    d[y] = broadcast_like(
        numpy.where(at[4], numpy.take(d[fp], at[0]) * (1.0 - t) + numpy.take(d[fp], at[0] + 1) * t, 0.0)
        + numpy.where(at[1], slope * (d[x] - numpy.take(d[xp], at[0]) * (1.0 - t) - numpy.take(d[xp], at[0] + 1) * t), 0.0)
        + numpy.where(at[2], d[left], 0.0) + numpy.where(at[3], d[right], 0.0),
        y,
    )


@tangent_(numpy.polyval)
def polyval(y, p, x):
    n = numpy.size(p)
    d[y] = d[x] * numpy.polyval(p[:-1] * numpy.arange(n - 1, 0, -1), x) + numpy.polyval(d[p], x)


# --- reductions ------------------------------------------------------------------------


@tangent_(numpy.sum, numpy.ndarray.sum)
def sum(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[y] = numpy.sum(d[a], axis=axis, keepdims=keepdims)


@tangent_(numpy.add.reduce)  # axis 0 by default: passed by position (see numpy_adjoints)
def add_reduce(y, array, axis=0, dtype=None, out=None, keepdims=False):
    d[y] = numpy.sum(d[array], axis, keepdims=keepdims)


@tangent_(numpy.multiply.reduce)
def multiply_reduce(y, array, axis=0, dtype=None, out=None, keepdims=False):
    d[y] = numpy.sum(prod_others(array, axis) * d[array], axis, keepdims=keepdims)


@tangent_(numpy.nansum)
def nansum(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[y] = numpy.sum(numpy.where(numpy.isnan(a), 0.0, d[a]), axis=axis, keepdims=keepdims)


@tangent_(numpy.nanmean)
def nanmean(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[y] = numpy.nanmean(numpy.where(numpy.isnan(a), numpy.nan, d[a]), axis=axis, keepdims=keepdims)


@tangent_(numpy.mean, numpy.ndarray.mean)
def mean(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[y] = numpy.mean(d[a], axis=axis, keepdims=keepdims)


@tangent_(numpy.prod, numpy.ndarray.prod)
def prod(y, a, axis=None, dtype=None, out=None, keepdims=False):  # exact with zeros
    d[y] = numpy.sum(prod_others(a, axis) * d[a], axis=axis, keepdims=keepdims)


@tangent_(numpy.max, numpy.amax, numpy.ndarray.max, numpy.min, numpy.amin, numpy.ndarray.min)
def max(y, a, axis=None, out=None, keepdims=False):  # tied extremes share the tangent (their mean)
    d[y] = numpy.sum(extremum_mask(a, y, axis, keepdims) * d[a], axis=axis, keepdims=keepdims)


@tangent_(numpy.var, numpy.ndarray.var)
def var(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    n = reduced_count(a, axis=axis, ddof=ddof)
    centered = a - numpy.mean(a, axis=axis, keepdims=True)
    d[y] = numpy.sum(centered * d[a], axis=axis, keepdims=keepdims) * (2.0 / n)


@tangent_(numpy.std, numpy.ndarray.std)
def std(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    n = reduced_count(a, axis=axis, ddof=ddof)
    centered = a - numpy.mean(a, axis=axis, keepdims=True)
    d[y] = numpy.sum(centered * d[a], axis=axis, keepdims=keepdims) / (n * numpy.where(y == 0, numpy.inf, y))


@tangent_(numpy.cumsum, numpy.ndarray.cumsum)
def cumsum(y, a, axis=None, dtype=None, out=None):
    d[y] = numpy.cumsum(d[a], axis=axis)


@tangent_(numpy.cumprod, numpy.ndarray.cumprod)
def cumprod(y, a, axis=None, dtype=None, out=None):  # divides by a: not for inputs with zeros
    d[y] = y * numpy.cumsum(d[a] / a, axis=axis)


@tangent_(numpy.trace, numpy.ndarray.trace)
def trace(y, a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    d[y] = numpy.trace(d[a], offset, axis1, axis2)


# --- products --------------------------------------------------------------------------


@tangent_(numpy.dot, numpy.ndarray.dot)
def dot(y, a, b):
    d[y] = numpy.dot(d[a], b) + numpy.dot(a, d[b])


@tangent_(numpy.matmul)
def matmul(y, x1, x2):
    d[y] = d[x1] @ x2 + x1 @ d[x2]


@tangent_(numpy.cross)
def cross(y, a, b):  # bilinear
    d[y] = numpy.cross(d[a], b) + numpy.cross(a, d[b])


@tangent_(numpy.outer)
def outer(y, a, b):
    d[y] = numpy.outer(d[a], b) + numpy.outer(a, d[b])


@tangent_(numpy.inner)
def inner(y, a, b):
    d[y] = numpy.inner(d[a], b) + numpy.inner(a, d[b])


@tangent_(numpy.vdot)
def vdot(y, a, b):  # real arrays
    d[y] = numpy.vdot(d[a], b) + numpy.vdot(a, d[b])


@tangent_(numpy.tensordot)
def tensordot(y, a, b, axes=2):
    d[y] = numpy.tensordot(d[a], b, axes) + numpy.tensordot(a, d[b], axes)


@tangent_(numpy.einsum)
def einsum(y, subscripts, *operands, optimize=False):  # one einsum per operand with a tangent
    d[y] = einsum_tangent(y, subscripts, operands, d[operands], optimize=optimize)


# --- constructors from values, and samples (reparameterized) ----------------------------


@tangent_(numpy.full)
def full(y, shape, fill_value, dtype=None, order="C"):
    d[y] = numpy.zeros(numpy.shape(y)) + d[fill_value]


@tangent_(numpy.full_like)
def full_like(y, a, fill_value, dtype=None, order="K", subok=True, shape=None):
    d[y] = numpy.zeros(numpy.shape(y)) + d[fill_value]


@tangent_(numpy.linspace)
def linspace(y, start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    t = linspace_weights(y, start, stop, num, endpoint, axis)  # the samples on axis
    d[y] = at_samples(d[start], y, axis) * (1.0 - t) + at_samples(d[stop], y, axis) * t


@tangent_(numpy.random.normal)
def normal(y, loc=0.0, scale=1.0, size=None):
    d[y] = broadcast_like(d[loc] + d[scale] * (y - loc) / scale, y)  # (y of shape `size`)


@tangent_(numpy.random.uniform)
def uniform(y, low=0.0, high=1.0, size=None):
    u = (y - low) / (high - low)
    d[y] = d[low] * (1.0 - u) + d[high] * u
