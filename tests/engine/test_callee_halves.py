"""A caller's derivative runs each of the user's functions it calls once: the callee's
forward half keeps what its backward half reads (``motion.split_callee``), where the
joint derivative ran the callee's forward sweep again in the backward sweep.

The hazards are the callee's values seen after the caller changed them: an argument or
result written in place after the call, a call in a loop (its saved state on the tape),
a callee with a tape of its own, a backward half run twice (split motion, two seeds)."""

import inspect

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import (
    ORDERS, assert_gradients_match, assert_jvp_matches, assert_second_derivative_matches,
)

rng = np.random.default_rng(13)


def softmax(z):
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


def layer(W, b, x):
    return np.tanh(W @ x + b)


def weighted(x, w):
    return np.sum(np.sin(x) * w) + np.sum(x * x)


def running(x, n=3):
    acc = x * 1.0
    for i in range(n):
        acc = np.sin(acc) * x + acc / (i + 1)  # the callee's own tape
    return acc


def rebinds_parameter(x):
    for _ in range(2):
        x = np.sin(x) * 1.5
    return x


def pair(x, w):
    return np.sum(x * w), np.tanh(x) * w


def scaled(x, *, scale=2.0):
    return np.cos(x) * scale


def mlp(W1, b1, W2, b2, x, y):
    h = layer(W1, b1, x)
    p = softmax(W2 @ h + b2)
    return -np.sum(y * np.log(p))


def argument_written_after(x, w):
    y = x * 1.0
    s = weighted(y, w)
    y[0] = 5.0  # the backward half of `weighted` must see y as it was at the call
    return s + np.sum(y * w)


def result_written_after(z, w):
    p = softmax(z)
    p[1] = 0.0  # softmax's backward half reads its result: as it was at the call
    return np.sum(p * w)


def called_in_a_loop(W, b, h):
    for _ in range(3):
        h = layer(W, b, h)  # each step's saved state on the tape
    return np.sum(h * h)


def callee_with_a_tape(x, w):
    total = 0.0
    for k in range(2):
        total = total + np.sum(running(x * w, k + 1) * w)
    return total


def callee_rebinding_its_parameter(x):
    return np.sum(rebinds_parameter(x) * x)


def tuple_result(x, w):
    s, v = pair(x, w)
    return s * np.sum(v)


def keyword_only_callee(x):
    return np.sum(scaled(x, scale=3.0) * x) + np.sum(scaled(x))


def nll_of_softmax(z, y):
    p = softmax(z)
    return -np.sum(y * np.log(p))


def loss_of(z, y):
    return nll_of_softmax(z, y)  # its value is loss_of's, which no caller reads


def model_with_a_loss_helper(W, b, x, y):
    return loss_of(W @ x + b, y)  # the gradient reads none of the loss's value


def losses_summed_in_a_loop(W, b, x, y):
    total = 0.0
    for _ in range(2):
        x = layer(W, b, x)
        total = total + loss_of(x, y)  # each step's saved state on the tape, no value
    return total


def value_read_at_one_call(z, y):
    a = nll_of_softmax(z, y)
    return a * a + nll_of_softmax(z * 2.0, y)  # one forward half for both calls


def total_times(x, w):
    return np.sum(x * x) * w  # a reduction, then broadcast again: not shape ()


def broadcast_after_a_reduction(x, w):
    return np.sum(total_times(x, w) + x[:, None])  # (4,) + (4, 1): spread to (4, 4)


def sq(y):
    return np.sum(np.tanh(y) ** 2)


def dsq_dy_forward(y):  # the name of sq's generated forward half: the user's, kept
    return y * 3.0


def named_like_a_half(x, w):
    return sq(x * w) * np.sum(dsq_dy_forward(x))


def product_of_losses(x, w):
    return sq(x) * sq(w)  # differentiated again: the halves of the first derivative's
    # module and of the second's are different functions under different names


def row_softmax(z):
    e = np.exp(z)
    return e / np.sum(e, axis=-1, keepdims=True)  # saved: a tuple of two arrays


def attend(a, v):
    return row_softmax(a) @ v


def attention_loss(a, v):
    return np.sum(attend(a, v) ** 2)  # forward over reverse: the saved tuple's tangents


