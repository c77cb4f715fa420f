"""Reverse-mode rules for NumPy: functions, ndarray methods and attributes (moves and
copies in ``numpy_shapes.py``, linear algebra in ``numpy_linalg.py``, statistics in
``numpy_statistics.py``; every file of this folder is read).

Templates are parsed by the engine, never run (see ``notation.py``). In a
template, the first parameter is the call's result and the others mirror
NumPy's own parameter names and defaults, so user arguments bind exactly as
they do in NumPy. ``d[p] = expr`` adds ``expr`` to the adjoint of the argument
bound to ``p``; ``d[y]`` is the incoming adjoint of the result. ``numpy.xxx`` is
rewritten to the user's alias; helpers come from ``tangent_lsp.runtime``.

Gradients have exactly the shape of their argument (``unbroadcast`` undoes
broadcasting) and are floating point even for integer arguments.

Conventions at non-smooth points (documented choices):
* ``maximum``/``minimum``/``fmax``/``fmin``: a tie sends the gradient to ``x1``.
* ``max``/``min``/``amax``/``amin`` reductions: tied entries share it equally (as autograd).
* ``clip``: a value exactly on a bound counts as inside (gradient to ``a``).
* ``abs``/``sign``: ``sign(0) == 0``; ``linalg.norm`` at 0 gives 0.
* ``cumprod`` and ``linalg.det``/``inv`` divide by (or invert) the input: zeros/singular
  matrices give inf/nan; ``prod`` is exact with zeros.
"""

import numpy
from tangent_lsp.rules.notation import adjoint, d, nondifferentiable
from tangent_lsp.runtime import (
    dot_adjoint_a,
    dot_adjoint_b,
    einsum_adjoint,
    extremum_mask,
    interp_layout,
    linspace_weights,
    matmul_adjoint_a,
    matmul_adjoint_b,
    prod_others,
    reduced_count,
    sinc_slope,
    tensordot_adjoint_a,
    tensordot_adjoint_b,
    unbroadcast,
    uncumsum,
    undiagonal,
    unreduce,
    untake,
)

# --- elementwise, one argument --------------------------------------------------------


@adjoint(numpy.negative)
def negative(y, x):
    d[x] = -d[y]


@adjoint(numpy.positive)
def positive(y, x):
    d[x] = d[y]


@adjoint(numpy.abs, numpy.absolute, numpy.fabs)
def absolute(y, x):
    d[x] = d[y] * numpy.sign(x)


@adjoint(numpy.exp)
def exp(y, x):
    d[x] = d[y] * y


@adjoint(numpy.exp2)
def exp2(y, x):
    d[x] = d[y] * y * numpy.log(2.0)


@adjoint(numpy.expm1)
def expm1(y, x):
    d[x] = d[y] * (y + 1.0)


@adjoint(numpy.log)
def log(y, x):
    d[x] = d[y] / x


@adjoint(numpy.log2)
def log2(y, x):
    d[x] = d[y] / (x * numpy.log(2.0))


@adjoint(numpy.log10)
def log10(y, x):
    d[x] = d[y] / (x * numpy.log(10.0))


@adjoint(numpy.log1p)
def log1p(y, x):
    d[x] = d[y] / (1.0 + x)


@adjoint(numpy.sqrt)
def sqrt(y, x):
    d[x] = d[y] / (2.0 * y)


@adjoint(numpy.cbrt)
def cbrt(y, x):
    d[x] = d[y] / (3.0 * y * y)


@adjoint(numpy.square)
def square(y, x):
    d[x] = d[y] * 2.0 * x


@adjoint(numpy.reciprocal)
def reciprocal(y, x):
    d[x] = -d[y] * y * y


@adjoint(numpy.sin)
def sin(y, x):
    d[x] = d[y] * numpy.cos(x)


@adjoint(numpy.cos)
def cos(y, x):
    d[x] = -d[y] * numpy.sin(x)


@adjoint(numpy.tan)
def tan(y, x):
    d[x] = d[y] * (1.0 + y * y)


@adjoint(numpy.arcsin, numpy.asin)
def arcsin(y, x):
    d[x] = d[y] / numpy.sqrt(1.0 - x * x)


@adjoint(numpy.arccos, numpy.acos)
def arccos(y, x):
    d[x] = -d[y] / numpy.sqrt(1.0 - x * x)


