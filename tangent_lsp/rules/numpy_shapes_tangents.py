"""Forward-mode rules for what NumPy moves, copies and picks without arithmetic, with
the keys and signatures of ``numpy_shapes.py``: the tangent moves as the value does
(a view where NumPy returns a view). Same template notation as ``numpy_tangents.py``
(parsed, never run).
"""

import numpy
from tangent_lsp.rules.notation import d, tangent_
from tangent_lsp.runtime import (
    copied,
    pad_values,
    reshape_tangents,
    tangents_like,
    transpose_by,
)


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


@tangent_(numpy.float64)
def float64(y, x=0.0):
    d[y] = numpy.float64(tangents_like(d[x], x))


@tangent_(numpy.float32)
def float32(y, x=0.0):
    d[y] = numpy.float32(tangents_like(d[x], x))


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


@tangent_(numpy.column_stack)
def column_stack(y, tup):
    d[y] = numpy.column_stack(tangents_like(d[tup], tup))


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


@tangent_(numpy.correlate)
def correlate(y, a, v, mode="valid"):
    d[y] = numpy.correlate(d[a], v, mode=mode) + numpy.correlate(a, d[v], mode=mode)


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


@tangent_(numpy.bincount)
def bincount(y, x, weights=None, minlength=0):
    d[y] = numpy.bincount(x, weights=d[weights], minlength=numpy.size(y))


@tangent_(numpy.take, numpy.ndarray.take)
def take(y, a, indices, axis=None, out=None, mode="raise"):
    d[y] = numpy.take(d[a], indices, axis=axis, mode=mode)


@tangent_(numpy.take_along_axis)
def take_along_axis(y, arr, indices, axis=-1):
    d[y] = numpy.take_along_axis(d[arr], indices, axis=axis)


@tangent_(numpy.diff)
def diff(y, a, n=1, axis=-1):
    d[y] = numpy.diff(d[a], n=n, axis=axis)