def doubled(x):
    return 2.0 * x  # x's shape: its caller needs no value of it for a shape


def weighted_doubles(x, w):
    return np.sum(doubled(x) * w)


def shifted(h, b):
    return np.tanh(h + b)  # the broadcast of h and b


def shifted_rows(H, b, c):
    return np.sum(shifted(H, b) * c) + np.sum(shifted(H, c[:, None]) ** 2)


def pushed(values, v):
    values.append(v * 2.0)  # writes into the caller's list: the backward half copies it
    return values


def appended_by_a_helper(x):
    out = []
    out = pushed(out, x)
    out = pushed(out, np.sin(x))
    return np.sum(out[0] * out[1])


def _cell(a, h):
    h2 = np.tanh(a * h)
    return h2, h2


def pair_returned_in_a_loop(a, h):  # one value twice in the pair: its adjoint is a sum
    total = 0.0
    for _ in range(3):
        h, s = _cell(a, h)
        total = total + s
    return np.sum(total)


def _clipped(x, c):  # an early return in a branch
    if np.sum(x) > c:
        return x * c
    return x


def clipped_by_a_helper(x):
    return np.sum(_clipped(x, 0.5) ** 2)


def _polynomial(x):
    s = 0.0
    for k in range(3):
        s = s + x ** k
    return s


def polynomial_by_a_helper(x):  # negative x: the counter k's zero tangent times log(x) was nan
    return np.sum(_polynomial(x) * x)


def _smoothed(u0, a):  # its own copy written in place, after views of it were read
    u = u0.copy()
    u[1:-1] = u[1:-1] + a * (u[2:] - 2 * u[1:-1] + u[:-2])
    return u


def smoothed_by_a_helper(u0, a):  # hunt 48: second derivatives refused the saved views
    return np.sum(_smoothed(u0, a) ** 2)


V = rng.normal(size=4)
W = rng.normal(size=4)
M = rng.normal(size=(4, 4)) / 2
B = rng.normal(size=4)

PROGRAMS = [
    (mlp, (M, B, M.T.copy(), B[::-1].copy(), V, np.abs(W) / np.sum(np.abs(W))), (0, 1, 2, 3)),
    (argument_written_after, (V, W), (0, 1)),
    (result_written_after, (V, W), (0, 1)),
    (called_in_a_loop, (M, B, V), (0, 1, 2)),
    (callee_with_a_tape, (V * 0.5, W * 0.5), (0, 1)),
    (callee_rebinding_its_parameter, (V,), (0,)),
    (tuple_result, (V, W), (0, 1)),
    (keyword_only_callee, (V,), (0,)),
    (model_with_a_loss_helper, (M, B, V, np.abs(W) + 0.1), (0, 1, 2)),
    (losses_summed_in_a_loop, (M, B, V, np.abs(W) + 0.1), (0, 1, 2)),
    (value_read_at_one_call, (V, np.abs(W) + 0.1), (0,)),
    (broadcast_after_a_reduction, (V, W), (0, 1)),
    (named_like_a_half, (V, W), (0, 1)),
    (product_of_losses, (V, W), (0, 1)),
    (attention_loss, (M[:3], M.T.copy()), (0, 1)),
    (weighted_doubles, (V, W), (0, 1)),
    (shifted_rows, (M, B, W), (0, 1, 2)),
    (pair_returned_in_a_loop, (V * 0.5, W), (0, 1)),
    (clipped_by_a_helper, (np.abs(V) + 0.5,), (0,)),
    (polynomial_by_a_helper, (-np.abs(V) - 0.1,), (0,)),
    (smoothed_by_a_helper, (V, 0.3), (0, 1)),
]
IDS = [p[0].__name__ for p in PROGRAMS]


@pytest.mark.parametrize("function, args, wrt", PROGRAMS, ids=IDS)
def test_gradients(function, args, wrt):
    in_place = function in (  # not autograd's
        argument_written_after, result_written_after, smoothed_by_a_helper,
    )
    assert_gradients_match(function, args, wrt, autograd=not in_place)


@pytest.mark.parametrize("function, args, wrt", PROGRAMS, ids=IDS)
def test_gradients_in_split_motion(function, args, wrt):
    assert_gradients_match(function, args, wrt, autograd=False, motion="split")