@adjoint(numpy.arctan, numpy.atan)
def arctan(y, x):
    d[x] = d[y] / (1.0 + x * x)


@adjoint(numpy.sinh)
def sinh(y, x):
    d[x] = d[y] * numpy.cosh(x)


@adjoint(numpy.cosh)
def cosh(y, x):
    d[x] = d[y] * numpy.sinh(x)


@adjoint(numpy.tanh)
def tanh(y, x):
    d[x] = d[y] * (1.0 - y * y)


@adjoint(numpy.arcsinh, numpy.asinh)
def arcsinh(y, x):
    d[x] = d[y] / numpy.sqrt(x * x + 1.0)


@adjoint(numpy.arccosh, numpy.acosh)
def arccosh(y, x):
    d[x] = d[y] / numpy.sqrt(x * x - 1.0)


@adjoint(numpy.arctanh, numpy.atanh)
def arctanh(y, x):
    d[x] = d[y] / (1.0 - x * x)


@adjoint(numpy.deg2rad, numpy.radians)
def deg2rad(y, x):
    d[x] = d[y] * (numpy.pi / 180.0)


@adjoint(numpy.rad2deg, numpy.degrees)
def rad2deg(y, x):
    d[x] = d[y] * (180.0 / numpy.pi)


@adjoint(numpy.sinc)
def sinc(y, x):  # (cos(pi x) - y) / x, and 0 at x == 0
    d[x] = d[y] * sinc_slope(x)


# --- elementwise, two arguments (broadcasting) -----------------------------------------


@adjoint(numpy.add)
def add(y, x1, x2):
    d[x1] = unbroadcast(d[y], x1)
    d[x2] = unbroadcast(d[y], x2)


@adjoint(numpy.subtract)
def subtract(y, x1, x2):
    d[x1] = unbroadcast(d[y], x1)
    d[x2] = unbroadcast(-d[y], x2)


@adjoint(numpy.multiply)
def multiply(y, x1, x2):
    d[x1] = unbroadcast(d[y] * x2, x1)
    d[x2] = unbroadcast(d[y] * x1, x2)


@adjoint(numpy.divide, numpy.true_divide)
def divide(y, x1, x2):
    d[x1] = unbroadcast(d[y] / x2, x1)
    d[x2] = unbroadcast(-d[y] * y / x2, x2)


@adjoint(numpy.power, numpy.pow, numpy.float_power)
def power(y, x1, x2):  # x2 == 0 has slope 0 at x1 == 0 too; d/dx2 uses log|x1|, 0 at x1 == 0
    d[x1] = unbroadcast(d[y] * x2 * x1 ** (x2 - (x2 != 0)), x1)
    d[x2] = unbroadcast(d[y] * y * numpy.log(numpy.where(x1 == 0, 1.0, numpy.abs(x1))), x2)


@adjoint(numpy.mod, numpy.remainder)
def mod(y, x1, x2):
    d[x1] = unbroadcast(d[y], x1)
    d[x2] = unbroadcast(-d[y] * numpy.floor_divide(x1, x2), x2)


@adjoint(numpy.fmod)
def fmod(y, x1, x2):
    d[x1] = unbroadcast(d[y], x1)
    d[x2] = unbroadcast(-d[y] * numpy.trunc(x1 / x2), x2)


@adjoint(numpy.maximum, numpy.minimum, numpy.fmax, numpy.fmin)
def maximum(y, x1, x2):  # ties go to x1
    d[x1] = unbroadcast(d[y] * (y == x1), x1)
    d[x2] = unbroadcast(d[y] * (y != x1), x2)


@adjoint(numpy.arctan2, numpy.atan2)
def arctan2(y, x1, x2):
    r2 = x1 * x1 + x2 * x2
    d[x1] = unbroadcast(d[y] * x2 / r2, x1)
    d[x2] = unbroadcast(-d[y] * x1 / r2, x2)


@adjoint(numpy.hypot)
def hypot(y, x1, x2):
    d[x1] = unbroadcast(d[y] * x1 / y, x1)
    d[x2] = unbroadcast(d[y] * x2 / y, x2)


@adjoint(numpy.logaddexp)
def logaddexp(y, x1, x2):
    d[x1] = unbroadcast(d[y] * numpy.exp(x1 - y), x1)
    d[x2] = unbroadcast(d[y] * numpy.exp(x2 - y), x2)


