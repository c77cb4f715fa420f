"""A loop's carried variable and the value copied into it share one tape slot
(shared_pushes.py): ``t = np.tanh(...); h = t`` pushed one object twice a step."""

import inspect

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import ORDERS, assert_gradients_match, assert_second_derivative_matches

rng = np.random.default_rng(21)


def rnn(h, W, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + xs[t])  # tanh's adjoint reads its result: t, copied into h
    return np.sum(h * h)


def nested(x, w):
    s = x * 1.0
    for _ in range(2):
        for i in range(3):
            s = np.tanh(s * w + i)  # inside another loop: before it, t is not a placeholder
        s = s * x
    return np.sum(s)


def carried_twice(x):
    h = x
    g = x * 2.0
    for _ in range(3):
        h = np.tanh(h + g)
        g = np.exp(-h) * g  # h read after the copy: still the step's value
    return np.sum(h * g)


PROGRAMS = [
    (rnn, (rng.normal(size=3) * 0.5, rng.normal(size=(3, 3)) * 0.5, rng.normal(size=(4, 3))),
     (0, 1, 2)),
    (nested, (rng.normal(size=3) * 0.5, rng.normal(size=3) * 0.5), (0, 1)),
    (carried_twice, (rng.normal(size=3) * 0.5,), (0,)),
]
IDS = [p[0].__name__ for p in PROGRAMS]


@pytest.mark.parametrize("function, args, wrt", PROGRAMS, ids=IDS)
def test_gradients(function, args, wrt):
    assert_gradients_match(function, args, wrt)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("function, args, wrt", PROGRAMS, ids=IDS)
def test_second_derivatives(order, function, args, wrt):
    assert_second_derivative_matches(order, function, args, wrt[0], wrt[-1])


def test_the_copied_value_is_pushed_once():
    code = tangent_lsp.derive("import numpy as np\n" + inspect.getsource(rnn), "rnn",
                              wrt=("W",)).code
    assert "tape.append(tanh_t2)" not in code and "tape.append(h)" in code
    assert "        tanh_t2 = h\n" in code  # set from h, which the pop before restored
    assert code.count("tape.append(") == code.count("tape.pop()") == 2


def test_a_nested_loop_keeps_both_pushes():
    source = inspect.getsource(nested)
    code = tangent_lsp.derive("import numpy as np\n" + source, "nested").code
    assert code.count("tape.append(") == code.count("tape.pop()")
    assert "tape.append(tanh_t)" in code
