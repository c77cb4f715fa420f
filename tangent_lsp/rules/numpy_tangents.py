"""Forward-mode rules for NumPy: functions, ndarray methods and attributes.

The same template notation as ``numpy_adjoints.py`` (parsed, never run), and one
rule for every function that has a reverse rule there, with the same keys and
the same signatures. In a forward template the first parameter is the call's
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
2-norm at 0 has tangent 0; ``cumprod`` divides by its input and ``sinc``'s rule
is undefined at 0; ``power``'s exponent term uses ``log|x1|`` with 0 where
``x1 == 0``; ``sort`` breaks ties stably.
"""

import numpy
from tangent_lsp.rules.notation import d, tangent_
from tangent_lsp.runtime import (
    unresidual_weights,
    interp_layout,
    broadcast_like,
    copied,
    einsum_tangent,
    extremum_mask,
    linspace_weights,
    pad_values,
    at_samples,
    norm_adjoint,
    prod_others,
    reshape_tangents,
    solve_tangent,
    svd_tangents,
    triangle_weights,
    tangents_like,
    transpose_by,
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
def sinc(y, x):  # undefined (nan) at x == 0, where the true derivative is 0
    d[y] = d[x] * (numpy.cos(numpy.pi * x) - y) / x


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
def power(y, x1, x2):  # the x2 term uses log|x1| with 0 where x1 == 0 (as autograd)
    d[y] = d[x1] * x2 * x1 ** (x2 - (x2 != 0)) + d[x2] * y * numpy.log(numpy.where(x1 == 0, 1.0, x1))


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


@tangent_(numpy.nansum)
def nansum(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[y] = numpy.sum(numpy.where(numpy.isnan(a), 0.0, d[a]), axis=axis, keepdims=keepdims)


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
    n = numpy.size(a) / numpy.size(y) - ddof
    centered = a - numpy.mean(a, axis, keepdims=True)
    d[y] = numpy.sum(centered * d[a], axis=axis, keepdims=keepdims) * (2.0 / n)


@tangent_(numpy.std, numpy.ndarray.std)
def std(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    n = numpy.size(a) / numpy.size(y) - ddof
    centered = a - numpy.mean(a, axis, keepdims=True)
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
def einsum(y, subscripts, *operands):  # one einsum per operand that has a tangent
    d[y] = einsum_tangent(y, subscripts, operands, d[operands])


# --- shapes and copies -----------------------------------------------------------------


@tangent_(numpy.transpose, numpy.permute_dims)
def transpose(y, a, axes=None):
    d[y] = numpy.transpose(d[a], axes)


@tangent_(numpy.ndarray.transpose)
def transpose_method(y, a, *axes):  # x.transpose(), x.transpose(1, 0), x.transpose((1, 0))
    d[y] = transpose_by(d[a], axes)  # a NumPy scalar's tangent may be a float


@tangent_(numpy.ndarray.T)
def T(y, a):
    d[y] = numpy.transpose(d[a])


@tangent_(numpy.matrix_transpose, numpy.ndarray.mT)
def matrix_transpose(y, x):
    d[y] = numpy.swapaxes(d[x], -1, -2)


@tangent_(numpy.swapaxes, numpy.ndarray.swapaxes)
def swapaxes(y, a, axis1, axis2):
    d[y] = numpy.swapaxes(d[a], axis1, axis2)


@tangent_(numpy.moveaxis)
def moveaxis(y, a, source, destination):
    d[y] = numpy.moveaxis(d[a], source, destination)


@tangent_(numpy.reshape)
def reshape(y, a, shape, order="C", copy=None):
    d[y] = numpy.reshape(d[a], shape, order=order)


@tangent_(numpy.ndarray.reshape)
def reshape_method(y, a, *shape, order="C"):  # x.reshape(2, 6) and x.reshape((2, 6))
    d[y] = numpy.reshape(d[a], numpy.shape(y), order=order)


@tangent_(numpy.ravel, numpy.ndarray.ravel)
def ravel(y, a, order="C"):
    d[y] = numpy.ravel(d[a], order=order)


@tangent_(numpy.ndarray.flatten)
def flatten(y, a, order="C"):  # a copy, as flatten's result is
    d[y] = numpy.ravel(d[a], order=order).copy()


@tangent_(numpy.squeeze, numpy.ndarray.squeeze)
def squeeze(y, a, axis=None):
    d[y] = numpy.squeeze(d[a], axis=axis)


@tangent_(numpy.expand_dims)
def expand_dims(y, a, axis):
    d[y] = numpy.expand_dims(d[a], axis)


@tangent_(numpy.atleast_1d)
def atleast_1d(y, *arys):
    d[y] = reshape_tangents(d[arys], arys, y)


@tangent_(numpy.atleast_2d)
def atleast_2d(y, *arys):
    d[y] = reshape_tangents(d[arys], arys, y)


@tangent_(numpy.atleast_3d)
def atleast_3d(y, *arys):
    d[y] = reshape_tangents(d[arys], arys, y)


@tangent_(numpy.broadcast_to)
def broadcast_to(y, array, shape, subok=False):  # a read-only view, like the value
    d[y] = numpy.broadcast_to(d[array], shape)


@tangent_(numpy.array)
def array(y, object, dtype=None, copy=True, order="K", subok=False, ndmin=0):
    d[y] = numpy.array(tangents_like(d[object], object), ndmin=ndmin)


@tangent_(numpy.asarray, numpy.asanyarray)
def asarray(y, a, dtype=None, order=None):
    d[y] = numpy.asarray(tangents_like(d[a], a))


@tangent_(numpy.copy)
def copy(y, a, order="K", subok=False):
    d[y] = numpy.copy(d[a])


@tangent_(numpy.ndarray.copy)  # also list.copy() and dict.copy(): the receiver is not known
def copy_method(y, a, order="C"):
    d[y] = copied(d[a])


@tangent_(numpy.ndarray.item)
def item(y, a):
    d[y] = numpy.sum(d[a])


@tangent_(numpy.ndarray.astype)
def astype(y, a, dtype, order="K", casting="unsafe", subok=True, copy=True):  # stays float
    d[y] = numpy.copy(d[a])


@tangent_(numpy.split, numpy.array_split)
def split(y, ary, indices_or_sections, axis=0):  # the pieces of the tangent
    d[y] = numpy.array_split(d[ary], indices_or_sections, axis)


@tangent_(numpy.concatenate, numpy.concat)
def concatenate(y, arrays, axis=0, out=None, dtype=None):
    d[y] = numpy.concatenate(tangents_like(d[arrays], arrays), axis=axis)


@tangent_(numpy.stack)
def stack(y, arrays, axis=0, out=None, dtype=None):
    d[y] = numpy.stack(tangents_like(d[arrays], arrays), axis=axis)


@tangent_(numpy.vstack)
def vstack(y, tup, dtype=None):
    d[y] = numpy.vstack(tangents_like(d[tup], tup))


@tangent_(numpy.hstack)
def hstack(y, tup, dtype=None):
    d[y] = numpy.hstack(tangents_like(d[tup], tup))


@tangent_(numpy.tile)
def tile(y, A, reps):
    d[y] = numpy.tile(d[A], reps)


@tangent_(numpy.repeat, numpy.ndarray.repeat)
def repeat(y, a, repeats, axis=None):
    d[y] = numpy.repeat(d[a], repeats, axis)


@tangent_(numpy.pad)  # pads the tangent with zeros, or with copies of its own elements
def pad(y, array, pad_width, mode="constant", constant_values=0, reflect_type="even"):
    d[y] = numpy.pad(d[array], pad_width, mode=mode) + pad_values(
        d[constant_values], array, pad_width
    )


@tangent_(numpy.convolve)
def convolve(y, a, v, mode="full"):
    d[y] = numpy.convolve(d[a], v, mode=mode) + numpy.convolve(a, d[v], mode=mode)


@tangent_(numpy.lib.stride_tricks.sliding_window_view)
def sliding_window_view(y, x, window_shape, axis=None, subok=False, writeable=False):
    d[y] = numpy.lib.stride_tricks.sliding_window_view(d[x], window_shape, axis=axis)


@tangent_(numpy.flip)
def flip(y, m, axis=None):
    d[y] = numpy.flip(d[m], axis)


@tangent_(numpy.fliplr)
def fliplr(y, m):
    d[y] = numpy.fliplr(d[m])


@tangent_(numpy.flipud)
def flipud(y, m):
    d[y] = numpy.flipud(d[m])


@tangent_(numpy.rot90)
def rot90(y, m, k=1, axes=(0, 1)):
    d[y] = numpy.rot90(d[m], k, axes)


@tangent_(numpy.roll)
def roll(y, a, shift, axis=None):
    d[y] = numpy.roll(d[a], shift, axis)


@tangent_(numpy.diag)
def diag(y, v, k=0):
    d[y] = numpy.diag(d[v], k)


@tangent_(numpy.diagonal, numpy.ndarray.diagonal)
def diagonal(y, a, offset=0, axis1=0, axis2=1):
    d[y] = numpy.diagonal(d[a], offset, axis1, axis2)


@tangent_(numpy.triu)
def triu(y, m, k=0):
    d[y] = numpy.triu(d[m], k)


@tangent_(numpy.tril)
def tril(y, m, k=0):
    d[y] = numpy.tril(d[m], k)


@tangent_(numpy.sort)
def sort(y, a, axis=-1, kind=None, order=None, stable=None):  # the tangents move with the values
    d[y] = numpy.take_along_axis(d[a], numpy.argsort(a, axis=axis, kind="stable"), axis=axis)


@tangent_(numpy.take, numpy.ndarray.take)
def take(y, a, indices, axis=None, out=None, mode="raise"):
    d[y] = numpy.take(d[a], indices, axis=axis, mode=mode)


@tangent_(numpy.take_along_axis)
def take_along_axis(y, arr, indices, axis=-1):
    d[y] = numpy.take_along_axis(d[arr], indices, axis=axis)


@tangent_(numpy.diff)
def diff(y, a, n=1, axis=-1):
    d[y] = numpy.diff(d[a], n=n, axis=axis)


# --- linear algebra --------------------------------------------------------------------


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
    d[y] = d[loc] + d[scale] * (y - loc) / scale


@tangent_(numpy.random.uniform)
def uniform(y, low=0.0, high=1.0, size=None):
    u = (y - low) / (high - low)
    d[y] = d[low] * (1.0 - u) + d[high] * u


@tangent_(numpy.linalg.det)
def det(y, a):  # d det(a) = det(a) tr(a^-1 da)
    d[y] = y * numpy.trace(numpy.linalg.solve(a, d[a]), axis1=-2, axis2=-1)


@tangent_(numpy.linalg.slogdet)
def slogdet(y, a):  # y = (sign, logabsdet); the sign's tangent is zero
    d[y] = (
        numpy.zeros(numpy.shape(y[0])),
        numpy.trace(numpy.linalg.solve(a, d[a]), axis1=-2, axis2=-1),
    )


@tangent_(numpy.linalg.inv)
def inv(y, a):
    d[y] = -(y @ d[a] @ y)


@tangent_(numpy.linalg.cholesky)
def cholesky(y, a):  # dL = L tril(L^-1 dA L^-T, diagonal halved); dA from a's lower triangle
    lower = numpy.tril(d[a])
    da = lower + numpy.swapaxes(lower, -1, -2) - lower * numpy.eye(numpy.shape(a)[-1])
    m = numpy.swapaxes(numpy.linalg.solve(y, numpy.swapaxes(numpy.linalg.solve(y, da), -1, -2)), -1, -2)
    d[y] = y @ (numpy.tril(m) * (1.0 - 0.5 * numpy.eye(numpy.shape(a)[-1])))


@tangent_(numpy.linalg.solve)
def solve(y, a, b):  # a dy = db - da y
    d[y] = solve_tangent(a, b, y, d[a], d[b])


@tangent_(numpy.linalg.eigh)
def eigh(y, a, UPLO="L"):  # p = v^T da v: dw = diag(p), dv = v (F * p) with F = 1/(w_j - w_i)
    w = y[0]
    v = y[1]
    eye = numpy.eye(numpy.shape(a)[-1])
    da = d[a] * triangle_weights(a, UPLO)  # the symmetric matrix eigh reads: da + da^T
    p = numpy.swapaxes(v, -1, -2) @ (da + numpy.swapaxes(da, -1, -2)) @ v
    gaps = (1.0 - eye) / (numpy.expand_dims(w, -2) - numpy.expand_dims(w, -1) + eye)
    d[y] = (numpy.diagonal(p, axis1=-2, axis2=-1), v @ (gaps * p))


@tangent_(numpy.linalg.eigvalsh)
def eigvalsh(y, a, UPLO="L"):
    v = numpy.linalg.eigh(a, UPLO)[1]
    da = d[a] * triangle_weights(a, UPLO)
    d[y] = numpy.sum(v * ((da + numpy.swapaxes(da, -1, -2)) @ v), axis=-2)


@tangent_(numpy.linalg.svd)
def svd(y, a, full_matrices=True, compute_uv=True, hermitian=False):  # p = u^T da v, thin
    result = numpy.linalg.svd(a, full_matrices=full_matrices * compute_uv)
    s = result[1]
    k = numpy.shape(s)[-1]
    u = result[0][..., :k]
    vh = result[2][..., :k, :]
    v = numpy.swapaxes(vh, -1, -2)
    dat = numpy.swapaxes(d[a], -1, -2)
    p = numpy.swapaxes(u, -1, -2) @ d[a] @ v
    pt = numpy.swapaxes(p, -1, -2)
    eye = numpy.eye(k)
    s2 = s * s
    gaps = (1.0 - eye) / (numpy.expand_dims(s2, -2) - numpy.expand_dims(s2, -1) + eye)  # 1/(s_j² - s_i²)
    row = numpy.expand_dims(s, -2)
    column = numpy.expand_dims(s, -1)
    du = u @ (gaps * (p * row + column * pt)) + (d[a] @ v - u @ p) / row
    dv = v @ (gaps * (column * p + pt * row)) + (dat @ u - v @ pt) / row
    scaled = u / row  # u s^-1
    dq = -(scaled @ (vh @ dat @ result[0][..., k:]))  # a full SVD's other columns of u
    dp = -((result[2][..., k:, :] @ dat @ scaled) @ vh)  # and rows of vh
    d[y] = svd_tangents(
        du, numpy.diagonal(p, axis1=-2, axis2=-1), numpy.swapaxes(dv, -1, -2), dq, dp,
        a, full_matrices, compute_uv,
    )


@tangent_(numpy.linalg.pinv)
def pinv(y, a, rcond=None, hermitian=False):  # constant rank; p = pinv(a) is y
    yt = numpy.swapaxes(y, -1, -2)
    dat = numpy.swapaxes(d[a], -1, -2)
    d[y] = (
        -(y @ d[a] @ y)
        + (y @ yt) @ (dat - (dat @ a) @ y)  # p p^T da^T (1 - a p)
        + (dat - y @ (a @ dat)) @ (yt @ y)  # (1 - p a) da^T p^T p
    )


@tangent_(numpy.linalg.qr)  # c = q^T da r^-1 = q^T dq + dr r^-1: antisymmetric plus upper triangular
def qr(y, a, mode="reduced"):
    q = y[0]
    r = y[1]
    dar = numpy.swapaxes(numpy.linalg.solve(numpy.swapaxes(r, -1, -2), numpy.swapaxes(d[a], -1, -2)), -1, -2)
    low = numpy.tril(numpy.swapaxes(q, -1, -2) @ dar, -1)
    upper = numpy.swapaxes(q, -1, -2) @ dar - low + numpy.swapaxes(low, -1, -2)  # dr r^-1
    d[y] = (dar - q @ upper, upper @ r)


@tangent_(numpy.linalg.lstsq)  # dx = p (db - da x) + p p^T da^T r + (1 - p a) da^T p^T x; the rank's is 0
def lstsq(y, a, b, rcond=None):
    usv = numpy.linalg.svd(a, full_matrices=False)
    p = numpy.transpose(usv[2]) @ (numpy.transpose(usv[0]) / numpy.expand_dims(usv[1], -1))
    x = numpy.reshape(y[0], (numpy.shape(a)[1], -1))
    r = numpy.reshape(b, (numpy.shape(a)[0], -1)) - a @ x
    moved = numpy.reshape(d[b], numpy.shape(r)) - d[a] @ x  # how r moves, a x held
    turned = numpy.transpose(d[a]) @ (numpy.transpose(p) @ x)
    d[y] = (
        numpy.reshape(p @ moved + p @ (numpy.transpose(p) @ (numpy.transpose(d[a]) @ r)) + turned - p @ (a @ turned),
                      numpy.shape(y[0])),
        unresidual_weights(2.0 * numpy.sum(r * moved, axis=0), y[1], b),
        numpy.zeros(numpy.shape(y[2])),
        numpy.sum(usv[0] * (d[a] @ numpy.transpose(usv[2])), axis=0),
    )


@tangent_(numpy.linalg.matrix_power)
def matrix_power(y, a, n):  # the top-right block of [[a, da], [0, a]]^n (any n, a batch too)
    k = numpy.shape(a)[-1]
    top = numpy.concatenate([a, d[a]], -1)
    bottom = numpy.concatenate([numpy.zeros_like(a), a], -1)
    d[y] = numpy.linalg.matrix_power(numpy.concatenate([top, bottom], -2), n)[..., :k, k:]


@tangent_(numpy.kron)
def kron(y, a, b):
    d[y] = numpy.kron(d[a], b) + numpy.kron(a, d[b])


@tangent_(numpy.linalg.norm)
def norm(y, x, ord=None, axis=None, keepdims=False):
    # the adjoint of a gradient of ones is the Jacobian: second derivatives reuse its rules
    jacobian = norm_adjoint(numpy.ones_like(y), x, y, ord, axis, keepdims)
    d[y] = numpy.sum(jacobian * d[x], axis=axis, keepdims=keepdims)