@pytest.mark.parametrize("function, args, wrt", PROGRAMS, ids=IDS)
def test_one_forward_half_serves_two_seeds(function, args, wrt):
    """The caller's backward half, run twice on one saved state, reads the callees'
    saved states twice (a callee's backward half restores on copies)."""
    split = inspect.unwrap(tangent_lsp.autodiff(function, wrt=wrt, motion="split"))
    forward = split.__globals__[split.__name__ + "_forward"]
    backward = split.__globals__[split.__name__ + "_backward"]
    saved = forward(*args)
    first, again, doubled = backward(saved, 1.0), backward(saved, 1.0), backward(saved, 2.0)
    expected = tangent_lsp.grad(function, wrt=wrt)(*args)
    for a, b, c, e in zip(*(g if len(wrt) > 1 else (g,) for g in (first, again, doubled, expected))):
        np.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(b, e, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(c, 2.0 * e, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("function, args, wrt", PROGRAMS, ids=IDS)
def test_second_derivatives(order, function, args, wrt):
    i, j = wrt[0], wrt[-1]
    assert_second_derivative_matches(order, function, args, i, j)
    if i != j:
        assert_second_derivative_matches(order, function, args, j, i)


def test_values_read_for_their_shapes_are_saved_as_shapes():
    """The backward half reads the stencil's slices only through `unbroadcast`: the
    forward half keeps their shapes, not views of an array it then writes into."""
    source = open(__file__).read()
    code = tangent_lsp.derive(source, "smoothed_by_a_helper", wrt="u0").code
    forward = code[code.index("def d_smoothed_du0_forward"):code.index("def d_smoothed_du0_backward")]
    returned = forward.strip().splitlines()[-1]
    assert "shape_of(" in returned and "u_i2)" in returned
    assert ", u_i2" not in returned


def test_each_callee_runs_once():
    """The MLP's derivative computes tanh and exp once each: in the callees' forward
    halves, whose backward halves read what they kept."""
    source = open(__file__).read()
    code = tangent_lsp.derive(source, "mlp", wrt=("W1", "b1", "W2", "b2")).code
    lines = [line for line in code.splitlines() if not line.lstrip().startswith("#")]
    assert sum("np.tanh(" in line for line in lines) == 1
    assert sum("np.exp(" in line for line in lines) == 1
    assert "h, saved_layer = dlayer_dW_db_forward(W1, b1, x)" in code  # x is constant
    assert "dlayer_dW_db_backward(h, " in code  # the result, as the caller holds it


def test_a_callee_whose_backward_half_needs_nothing_of_its_own_is_called_as_written():
    source = "import numpy as np\n\n\ndef g(W, x):\n    return np.tanh(W @ x)\n\n\n" \
             "def f(W, x):\n    return np.sum(g(W, x))\n"
    code = tangent_lsp.derive(source, "f").code
    assert "g_W = g(W, x)" in code or "= g(W, x)" in code
    assert "_forward" not in code
    assert "dg_dW_backward(" in code


def test_a_forward_half_whose_value_no_caller_reads_does_not_compute_it():
    """The loss at the end of a model: its forward half keeps what the backward half
    reads and returns only that; the halves it called for the value go the same way."""
    source = open(__file__).read()
    code = tangent_lsp.derive(source, "model_with_a_loss_helper", wrt=("W", "b")).code
    assert "saved_loss_of = dloss_of_dz_forward(t, y)" in code  # not `_, saved_loss_of`
    assert "_, " not in code
    # loss_of's value is nll_of_softmax's: unread too
    assert "saved_nll_of_softmax = dnll_of_softmax_dz_forward(z, y)" in code
    forward = code[code.index("def dnll_of_softmax_dz_forward"):].split("\ndef ")[0]
    assert "np.log(" not in forward and "np.sum(" not in forward  # the loss, unread
    assert forward.rstrip().endswith("return (p, saved_softmax)")  # what backward reads


def test_a_callee_that_returns_a_full_reduction_returns_shape_0():
    """So the seed passed to its backward half needs no ``unbroadcast`` to the value's
    shape, and the value is not kept just for its shape."""
    source = open(__file__).read()
    code = tangent_lsp.derive(source, "value_read_at_one_call", wrt="z").code
    assert "bnll_of_softmax=bvalue_read_at_one_call)" in code
    assert "unbroadcast(bvalue_read_at_one_call" not in code
    code = tangent_lsp.derive(source, "broadcast_after_a_reduction", wrt="x").code
    assert "unbroadcast(" in code.split("def dtotal_times")[0]  # its result is not 0-d


def test_an_elementwise_callee_has_its_arguments_shape():
    """``doubled(x)`` has x's shape: the caller spreads the seed to x, without calling
    doubled just for the shape of its value."""
    source = open(__file__).read()
    code = tangent_lsp.derive(source, "weighted_doubles", wrt="x").code
    caller = code.split("\ndef ")[0]
    assert "doubled(x)" not in "\n".join(
        line for line in caller.splitlines() if not line.lstrip().startswith("#")
    )
    assert "bdoubled=unbroadcast(bweighted_doubles * w, x)" in caller


def test_a_forward_half_whose_value_one_call_reads_returns_it():
    source = open(__file__).read()
    code = tangent_lsp.derive(source, "value_read_at_one_call", wrt="z").code
    forward = code[code.index("def dnll_of_softmax_dz_forward"):].split("\ndef ")[0]
    assert "np.log(" in forward
    assert "_, saved_nll_of_softmax" in code and "a, saved_nll_of_softmax" in code


def underscore_read(x, w):
    _ = loss_of(x * w, w)  # the user's own variable named `_`
    return np.sum(_ * x)


def underscore_in_a_loop(x, w):
    s = 0.0
    for _ in range(2):
        _ = loss_of(x * w, w)
        s = s + _ * np.sum(x)
    return s


@pytest.mark.parametrize("function", [underscore_read, underscore_in_a_loop])
def test_a_variable_named_underscore_is_not_a_discarded_value(function):
    assert_gradients_match(function, (V, np.abs(W) + 0.1), (0, 1))


def test_a_callee_that_appends_to_a_list_passed_in():
    """Its backward half restores on a copy of the list (``copied`` imported)."""
    assert_gradients_match(appended_by_a_helper, (V,), (0,), autograd=False)


def test_forward_mode_runs_a_callee_once():
    """Its tangent function returns its value too (``dh, h = tlayer_dW(...)``): run once,
    what it does to a list passed in happens once (it ran again: a wrong tangent)."""
    assert_jvp_matches(appended_by_a_helper, (V,), (0,), autograd=False)
    assert_jvp_matches(mlp, PROGRAMS[0][1], (0, 1, 2, 3))
    source = open(__file__).read()
    code = tangent_lsp.derive(source, "mlp", wrt=("W1", "b1"), mode="forward").code
    caller = [line for line in code.split("\ndef ")[0].splitlines() if "#" not in line]
    assert "    dh, h = tlayer_dW_db(W1, b1, x, dW=dW1, db=db1)" in caller
    assert not any("layer(" in line.replace("tlayer_dW_db(", "") for line in caller)


@pytest.mark.parametrize("order", [o for o in ORDERS if o.endswith("over forward")])
def test_a_callee_that_appends_to_a_list_passed_in_to_second_order(order):
    """Over forward mode. The reverse-mode derivative reads the list after the second
    call appended to it (to pass it to the first call's backward half): differentiated
    again, that is reported as a read of a value changed in place (a known limit)."""
    assert_second_derivative_matches(order, appended_by_a_helper, (V,), 0, 0)


def with_key(d, v):
    d["k"] = np.exp(v)  # a dict passed in, only written by string key here
    return d


def key_added_by_a_helper(x):
    d = {"a": x}
    d = with_key(d, x)
    return np.sum(d["k"] * d["a"])


def test_a_callee_that_adds_a_key_to_a_dict_passed_in():
    """``d["k"] = ...`` makes d a dict in the callee too: its adjoint is read by key
    (it was read as an array's: ValueError)."""
    assert_gradients_match(key_added_by_a_helper, (V,), (0,), autograd=False)
    assert_jvp_matches(key_added_by_a_helper, (V,), (0,), autograd=False)
