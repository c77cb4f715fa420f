"""Reverse-mode rules for what NumPy moves, copies and picks without arithmetic:
reshapes, transposes, stacking and splitting, indexing helpers (take, diagonal,
sort), padding, windows, tiles and repeats. Their adjoints put each element's
gradient back where the element came from (adding where it was read twice). Same
template notation as ``numpy_adjoints.py`` (parsed, never run).
"""

import numpy
from tangent_lsp.rules.notation import adjoint, d
from tangent_lsp.runtime import (
    reshape_each,
    split_like,
    unarray,
    unbroadcast,
    undiag,
    undiagonal,
    undiff,
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


@adjoint(numpy.float64, numpy.float32)  # a float scalar (an array for an array or a list)
def float_scalar(y, x=0.0):
    d[x] = unarray(d[y], x)


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


@adjoint(numpy.column_stack)
def column_stack(y, tup):  # joined along axis 1, a 1-D input as a column
    d[tup] = split_like(d[y], tup, 1, 2, True)


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


@adjoint(numpy.correlate)  # a convolution with one argument reversed: v, or (when a is the
def correlate(y, a, v, mode="valid"):  # shorter, where 'same' centres on v) a, and the result
    swap = numpy.size(a) < numpy.size(v)  # (mode by position: unconvolve's default is 'full')
    g = d[y][::-1] if swap else d[y]
    d[a] = unconvolve(g, a[::-1], v, mode)[::-1] if swap else unconvolve(g, a, v[::-1], mode)
    d[v] = unconvolve(g, v, a[::-1], mode) if swap else unconvolve(g, v[::-1], a, mode)[::-1]


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


@adjoint(numpy.bincount)  # weights summed by bin: each weight's gradient is its bin's
def bincount(y, x, weights=None, minlength=0):
    d[weights] = d[y][x]


@adjoint(numpy.take, numpy.ndarray.take)
def take(y, a, indices, axis=None, out=None, mode="raise"):
    d[a] = untake(d[y], a, indices, axis, mode)


@adjoint(numpy.take_along_axis)
def take_along_axis(y, arr, indices, axis=-1):
    d[arr] = untake_along_axis(d[y], arr, indices, axis)


@adjoint(numpy.diff)
def diff(y, a, n=1, axis=-1):
    d[a] = undiff(d[y], a, n, axis)
