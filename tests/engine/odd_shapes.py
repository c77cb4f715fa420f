"""Functions at odd shapes and arguments, differentiated in both modes by
``test_numpy_rules.py`` and ``test_numpy_tangents.py`` (a bug search's cases: each was
wrong or raised before): integer dtypes, linspace's sample axis in the middle with ends
of different ranks, triu of a vector, repeat of a number, diff past the end, take of []."""

import numpy as np

from tests.engine.arrays import A34, V3, V4


def o_sum_to_integers(x):  # an integer dtype: piecewise constant, no derivative
    return np.sum(x, dtype=int) * 1.0 + np.sum(x * x * np.arange(12.0).reshape(3, 4))


def o_mean_to_integers_by_position(x):
    return np.sum(np.mean(x, 0, int) * 1.0) + np.sum(np.cumsum(x, dtype=np.int64)) + np.sum(x ** 3)


def o_linspace_axis_between(x, y):  # the ends' ranks differ, the samples in the middle
    return np.sum(np.sin(np.linspace(x, y, 4, axis=1)) * np.arange(24.0).reshape(2, 4, 3))


def o_triu_of_a_vector(x):  # broadcast to the rows of a matrix first
    return np.sum(np.triu(x) * np.arange(16.0).reshape(4, 4)) + np.sum(np.tril(x, -1) ** 2)


def o_repeat_a_number(x):
    return np.sum(np.repeat(x[0, 0], 3, axis=0) * np.array([1.0, 2.0, 3.0]))


def o_diff_past_the_end(x):
    return np.sum(np.diff(x, 5)) + np.sum(x * x)


def o_take_nothing(x):
    return np.sum(np.take(x, [])) + np.sum(x * x)


# (function, arguments, wrt): none of them is in autograd's reach
CASES = [
    (o_sum_to_integers, (A34 * 3.0,), (0,)), (o_mean_to_integers_by_position, (A34 * 3.0,), (0,)),
    (o_linspace_axis_between, (V3, A34[:2, :3] * 1.0), (0, 1)), (o_triu_of_a_vector, (V4,), (0,)),
    (o_repeat_a_number, (A34,), (0,)), (o_diff_past_the_end, (A34,), (0,)),
    (o_take_nothing, (A34,), (0,)),
]