@adjoint(numpy.logaddexp2)
def logaddexp2(y, x1, x2):
    d[x1] = unbroadcast(d[y] * numpy.exp2(x1 - y), x1)
    d[x2] = unbroadcast(d[y] * numpy.exp2(x2 - y), x2)


@adjoint(numpy.copysign)
def copysign(y, x1, x2):
    d[x1] = unbroadcast(d[y] * numpy.where(numpy.signbit(x1) == numpy.signbit(y), 1.0, -1.0), x1)


@adjoint(numpy.where)
def where(out, condition, x=None, y=None):  # the condition carries no gradient
    d[x] = unbroadcast(numpy.where(condition, d[out], 0.0), x)
    d[y] = unbroadcast(numpy.where(condition, 0.0, d[out]), y)


@adjoint(numpy.clip)
def clip(y, a, a_min=None, a_max=None, min=None, max=None):  # a bound reached exactly: to a
    d[a] = unbroadcast(d[y] * (y == a), a)
    d[a_min] = unbroadcast(d[y] * ((y == a_min) & (y != a)), a_min)
    d[a_max] = unbroadcast(d[y] * ((y == a_max) & (y != a)), a_max)
    d[min] = unbroadcast(d[y] * ((y == min) & (y != a)), min)
    d[max] = unbroadcast(d[y] * ((y == max) & (y != a)), max)


@adjoint(numpy.ndarray.clip)
def clip_method(y, a, min=None, max=None):
    d[a] = unbroadcast(d[y] * (y == a), a)
    d[min] = unbroadcast(d[y] * ((y == min) & (y != a)), min)
    d[max] = unbroadcast(d[y] * ((y == max) & (y != a)), max)


@adjoint(numpy.nan_to_num)  # the entries replaced get the gradient of what replaced them
def nan_to_num(y, x, copy=True, nan=0.0, posinf=None, neginf=None):
    d[x] = numpy.where(numpy.isfinite(x), d[y], 0.0)
    d[nan] = unbroadcast(numpy.where(numpy.isnan(x), d[y], 0.0), nan)
    d[posinf] = unbroadcast(numpy.where(numpy.isposinf(x), d[y], 0.0), posinf)
    d[neginf] = unbroadcast(numpy.where(numpy.isneginf(x), d[y], 0.0), neginf)


@adjoint(numpy.interp)  # y = fp[j] (1 - t) + fp[j + 1] t, t = (x - xp[j]) / (xp[j + 1] - xp[j]); left, right outside
def interp(y, x, xp, fp, left=None, right=None, period=None):
    at = interp_layout(x, xp, left, right)  # segment j, inside, below, above, reads fp
    lower = numpy.take(xp, at[0])
    width = numpy.take(xp, at[0] + 1) - lower
    t = numpy.clip((x - lower) / width, 0.0, 1.0)  # 0 or 1 where fp[0] or fp[-1] stands outside
    slope = numpy.where(at[1], d[y], 0.0) * (numpy.take(fp, at[0] + 1) - numpy.take(fp, at[0])) / width
    d[x] = unbroadcast(slope, x)
    d[fp] = untake(numpy.where(at[4], d[y], 0.0) * (1.0 - t), fp, at[0]) + untake(numpy.where(at[4], d[y], 0.0) * t, fp, at[0] + 1)
    d[xp] = -untake(slope * (1.0 - t), xp, at[0]) - untake(slope * t, xp, at[0] + 1)  # the knots move the line
    d[left] = unbroadcast(numpy.where(at[2], d[y], 0.0), left)
    d[right] = unbroadcast(numpy.where(at[3], d[y], 0.0), right)


@adjoint(numpy.polyval)  # d/dx: the derivative polynomial; d/dp: the powers of x, highest first
def polyval(y, p, x):
    n = numpy.size(p)
    d[x] = unbroadcast(d[y] * numpy.polyval(p[:-1] * numpy.arange(n - 1, 0, -1), x), x)
    d[p] = unbroadcast(numpy.expand_dims(d[y], -1) * numpy.expand_dims(x, -1) ** numpy.arange(n - 1, -1, -1), p)


# --- reductions ------------------------------------------------------------------------


