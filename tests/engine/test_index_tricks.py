"""``np.r_[...]`` joins values (``np.r_[x, 1.0]``, a bias entry): it is differentiated as
the ``np.concatenate`` of ``np.atleast_1d`` of each (what it computes). Read as an index
of a module attribute, it had no derivative at all: zero, silently (hunt 43). ``np.c_`` and
``np.r_``'s slices and directives are refused."""

import numpy as np
import pytest

import tangent_lsp
from tangent_lsp.engine import DiffError, derive
from tests.oracle import assert_gradients_match, assert_jvp_matches


def with_bias(x, w):
    return np.dot(w, np.r_[x, 1.0]) ** 2


def joined(x, y):
    z = np.r_[x, x ** 2, y]
    return np.sum(np.sin(z) * np.arange(z.shape[0]))


def stacked_rows(A, B):
    return np.sum(np.r_[A, 2.0 * B] ** 2)


X, Y = np.array([0.3, -1.2]), np.array([0.7, 0.1, -0.4])
W = np.array([0.5, -0.2, 0.9])
A, B = np.arange(6.0).reshape(2, 3) / 5.0, np.ones((1, 3)) * 0.3


@pytest.mark.parametrize("f, args, wrt", [
    (with_bias, (X, W), (0, 1)), (joined, (X, Y), (0, 1)), (stacked_rows, (A, B), (0, 1)),
], ids=["with_bias", "joined", "stacked_rows"])
def test_r_joins_and_is_differentiated_in_both_modes(f, args, wrt):
    assert_gradients_match(f, args, wrt=wrt, autograd=False)
    assert_jvp_matches(f, args, wrt=wrt, autograd=False)
    hessian = tangent_lsp.hessian(f, wrt=0)(*args)
    assert np.all(np.isfinite(hessian))


def test_the_derivative_reads_as_a_concatenation():
    source = "import numpy as np\n\n\ndef f(x, w):\n    return np.dot(w, np.r_[x, 1.0]) ** 2\n"
    code = derive(source, "f", wrt=("x",)).code
    assert "np.atleast_1d(x)" in code and "np.concatenate([atleast_1d_x, atleast_1d])" in code


@pytest.mark.parametrize("expression, construct", [
    ("np.c_[x, x]", "np.c_[...]"),
    ("np.r_[x, 0:3]", "np.r_[...] with a slice"),
    ("np.r_['0,2', x, x]", "np.r_[...] with a slice"),
    ("np.r_[x, *[x, x]]", "np.r_[...] with a slice, a directive, a *"),
])
def test_c_and_r_s_directives_are_refused(expression, construct):
    source = f"import numpy as np\n\n\ndef f(x):\n    return np.sum({expression})\n"
    with pytest.raises(DiffError) as info:
        derive(source, "f")
    assert info.value.message.startswith(construct) and info.value.line == 5
