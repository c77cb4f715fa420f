"""Lists and tuples joined with ``+`` (``hs + [h]``, ``t + (x,)``): each side's adjoints are
its part of the whole's, and the tangents are joined like the values. Checked against
central differences and autograd (gradients, tangents) and against differences of our
own gradient (Hessian-vector products)."""

import numpy as np
import pytest

import tangent_lsp
from tangent_lsp.higher import hvp

from ..oracle import assert_gradients_match, assert_jvp_matches


def appended_by_joining(w, X):
    hs = [w * 2.0, w * 3.0]
    h = hs + [w * X[1]]
    return np.sum(h[0] ** 2) + np.sum(h[2] * h[1])


def joined_to_a_list_passed_in(w, hs):
    h = hs + [np.sin(w)]
    return np.sum(h[0] * h[-1]) + np.sum(h[1] ** 2)


def constants_joined(w, X):
    h = [np.ones(3), np.zeros(3)] + [w * X[0]]
    return np.sum(h[0] * h[2]) + np.sum(h[2] ** 2)


def tuples_joined(w, X):
    p = (w, 2.0 * w) + (X[0] * w,)
    a, b, c = p
    return np.sum(a * b * c)


def three_joined(w, X):
    h = [w] + [w * X[1]] + [np.sin(w)]
    return np.sum(h[0] * h[1] * h[2])


def grown_in_a_loop(w, X):
    hs = []
    h = w
    for x in X:
        h = np.tanh(h * x)
        hs = hs + [h]
    return sum(np.sum(v ** 2) for v in hs)


def prepended_in_a_loop(w, X):
    hs = [w * X[0]]
    for _ in range(3):
        hs = [np.sin(hs[0]) * w] + hs
    return np.sum(hs[0] * hs[-1]) + np.sum(hs[1])


def tuple_grown_in_a_loop(w, X):
    t = ()
    for i in range(3):
        t = t + (w * X[i % 2] * (i + 1.0),)
    a, b, c = t
    return np.sum(a + b * c)


def joined_then_entry_replaced(w, X):  # the rewrite the aliasing check's hint asks for
    hs = [w * 2.0, w * 3.0]
    h = hs + [w * X[1]]
    h[2] = h[2] * X[0]
    return np.sum(hs[1] ** 2) + np.sum(h[2])


def shape_tuples_joined(w, X):  # `x.shape + (1,)`: a shape, joined with no derivative
    y = np.reshape(w * X[0], w.shape + (1,))
    z = np.zeros(X[1].shape + (2,)) + y
    return np.sum(z ** 2)


def dicts_joined(w, X):  # hunt 51: the side without a tangent became a number
    h = [{"a": w}] + [{"a": X[0]}]
    return np.sum(h[0]["a"] * h[1]["a"] * w)


PROGRAMS = [
    appended_by_joining, constants_joined, tuples_joined, three_joined, grown_in_a_loop,
    prepended_in_a_loop, tuple_grown_in_a_loop, joined_then_entry_replaced, shape_tuples_joined,
    dicts_joined,
]
RNG = np.random.default_rng(7)
W = RNG.standard_normal(3) * 0.5
X = RNG.standard_normal((2, 3))


@pytest.mark.parametrize("f", PROGRAMS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("optimized", [True, False], ids=["optimized", "plain"])
def test_gradient(f, optimized):
    assert_gradients_match(f, (W.copy(), X.copy()), optimized=optimized)


@pytest.mark.parametrize("f", PROGRAMS, ids=lambda f: f.__name__)
def test_tangent(f):
    assert_jvp_matches(f, (W.copy(), X.copy()))


@pytest.mark.parametrize("f", PROGRAMS, ids=lambda f: f.__name__)
def test_hessian_vector_product(f):
    v = RNG.standard_normal(3)
    gradient = tangent_lsp.grad(f)
    eps = 1e-5
    expected = (gradient(W + eps * v, X) - gradient(W - eps * v, X)) / (2 * eps)
    np.testing.assert_allclose(hvp(f)(W.copy(), X.copy(), v), expected, rtol=1e-4, atol=1e-7)


def test_list_passed_in_gets_a_list_of_gradients():
    hs = [RNG.standard_normal(3), RNG.standard_normal(3)]
    ours_w, ours_hs = tangent_lsp.grad(joined_to_a_list_passed_in, wrt=(0, 1))(W, hs)
    eps = 1e-6
    for k in range(2):
        for i in range(3):
            up = [h.copy() for h in hs]
            down = [h.copy() for h in hs]
            up[k][i] += eps
            down[k][i] -= eps
            difference = (joined_to_a_list_passed_in(W, up) - joined_to_a_list_passed_in(W, down))
            assert np.isclose(ours_hs[k][i], difference / (2 * eps), rtol=1e-5, atol=1e-7)
    assert len(ours_hs) == 2 and np.shape(ours_w) == W.shape


def test_generated_code_slices_the_joined_adjoint():
    code = tangent_lsp.derive(
        "import numpy as np\n\n"
        "def f(w, x):\n"
        "    h = [np.ones(3), np.zeros(3)] + [w * x]\n"
        "    return np.sum(h[2] ** 2)\n",
        "f", wrt="w",
    ).code
    assert "bwx, = bh[2:]" in code  # `len([a, b])` folded to 2
    assert "len(" not in code


@pytest.mark.parametrize("line", [
    "y = w[None, :] + [[1.0, 0.0, 2.0], [0.5, 1.0, 3.0]]",  # NumPy adds these elementwise
    "y = [[1.0, 2.0, 3.0]] + w * 1.0",
    "y = [1.0, 2.0, 3.0] + w",
    "c = [w, w]\n    y = w + c",  # hunt 53: a list in a name, broadcast by NumPy too
])
def test_an_array_plus_a_list_is_reported_not_joined(line):
    """Hunt 51: read as joining lists, an array plus a list literal got a wrong gradient."""
    source = f"import numpy as np\n\ndef f(w):\n    {line}\n    return np.sum(y ** 2)\n"
    for mode in ("reverse", "forward"):
        with pytest.raises(tangent_lsp.DiffError, match=r"'\+' with a list or tuple"):
            tangent_lsp.derive(source, "f", mode=mode)


def test_a_reversed_iterator_kept_in_a_name_is_reported():
    """Hunt 51: `it = reversed(xs)` read as the slice `xs[::-1]` was iterated twice."""
    source = (
        "import numpy as np\n\ndef f(w):\n    it = reversed([w, 2.0 * w])\n    s = 0.0\n"
        "    for v in it:\n        s = s + np.sum(v)\n    for v in it:\n"
        "        s = s + np.sum(v ** 2)\n    return s\n"
    )
    with pytest.raises(tangent_lsp.DiffError, match="'reversed'"):
        tangent_lsp.derive(source, "f")


def test_repeating_a_list_is_still_reported():
    def source(body):
        return f"import numpy as np\n\ndef f(x):\n    xs = [x]\n    ys = xs * 2\n{body}"

    with pytest.raises(tangent_lsp.DiffError, match=r"'\*' with a list or tuple"):
        tangent_lsp.derive(source("    return np.sum(ys[1])\n"), "f")