@adjoint(numpy.sum, numpy.ndarray.sum)
def sum(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = unreduce(d[y], a, axis=axis, keepdims=keepdims)


# np.sum and np.prod along axis 0 by default: the axis is passed by position, since an
# `axis=axis` keyword the call leaves out is dropped as the (here different) default
@adjoint(numpy.add.reduce)
def add_reduce(y, array, axis=0, dtype=None, out=None, keepdims=False):
    d[array] = unreduce(d[y], array, axis, keepdims=keepdims)


@adjoint(numpy.multiply.reduce)
def multiply_reduce(y, array, axis=0, dtype=None, out=None, keepdims=False):
    d[array] = unreduce(d[y], array, axis, keepdims=keepdims) * prod_others(array, axis)


@adjoint(numpy.nansum)
def nansum(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = unreduce(d[y], a, axis=axis, keepdims=keepdims) * numpy.logical_not(numpy.isnan(a))


@adjoint(numpy.nanmean)  # the mean of the entries that are not nan
def nanmean(y, a, axis=None, dtype=None, out=None, keepdims=False):
    kept = numpy.logical_not(numpy.isnan(a))
    d[a] = unreduce(d[y], a, axis=axis, keepdims=keepdims) * kept / numpy.sum(kept, axis=axis, keepdims=True)


@adjoint(numpy.mean, numpy.ndarray.mean)
def mean(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = unreduce(d[y], a, axis=axis, keepdims=keepdims) / reduced_count(a, axis=axis)


@adjoint(numpy.prod, numpy.ndarray.prod)
def prod(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = unreduce(d[y], a, axis=axis, keepdims=keepdims) * prod_others(a, axis)


@adjoint(numpy.max, numpy.amax, numpy.ndarray.max, numpy.min, numpy.amin, numpy.ndarray.min)
def max(y, a, axis=None, out=None, keepdims=False):  # tied extremes share the gradient
    d[a] = unreduce(d[y], a, axis=axis, keepdims=keepdims) * extremum_mask(a, y, axis=axis, keepdims=keepdims)


@adjoint(numpy.var, numpy.ndarray.var)
def var(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    n = reduced_count(a, axis=axis, ddof=ddof)
    d[a] = unreduce(d[y], a, axis=axis, keepdims=keepdims) * 2.0 * (a - numpy.mean(a, axis=axis, keepdims=True)) / n


@adjoint(numpy.std, numpy.ndarray.std)
def std(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):  # 0 where y == 0 (as norm)
    n = reduced_count(a, axis=axis, ddof=ddof)
    scale = d[y] / numpy.where(y == 0, numpy.inf, y)
    d[a] = unreduce(scale, a, axis=axis, keepdims=keepdims) * (a - numpy.mean(a, axis=axis, keepdims=True)) / n


@adjoint(numpy.cumsum, numpy.ndarray.cumsum)
def cumsum(y, a, axis=None, dtype=None, out=None):
    d[a] = uncumsum(d[y], a, axis)


@adjoint(numpy.cumprod, numpy.ndarray.cumprod)
def cumprod(y, a, axis=None, dtype=None, out=None):  # divides by a: not for inputs with zeros
    d[a] = uncumsum(d[y] * y, a, axis) / a


@adjoint(numpy.trace, numpy.ndarray.trace)
def trace(y, a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    d[a] = undiagonal(numpy.expand_dims(d[y], -1), a, offset, axis1, axis2)


# --- products --------------------------------------------------------------------------


@adjoint(numpy.dot, numpy.ndarray.dot)
def dot(y, a, b):
    d[a] = dot_adjoint_a(d[y], a, b)
    d[b] = dot_adjoint_b(d[y], a, b)


@adjoint(numpy.matmul)
def matmul(y, x1, x2):
    d[x1] = matmul_adjoint_a(d[y], x1, x2)
    d[x2] = matmul_adjoint_b(d[y], x1, x2)


@adjoint(numpy.cross)
def cross(y, a, b):  # 3-vectors on the last axis: <g, a x b> = <a, b x g> = <b, g x a>
    d[a] = unbroadcast(numpy.cross(b, d[y]), a)
    d[b] = unbroadcast(numpy.cross(d[y], a), b)


@adjoint(numpy.outer)
def outer(y, a, b):
    d[a] = numpy.reshape(numpy.dot(d[y], numpy.ravel(b)), numpy.shape(a))
    d[b] = numpy.reshape(numpy.dot(numpy.ravel(a), d[y]), numpy.shape(b))


@adjoint(numpy.inner)
def inner(y, a, b):
    d[a] = tensordot_adjoint_a(d[y], a, b, (-1, -1))
    d[b] = tensordot_adjoint_b(d[y], a, b, (-1, -1))


@adjoint(numpy.vdot)
def vdot(y, a, b):  # real arrays
    d[a] = numpy.reshape(d[y] * numpy.ravel(b), numpy.shape(a))
    d[b] = numpy.reshape(d[y] * numpy.ravel(a), numpy.shape(b))


@adjoint(numpy.tensordot)
def tensordot(y, a, b, axes=2):
    d[a] = tensordot_adjoint_a(d[y], a, b, axes)
    d[b] = tensordot_adjoint_b(d[y], a, b, axes)


@adjoint(numpy.einsum)
def einsum(y, subscripts, *operands, optimize=False):  # (a contraction order: same values)
    d[operands] = einsum_adjoint(d[y], subscripts, operands, optimize=optimize)


# --- constructors from values, and samples (reparameterized) ----------------------------


@adjoint(numpy.full)
def full(y, shape, fill_value, dtype=None, order="C"):
    d[fill_value] = unbroadcast(d[y], fill_value)


@adjoint(numpy.full_like)
def full_like(y, a, fill_value, dtype=None, order="K", subok=True, shape=None):
    d[fill_value] = unbroadcast(d[y], fill_value)


@adjoint(numpy.linspace)
def linspace(y, start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    t = linspace_weights(y, start, stop, num, endpoint, axis)  # 0 at start, 1 at stop
    d[start] = unbroadcast(numpy.sum(d[y] * (1.0 - t), axis), start)  # axis: 0 if left out
    d[stop] = unbroadcast(numpy.sum(d[y] * t, axis), stop)


@adjoint(numpy.random.normal)
def normal(y, loc=0.0, scale=1.0, size=None):  # y = loc + scale * z, z drawn
    d[loc] = unbroadcast(d[y], loc)
    d[scale] = unbroadcast(d[y] * (y - loc) / scale, scale)


@adjoint(numpy.random.uniform)
def uniform(y, low=0.0, high=1.0, size=None):  # y = low + (high - low) * u, u drawn
    u = (y - low) / (high - low)
    d[low] = unbroadcast(d[y] * (1.0 - u), low)
    d[high] = unbroadcast(d[y] * u, high)


# --- no gradient -----------------------------------------------------------------------

nondifferentiable(
    # shapes, indices and predicates
    numpy.shape, numpy.ndim, numpy.size, numpy.ndarray.shape, numpy.ndarray.ndim,
    numpy.ndarray.size, numpy.ndarray.dtype,
    numpy.argmax, numpy.argmin, numpy.argsort, numpy.ndarray.argmax, numpy.ndarray.argmin,
    numpy.ndarray.argsort, numpy.nonzero, numpy.ndarray.nonzero, numpy.flatnonzero,
    numpy.argwhere, numpy.searchsorted, numpy.unique, numpy.digitize,
    numpy.count_nonzero, numpy.any, numpy.all, numpy.ndarray.any, numpy.ndarray.all,
    numpy.isnan, numpy.isinf, numpy.isfinite, numpy.isposinf, numpy.isneginf, numpy.isclose, numpy.allclose,
    numpy.array_equal, numpy.signbit,
    numpy.greater, numpy.less, numpy.equal, numpy.not_equal, numpy.greater_equal,
    numpy.less_equal, numpy.logical_and, numpy.logical_or, numpy.logical_not, numpy.logical_xor,
    # piecewise constant
    numpy.floor, numpy.ceil, numpy.round, numpy.around, numpy.rint, numpy.trunc, numpy.fix,
    numpy.sign, numpy.heaviside, numpy.floor_divide, numpy.ndarray.round,
    # constructors
    numpy.zeros_like, numpy.ones_like, numpy.empty_like, numpy.zeros,
    numpy.ones, numpy.empty, numpy.eye, numpy.identity, numpy.tri, numpy.arange,
    numpy.indices, numpy.triu_indices,
    numpy.tril_indices, numpy.diag_indices,
    numpy.random.rand, numpy.random.randn,
    numpy.random.randint, numpy.random.seed, numpy.random.default_rng,
)
