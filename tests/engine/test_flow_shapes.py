"""Shapes followed through one loop iteration (``engine/loop_shapes.py``): what the
tape and the adjoint leave out, and that gradients stay right when a loop
variable's shape changes from one iteration to the next."""

import numpy as np
import pytest

from tangent_lsp.engine import derive
from tests.oracle import assert_gradients_match

HEADER = "import numpy as np\n\n"


def grows(x, w, n):
    y = x
    for _ in range(n):
        y = 0.5 * y + w * np.sin(y)
    return np.sum(y * y)


def grows_while(x, w):
    y = x
    k = 0
    while k < 3:
        t = np.cos(y)
        y = t * w + y
        k += 1
    return np.sum(y)


def temporary_shapes(h, w, n):
    for _ in range(n):
        t = np.tanh(h)
        u = t * t
        h = u + w * h
    return np.sum(h)


def test_while_loop_tape_keeps_only_what_the_adjoint_reads():
    source = HEADER + (
        "def f(x, w):\n    y = x\n    n = 0\n    while np.max(np.abs(y)) < 100.0 and n < 50:\n"
        "        y = 1.5 * y + w * np.sin(y)\n        n += 1\n    return np.sum(y * y)\n"
    )
    code = derive(source, "f", wrt=("x", "w")).code
    assert code.count("tape.append(") == 2, code  # y and sin(y), as one writes by hand
    assert "shape_of" not in code
    assert "unbroadcast(by, y)" in code, "1.5 * y has the shape y had: read it from y"


@pytest.mark.parametrize("n", [0, 1, 3])
@pytest.mark.parametrize("shapes", [((3,), (3,)), ((3,), (2, 3)), ((2, 3), (3,)), ((4, 1), (3,))])
def test_gradients_when_a_loop_variable_may_change_shape(n, shapes):
    rng = np.random.default_rng(n)
    x, w = (rng.uniform(-1, 1, s) for s in shapes)
    assert_gradients_match(grows, (x, w, n), wrt=(0, 1))
    assert_gradients_match(temporary_shapes, (x, w, n), wrt=(0, 1))


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((3,), (2, 3)), ((1, 3), (4, 1))])
def test_gradients_of_a_while_loop_whose_variable_grows(shapes):
    rng = np.random.default_rng(7)
    x, w = (rng.uniform(-1, 1, s) for s in shapes)
    assert_gradients_match(grows_while, (x, w), wrt=(0, 1))


def mean_of_broadcast(x, w):
    y = x
    y = y + w
    z = np.sin(y) * x
    return np.mean(z) + np.sum(np.cos(x) * w * y)


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((3, 1), (4,)), ((1, 4), (3, 1)), ((), (2,))])
def test_reductions_of_broadcasts(shapes):
    rng = np.random.default_rng(11)
    x, w = (rng.uniform(-1, 1, s) for s in shapes)
    assert_gradients_match(mean_of_broadcast, (x, w), wrt=(0, 1))


def test_a_growing_loop_variable_keeps_its_unbroadcast():
    import inspect

    code = derive(HEADER + inspect.getsource(grows), "grows", wrt=("x", "w")).code
    assert "unbroadcast(" in code.split("for _ in range(n)")[-1].split("reversed")[-1]


def log_softmax_loss(x, y):
    m = np.max(x, axis=1, keepdims=True)
    z = x - m
    lse = np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.sum(y * (z - lse))


def test_a_reduction_that_keeps_its_dims_broadcasts_into_its_input():
    import inspect

    code = derive(HEADER + inspect.getsource(log_softmax_loss), "log_softmax_loss").code
    assert "unbroadcast(bz, x)" not in code, "z = x - m has x's shape: m has x's rank"
    assert "unbroadcast(bt, m)" in code or "unbroadcast(bz, m)" in code, "m's own adjoint sums"
    rng = np.random.default_rng(4)
    for shape in [(3, 4), (1, 4), (3, 1)]:
        x, y = rng.standard_normal(shape), rng.uniform(0, 1, shape)
        assert_gradients_match(log_softmax_loss, (x, y), wrt=(0, 1))
