"""A product the backward sweep reads only for its shape is not computed again
(shape_passes.product_shape): ``np.sum(np.outer(a, b))``'s gradient spreads the seed over
``outer_shape(a, b)``, not over a new ``np.outer(a, b)`` (which cost as much as the
function). The same for ``kron``, ``einsum`` (``...`` and broadcast axes too), and
``convolve``/``correlate`` in their three modes."""

import inspect

import numpy as np
import pytest

import tangent_lsp
from tangent_lsp.runtime import convolve_shape, einsum_shape, kron_shape, outer_shape
from tests.oracle import ORDERS, assert_gradients_match, assert_second_derivative_matches


def outer(a, b):
    return np.sum(np.outer(a, b) * 2.0)


def kron(a, b):
    return np.sum(np.kron(a, b) * 0.5)


def contraction(a, B):
    return np.sum(np.einsum("i,ij->j", a, B))


def batched(A, B):
    return np.sum(np.einsum("...ij,...jk->...ik", A, B, optimize=True))


def full(a, b):
    return np.sum(np.convolve(a, b))


def same(a, b):
    return np.sum(np.convolve(a, b, "same")) * 3.0


def valid(a, b):
    return np.sum(np.correlate(a, b))


rng = np.random.default_rng(12)
A5, B3 = rng.normal(size=5), rng.normal(size=3)
CASES = [
    (outer, (rng.normal(size=(2, 2)), B3)), (kron, (rng.normal(size=(2, 3)), B3)),
    (contraction, (B3, rng.normal(size=(3, 4)))),
    (batched, (rng.normal(size=(2, 1, 2, 3)), rng.normal(size=(4, 3, 2)))),
    (full, (A5, B3)), (same, (B3, A5)), (valid, (A5, B3)),
]
IDS = [f.__name__ for f, _ in CASES]


@pytest.mark.parametrize("f, args", CASES, ids=IDS)
def test_gradients(f, args):
    # autograd's outer (of a matrix), convolve and correlate fail: central differences
    assert_gradients_match(f, args, wrt=(0, 1), autograd=f in (kron, contraction, batched))


@pytest.mark.parametrize("order", ORDERS)
def test_second_derivative(order):
    assert_second_derivative_matches(order, outer, (A5, B3), 0, 1)


@pytest.mark.parametrize("f, args", CASES, ids=IDS)
def test_the_product_is_not_computed_for_its_shape(f, args):
    source = "import numpy as np\n\n\n" + inspect.getsource(f)
    code = tangent_lsp.derive(source, f.__name__, wrt=(0, 1)).code
    statements = [line for line in code.splitlines() if not line.lstrip().startswith("#")]
    called = inspect.getsource(f).split("np.sum(np.")[1].split("(")[0]
    assert not any(f"np.{called}(" in line for line in statements), code
    assert any("_shape(" in line for line in statements), code


@pytest.mark.parametrize("subscripts, shapes", [
    ("i,ij->j", [(3,), (3, 4)]), ("ij,jk", [(2, 3), (3, 5)]), ("ii->i", [(3, 3)]),
    ("...ij,...jk->...ik", [(5, 1, 2, 3), (4, 3, 2)]), ("i...->...i", [(2, 3, 4)]),
    ("ij->", [(2, 3)]), ("bij,bjk->bik", [(1, 2, 3), (6, 3, 4)]), ("ij,ji", [(2, 3), (3, 2)]),
])
def test_einsum_shape(subscripts, shapes):
    operands = [np.ones(s) for s in shapes]
    assert einsum_shape(subscripts, *operands).shape == np.einsum(subscripts, *operands).shape


def test_other_product_shapes():
    a, b = np.ones((2, 3)), np.ones(4)
    assert outer_shape(a, b).shape == np.outer(a, b).shape
    assert kron_shape(a, b).shape == np.kron(a, b).shape == kron_shape(b, a).shape[::-1][::-1]
    for mode in ("full", "same", "valid"):
        for n, m in ((5, 3), (3, 5)):
            assert convolve_shape(np.ones(n), np.ones(m), mode).shape == \
                np.convolve(np.ones(n), np.ones(m), mode).shape


def trace_of_gram(A):
    return np.trace(A.T @ A)


def test_a_trace_s_matrix_is_read_for_its_shape_only():
    """Hunt 45: ``np.trace(A.T @ A)``'s adjoint computed ``A.T @ A`` again for the shape of
    the diagonal's zeros (n³ work for n² entries): ``undiagonal`` reads its matrix's shape."""
    A = np.arange(12.0).reshape(4, 3) / 7.0
    code = tangent_lsp.derive(inspect.getsource(trace_of_gram).replace("def ", "import numpy as np\ndef ", 1),
                              "trace_of_gram").code
    assert "matmul_shape(A.T, A)" in code and "A.T @ A" not in code.split("# Grad of:")[1].split("\n", 1)[1]
    assert_gradients_match(trace_of_gram, (A,))
    for order in ORDERS:
        assert_second_derivative_matches(order, trace_of_gram, (A,), 0, 0)


def rolled(x):
    return np.sum(np.roll(x, 2) * np.arange(x.size))


def flipped(X, w):
    return np.sum(np.flipud(X) * w) + np.sum(np.flip(X, 1) ** 2)


@pytest.mark.parametrize("f, args, wrt, again", [
    (rolled, (np.linspace(-1.0, 1.0, 5),), (0,), "np.roll(x, 2))"),
    (flipped, (np.arange(6.0).reshape(2, 3) / 4.0, np.array([0.5, -1.0, 2.0])), (0, 1),
     "np.flipud(X))"),
], ids=["roll", "flip"])
def test_a_reordering_keeps_its_argument_s_shape(f, args, wrt, again):
    """Hunt 45: ``np.roll(x, 2)`` was computed again in the adjoint, for its shape only."""
    source = "import numpy as np\n\n\n" + inspect.getsource(f)
    code = tangent_lsp.derive(source, f.__name__, wrt=tuple(
        inspect.signature(f).parameters)[: len(wrt)]).code
    assert again not in code, code
    assert_gradients_match(f, args, wrt=wrt, autograd=f is rolled)  # (autograd: no flipud)
