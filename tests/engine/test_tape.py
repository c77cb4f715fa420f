"""What the forward sweep keeps for the backward sweep: only what the adjoint reads.

The generated code's tape is a plain list named ``tape``; these tests swap it for a
list that records every push, run the derivative, and count distinct array bytes.
"""

import inspect

import numpy as np

import tangent_lsp
from tests.oracle import assert_gradients_match

rng = np.random.default_rng(5)
STEPS = 50


class RecordingTape(list):
    def __init__(self):
        super().__init__()
        self.pushed = []

    def append(self, value):
        self.pushed.append(value)
        super().append(value)


def run_with_recording_tape(f, args, wrt):
    derivative = tangent_lsp.grad(f, wrt=wrt).derivative
    assert "tape = []" in derivative.code
    code = derivative.code.replace("tape = []", "tape = RecordingTape()")
    recorder: dict = {}
    namespace = {**f.__globals__, "RecordingTape": lambda: recorder.setdefault("tape", RecordingTape())}
    exec(compile("\n".join([*derivative.imports, code]), "<recorded>", "exec"), namespace)
    grads = namespace[derivative.name](*args)
    return grads, recorder["tape"], derivative.code


def distinct_array_bytes(values, inputs=()):
    """Bytes of the distinct buffers behind the pushed arrays: views count once, and
    views into the function's own inputs (``xs[t]``) cost nothing extra."""
    skip = {id(a) for a in inputs}
    seen = {}
    for value in values:
        if isinstance(value, np.ndarray):
            base = value if value.base is None else value.base
            if id(base) not in skip:
                seen[id(base)] = base.nbytes
    return sum(seen.values())


def rnn(h0, W, xs):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + xs[t])
    return np.sum(h)


def test_rnn_over_50_steps_is_correct():
    args = (rng.normal(size=8), rng.normal(size=(8, 8)) * 0.3, rng.normal(size=(STEPS, 8)))
    assert_gradients_match(rnn, args, wrt=(0, 1, 2))


def test_rnn_tape_grows_like_a_hand_written_backward_pass():
    n = 8
    args = (rng.normal(size=n), rng.normal(size=(n, n)) * 0.3, rng.normal(size=(STEPS, n)))
    _, tape, code = run_with_recording_tape(rnn, args, (0, 1, 2))
    state = n * 8  # bytes of one hidden state
    # a hand-written backward pass keeps the STEPS hidden states; ours keeps, per step,
    # the previous state and the tanh output (the next step's previous state: the same
    # array), and only the *shape* of W @ h and xs[t], which `unbroadcast` reads
    assert len(tape) <= 4 * STEPS, code
    assert distinct_array_bytes(tape.pushed, args) <= (STEPS + 1) * state, code
    assert "tape.append(shape_of(" in code
    # nothing that the adjoint doesn't read: not the sum, not xs[t] (a view of xs)
    assert "tape.append(t)" not in code


def while_with_break(x, limit):
    y = x
    while True:
        y = np.sin(y) * 1.8
        if np.sum(y * y) > limit:
            break
    return np.sum(y)


def test_while_with_break_is_correct_and_keeps_one_state_per_trip():
    x = np.array([0.3, 0.2, 0.1])
    assert_gradients_match(while_with_break, (x, 2.0), wrt=(0,))
    _, tape, code = run_with_recording_tape(while_with_break, (x, 2.0), (0,))
    trips = sum(1 for value in tape.pushed if isinstance(value, np.ndarray))
    assert trips >= 1
    assert distinct_array_bytes(tape.pushed) <= trips * x.nbytes, code


def straight_line(x, w):
    y = np.tanh(x * w)
    z = y * y + x
    return np.sum(z)


def test_straight_line_code_needs_no_tape():
    source = "import numpy as np\n\n" + inspect.getsource(straight_line)
    derivative = tangent_lsp.derive(source, "straight_line")
    assert "tape" not in derivative.code


def recurrent_with_a_list(x, w):
    h = x
    hs = []
    for i in range(3):
        h = np.tanh(h * w + i)
        hs.append(h)
    ys = [np.sin(v) for v in hs]
    return np.sum(np.stack(ys) ** 2) + np.sum(h)


def test_one_forward_half_serves_several_seeds():
    """The split backward half works on copies of the tape and of the lists it pops:
    called twice on one saved state, it gives the same gradient (it popped an empty
    tape the second time)."""
    rng = np.random.default_rng(11)
    x, w = rng.normal(size=3), rng.normal(size=3)
    function = tangent_lsp.autodiff(recurrent_with_a_list, motion="split")
    forward = function.__globals__[function.__name__ + "_forward"]
    backward = function.__globals__[function.__name__ + "_backward"]
    saved = forward(x, w)
    first, again, doubled = backward(saved, 1.0), backward(saved, 1.0), backward(saved, 2.0)
    expected = tangent_lsp.grad(recurrent_with_a_list)(x, w)
    np.testing.assert_allclose(first, expected)
    np.testing.assert_allclose(again, expected)
    np.testing.assert_allclose(doubled, 2.0 * expected)
