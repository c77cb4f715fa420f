"""Reverse-mode rules for NumPy: functions, ndarray methods and attributes.

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
    kron_layout,
    matmul_adjoint_a,
    matmul_adjoint_b,
    norm_adjoint,
    prod_others,
    reduced_count,
    residual_weights,
    reshape_each,
    solve_adjoint,
    split_like,
    svd_adjoints,
    tensordot_adjoint_a,
    tensordot_adjoint_b,
    triangle_weights,
    unarray,
    unbroadcast,
    uncumsum,
    undiag,
    undiagonal,
    undiff,
    unreduce,
    unrepeat,
    unsort,
    unstack,
    unpad,
    unpad_values,
    unconvolve,
    untake,
    untake_along_axis,
    untile,
    untranspose,
    unwindow,
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
def sinc(y, x):  # undefined (nan) at x == 0, where the true derivative is 0
    d[x] = d[y] * (numpy.cos(numpy.pi * x) - y) / x


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
def power(y, x1, x2):  # x2 == 0 has slope 0 at x1 == 0 too; d/dx2 uses log|x1| with 0 there (as autograd)
    d[x1] = unbroadcast(d[y] * x2 * x1 ** (x2 - (x2 != 0)), x1)
    d[x2] = unbroadcast(d[y] * y * numpy.log(numpy.where(x1 == 0, 1.0, x1)), x2)


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


@adjoint(numpy.nansum)
def nansum(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = unreduce(d[y], a, axis=axis, keepdims=keepdims) * numpy.logical_not(numpy.isnan(a))


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
    n = numpy.size(a) / numpy.size(y) - ddof
    d[a] = unreduce(d[y], a, axis=axis, keepdims=keepdims) * 2.0 * (a - numpy.mean(a, axis, keepdims=True)) / n


@adjoint(numpy.std, numpy.ndarray.std)
def std(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):  # 0 where y == 0 (as norm)
    n = numpy.size(a) / numpy.size(y) - ddof
    scale = d[y] / numpy.where(y == 0, numpy.inf, y)
    d[a] = unreduce(scale, a, axis, keepdims) * (a - numpy.mean(a, axis, keepdims=True)) / n


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
def einsum(y, subscripts, *operands):
    d[operands] = einsum_adjoint(d[y], subscripts, operands)


# --- shapes and copies -----------------------------------------------------------------


@adjoint(numpy.transpose, numpy.permute_dims)
def transpose(y, a, axes=None):
    d[a] = untranspose(d[y], axes)


@adjoint(numpy.ndarray.transpose)
def transpose_method(y, a, *axes):
    d[a] = untranspose(d[y], axes)


@adjoint(numpy.ndarray.T)
def T(y, a):
    d[a] = numpy.transpose(d[y])


@adjoint(numpy.matrix_transpose, numpy.ndarray.mT)
def matrix_transpose(y, x):
    d[x] = numpy.swapaxes(d[y], -1, -2)


@adjoint(numpy.swapaxes, numpy.ndarray.swapaxes)
def swapaxes(y, a, axis1, axis2):
    d[a] = numpy.swapaxes(d[y], axis1, axis2)


@adjoint(numpy.moveaxis)
def moveaxis(y, a, source, destination):
    d[a] = numpy.moveaxis(d[y], destination, source)


@adjoint(numpy.reshape)
def reshape(y, a, shape, order="C", copy=None):
    d[a] = numpy.reshape(d[y], numpy.shape(a), order=order)


@adjoint(numpy.ndarray.reshape)
def reshape_method(y, a, *shape, order="C"):  # x.reshape(2, 6) and x.reshape((2, 6))
    d[a] = numpy.reshape(d[y], numpy.shape(a), order=order)


@adjoint(numpy.ravel, numpy.ndarray.ravel, numpy.ndarray.flatten)
def ravel(y, a, order="C"):
    d[a] = numpy.reshape(d[y], numpy.shape(a), order=order)


@adjoint(numpy.squeeze, numpy.ndarray.squeeze)
def squeeze(y, a, axis=None):
    d[a] = numpy.reshape(d[y], numpy.shape(a))


@adjoint(numpy.expand_dims)
def expand_dims(y, a, axis):
    d[a] = numpy.reshape(d[y], numpy.shape(a))


@adjoint(numpy.atleast_1d, numpy.atleast_2d, numpy.atleast_3d)
def atleast_1d(y, *arys):
    d[arys] = reshape_each(d[y], arys)


@adjoint(numpy.broadcast_to)
def broadcast_to(y, array, shape, subok=False):
    d[array] = unbroadcast(d[y], array)


@adjoint(numpy.array)
def array(y, object, dtype=None, copy=True, order="K", subok=False, ndmin=0):
    d[object] = unarray(d[y], object)


@adjoint(numpy.asarray, numpy.asanyarray)
def asarray(y, a, dtype=None, order=None):
    d[a] = unarray(d[y], a)


@adjoint(numpy.copy)
def copy(y, a, order="K", subok=False):
    d[a] = d[y]


@adjoint(numpy.ndarray.copy)
def copy_method(y, a, order="C"):
    d[a] = d[y]


@adjoint(numpy.ndarray.astype)
def astype(y, a, dtype, order="K", casting="unsafe", subok=True, copy=True):
    d[a] = d[y]


@adjoint(numpy.ndarray.item)  # the one element of a size-1 array, as a number
def item(y, a):
    d[a] = unbroadcast(d[y], a)


@adjoint(numpy.concatenate, numpy.concat)
def concatenate(y, arrays, axis=0, out=None, dtype=None):
    d[arrays] = split_like(d[y], arrays, axis)


@adjoint(numpy.split, numpy.array_split)
def split(y, ary, indices_or_sections, axis=0):  # y is a list of pieces: join their adjoints
    d[ary] = numpy.concatenate(d[y], axis)


@adjoint(numpy.stack)
def stack(y, arrays, axis=0, out=None, dtype=None):
    d[arrays] = unstack(d[y], arrays, axis)


@adjoint(numpy.vstack)
def vstack(y, tup, dtype=None):
    d[tup] = split_like(d[y], tup, 0, 2)


@adjoint(numpy.hstack)
def hstack(y, tup, dtype=None):  # joined along axis 1, or along axis 0 when the result is 1-D
    d[tup] = split_like(d[y], tup, numpy.ndim(y) > 1)


@adjoint(numpy.tile)
def tile(y, A, reps):
    d[A] = untile(d[y], A, reps)


@adjoint(numpy.repeat, numpy.ndarray.repeat)
def repeat(y, a, repeats, axis=None):
    d[a] = unrepeat(d[y], a, repeats, axis)


@adjoint(numpy.pad)  # the modes that copy elements (analysis.py reports the others)
def pad(y, array, pad_width, mode="constant", constant_values=0, reflect_type="even"):
    d[array] = unpad(d[y], array, pad_width, mode=mode)
    d[constant_values] = unpad_values(d[y], array, pad_width, constant_values)


@adjoint(numpy.convolve)  # each is correlated with the gradient (convolution is symmetric)
def convolve(y, a, v, mode="full"):
    d[a] = unconvolve(d[y], a, v, mode=mode)
    d[v] = unconvolve(d[y], v, a, mode=mode)


@adjoint(numpy.lib.stride_tricks.sliding_window_view)  # windows overlap: their gradients add
def sliding_window_view(y, x, window_shape, axis=None, subok=False, writeable=False):
    d[x] = unwindow(d[y], x, window_shape, axis=axis)


@adjoint(numpy.flip)
def flip(y, m, axis=None):
    d[m] = numpy.flip(d[y], axis)


@adjoint(numpy.fliplr)
def fliplr(y, m):
    d[m] = numpy.fliplr(d[y])


@adjoint(numpy.flipud)
def flipud(y, m):
    d[m] = numpy.flipud(d[y])


@adjoint(numpy.rot90)
def rot90(y, m, k=1, axes=(0, 1)):
    d[m] = numpy.rot90(d[y], -k, axes)


@adjoint(numpy.roll)
def roll(y, a, shift, axis=None):
    d[a] = numpy.roll(d[y], numpy.negative(shift), axis)


@adjoint(numpy.diag)
def diag(y, v, k=0):
    d[v] = undiag(d[y], v, k)


@adjoint(numpy.diagonal, numpy.ndarray.diagonal)
def diagonal(y, a, offset=0, axis1=0, axis2=1):
    d[a] = undiagonal(d[y], a, offset, axis1, axis2)


@adjoint(numpy.triu)
def triu(y, m, k=0):  # a vector is broadcast to a matrix's rows first
    d[m] = unbroadcast(numpy.triu(d[y], k), m)


@adjoint(numpy.tril)
def tril(y, m, k=0):
    d[m] = unbroadcast(numpy.tril(d[y], k), m)


@adjoint(numpy.sort)
def sort(y, a, axis=-1, kind=None, order=None, stable=None):
    d[a] = unsort(d[y], a, axis)


@adjoint(numpy.take, numpy.ndarray.take)
def take(y, a, indices, axis=None, out=None, mode="raise"):
    d[a] = untake(d[y], a, indices, axis, mode)


@adjoint(numpy.take_along_axis)
def take_along_axis(y, arr, indices, axis=-1):
    d[arr] = untake_along_axis(d[y], arr, indices, axis)


@adjoint(numpy.diff)
def diff(y, a, n=1, axis=-1):
    d[a] = undiff(d[y], a, n, axis)


# --- linear algebra --------------------------------------------------------------------


@adjoint(numpy.linalg.det)
def det(y, a):
    d[a] = numpy.expand_dims(d[y] * y, (-2, -1)) * numpy.swapaxes(numpy.linalg.inv(a), -1, -2)


@adjoint(numpy.linalg.slogdet)
def slogdet(y, a):  # y = (sign, logabsdet); only logabsdet carries a gradient
    d[a] = numpy.expand_dims(d[y][1], (-2, -1)) * numpy.swapaxes(numpy.linalg.inv(a), -1, -2)


@adjoint(numpy.linalg.inv)
def inv(y, a):
    yt = numpy.swapaxes(y, -1, -2)
    d[a] = -(yt @ d[y] @ yt)


@adjoint(numpy.linalg.cholesky)
def cholesky(y, a):  # NumPy reads a's lower triangle: those entries get the gradient
    yt = numpy.swapaxes(y, -1, -2)
    half = 1.0 - 0.5 * numpy.eye(numpy.shape(a)[-1])  # halves a diagonal
    p = numpy.tril(yt @ d[y]) * half  # s = L^-T p L^-1, symmetrized, read from below
    s = numpy.linalg.solve(yt, numpy.swapaxes(numpy.linalg.solve(yt, numpy.swapaxes(p, -1, -2)), -1, -2))
    d[a] = numpy.tril(s + numpy.swapaxes(s, -1, -2)) * half


@adjoint(numpy.linalg.solve)
def solve(y, a, b):
    grads = solve_adjoint(d[y], a, b, y)
    d[a] = grads[0]
    d[b] = grads[1]


@adjoint(numpy.linalg.eigh)
def eigh(y, a, UPLO="L"):  # a = v diag(w) v^T: d[a] = v (diag(d[w]) + F * v^T d[v]) v^T, read from one triangle
    w = y[0]
    v = y[1]
    gw = numpy.broadcast_to(d[y][0], numpy.shape(w))  # a part may come as the number 0.0
    gv = numpy.broadcast_to(d[y][1], numpy.shape(v))
    vt = numpy.swapaxes(v, -1, -2)
    eye = numpy.eye(numpy.shape(a)[-1])
    gaps = (1.0 - eye) / (numpy.expand_dims(w, -2) - numpy.expand_dims(w, -1) + eye)  # F: 1/(w_j - w_i)
    s = v @ (numpy.expand_dims(gw, -2) * eye + gaps * (vt @ gv)) @ vt
    d[a] = (s + numpy.swapaxes(s, -1, -2)) * triangle_weights(a, UPLO)


@adjoint(numpy.linalg.eigvalsh)
def eigvalsh(y, a, UPLO="L"):
    v = numpy.linalg.eigh(a, UPLO)[1]
    s = (v * numpy.expand_dims(d[y], -2)) @ numpy.swapaxes(v, -1, -2)
    d[a] = (s + numpy.swapaxes(s, -1, -2)) * triangle_weights(a, UPLO)


@adjoint(numpy.linalg.svd)
def svd(y, a, full_matrices=True, compute_uv=True, hermitian=False):  # a = u diag(s) v^T, thin
    g = svd_adjoints(d[y], a, full_matrices, compute_uv)  # u's, s's, vh's; q's and p's below
    result = numpy.linalg.svd(a, full_matrices=full_matrices * compute_uv)
    s = result[1]
    k = numpy.shape(s)[-1]
    u = result[0][..., :k]
    vh = result[2][..., :k, :]
    q = result[0][..., k:]  # a full SVD's other columns of u, and rows of vh: any basis
    p = result[2][..., k:, :]  # of the complements, turning as u's and v's columns turn
    ut = numpy.swapaxes(u, -1, -2)
    v = numpy.swapaxes(vh, -1, -2)
    eye = numpy.eye(k)
    s2 = s * s
    gaps = (1.0 - eye) / (numpy.expand_dims(s2, -2) - numpy.expand_dims(s2, -1) + eye)  # 1/(s_j² - s_i²)
    utgu = ut @ g[0]
    vtgv = vh @ numpy.swapaxes(g[2], -1, -2)
    core = (
        gaps * (utgu - numpy.swapaxes(utgu, -1, -2)) * numpy.expand_dims(s, -2)
        + numpy.expand_dims(g[1], -2) * eye
        + numpy.expand_dims(s, -1) * (gaps * (vtgv - numpy.swapaxes(vtgv, -1, -2)))
    )
    scaled = u / numpy.expand_dims(s, -2)  # u s^-1
    d[a] = (
        u @ core @ vh
        + ((g[0] - u @ utgu) / numpy.expand_dims(s, -2)) @ vh  # (1 - u u^T) u' s^-1 v^T
        + scaled @ (g[2] - (g[2] @ v) @ vh)  # u s^-1 vh' (1 - v v^T)
        - (q @ numpy.swapaxes(g[3], -1, -2)) @ scaled @ vh  # q's: dq = -u s^-1 v^T da^T q
        - scaled @ (vh @ numpy.swapaxes(g[4], -1, -2)) @ p  # p's: dp = -p da^T u s^-1 v^T
    )


@adjoint(numpy.linalg.pinv)
def pinv(y, a, rcond=None, hermitian=False):  # constant rank; p = pinv(a) is y
    yt = numpy.swapaxes(y, -1, -2)
    gt = numpy.swapaxes(d[y], -1, -2)
    d[a] = (
        -(yt @ d[y] @ yt)
        + (gt - a @ (y @ gt)) @ (y @ yt)  # (1 - a p) g^T p p^T
        + (yt @ y) @ (gt - (gt @ y) @ a)  # p^T p g^T (1 - p a)
    )


@adjoint(numpy.linalg.qr)  # reduced, a tall or square: (gq + q copyltu(m)) r^-T, m = r gr^T - gq^T q
def qr(y, a, mode="reduced"):  # copyltu(m): m's lower triangle mirrored above its diagonal
    q = y[0]
    r = y[1]
    gq = numpy.broadcast_to(d[y][0], numpy.shape(q))  # a part may come as the number 0.0
    gr = numpy.broadcast_to(d[y][1], numpy.shape(r))
    m = r @ numpy.swapaxes(gr, -1, -2) - numpy.swapaxes(gq, -1, -2) @ q
    low = numpy.tril(m, -1)
    b = gq + q @ (low + numpy.swapaxes(low, -1, -2) + m * numpy.eye(numpy.shape(r)[-1]))
    d[a] = numpy.swapaxes(numpy.linalg.solve(r, numpy.swapaxes(b, -1, -2)), -1, -2)


@adjoint(numpy.linalg.lstsq)  # x = p b, p = pinv(a) = v s^-1 u^T of full rank (as pinv's rule); |b - a x|^2; s
def lstsq(y, a, b, rcond=None):  # b and x as columns; r = b - a x, which a^T annuls where there are residuals
    usv = numpy.linalg.svd(a, full_matrices=False)
    p = numpy.transpose(usv[2]) @ (numpy.transpose(usv[0]) / numpy.expand_dims(usv[1], -1))
    x = numpy.reshape(y[0], (numpy.shape(a)[1], -1))
    r = numpy.reshape(b, (numpy.shape(a)[0], -1)) - a @ x
    gx = numpy.reshape(numpy.broadcast_to(d[y][0], numpy.shape(y[0])), numpy.shape(x))
    gr = 2.0 * r * residual_weights(d[y][1], y[1], b)  # the residuals' gradient, 0 where there are none
    pgx = numpy.transpose(p) @ gx
    d[b] = numpy.reshape(pgx + gr, numpy.shape(b))
    d[a] = (
        r @ numpy.transpose(p @ pgx) - (pgx + gr) @ numpy.transpose(x)
        + (numpy.transpose(p) @ x) @ numpy.transpose(gx - p @ (a @ gx))  # (1 - p a) for a wide a
        + (usv[0] * numpy.broadcast_to(d[y][3], numpy.shape(usv[1]))) @ usv[2]  # the singular values, as svd's
    )


@adjoint(numpy.linalg.matrix_power)
def matrix_power(y, a, n):  # the top-right block of [[a^T, g], [0, a^T]]^n (any n, a batch too)
    at = numpy.swapaxes(a, -1, -2)
    k = numpy.shape(a)[-1]
    top = numpy.concatenate([at, d[y]], -1)
    bottom = numpy.concatenate([numpy.zeros_like(at), at], -1)
    d[a] = numpy.linalg.matrix_power(numpy.concatenate([top, bottom], -2), n)[..., :k, k:]


@adjoint(numpy.kron)
def kron(y, a, b):  # y's axes come in pairs (a0, b0, a1, b1, ...): each factor sums the other out
    layout = kron_layout(a, b)
    g = numpy.reshape(d[y], layout[0])
    d[a] = numpy.reshape(numpy.sum(g * numpy.reshape(b, layout[2]), axis=layout[3]), numpy.shape(a))
    d[b] = numpy.reshape(numpy.sum(g * numpy.reshape(a, layout[1]), axis=layout[4]), numpy.shape(b))


@adjoint(numpy.linalg.norm)
def norm(y, x, ord=None, axis=None, keepdims=False):
    d[x] = norm_adjoint(d[y], x, y, ord, axis, keepdims)


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
    numpy.argwhere, numpy.searchsorted, numpy.unique, numpy.digitize, numpy.bincount,
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
