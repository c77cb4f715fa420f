"""The benchmark problems: plain NumPy functions and their hand-written gradients.

Each problem is a scalar-valued function written the way a NumPy user writes
it (module alias ``np``, nothing else global), a gradient written by hand with
NumPy (the physical limit a generated gradient can reach), which arguments it
is differentiated with respect to, and an input generator for each size.

Conventions (other backends rely on them, see ``benchmarks/run.py``):

* The functions use only the global name ``np``, so the same source can be
  re-executed with ``np`` bound to ``autograd.numpy``, ``jax.numpy`` or a small
  PyTorch shim.
* A hand-written gradient takes the same arguments and returns a tuple with one
  array per ``wrt`` argument, in order.
* ``hand_tape`` names the list in which the hand-written gradient keeps
  per-iteration values (for ``benchmarks/memory.py``), if it keeps any.

Sizes: ``tiny`` is for the smoke test, ``small`` is vectors of ~100 and
matrices of ~32x16, ``medium`` is vectors of 1e5 and matrices of 256x256.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable

import numpy as np

SIZES = ("tiny", "small", "medium")


@dataclass(frozen=True)
class Problem:
    name: str
    func: Callable
    hand: Callable
    wrt: tuple[int, ...]
    make: Callable[[str, np.random.Generator], tuple]
    summary: str
    hand_tape: str | None = None
    # The gradient as the chain rule gives it, one operation at a time, where ``hand``
    # uses an identity no AD tool applies (sigmoid/log cancellation, softmax's
    # invariance to its shift); None where ``hand`` is that already.
    chain_rule: Callable | None = None
    helpers: tuple[Callable, ...] = ()  # functions of this module ``func`` calls

    @property
    def source(self) -> str:
        """The text of the function and of the helpers it calls."""
        return "\n\n".join(inspect.getsource(f) for f in (*self.helpers, self.func))

    def inputs(self, size: str, seed: int = 0) -> tuple:
        return self.make(size, np.random.default_rng(seed))

    @property
    def wrt_names(self) -> tuple[str, ...]:
        names = self.func.__code__.co_varnames[: self.func.__code__.co_argcount]
        return tuple(names[i] for i in self.wrt)


def _pick(size, tiny, small, medium):
    return {"tiny": tiny, "small": small, "medium": medium}[size]


# --------------------------------------------------------------------------
# 1. Logistic regression (mean negative log-likelihood)

def logistic(w, X, y):
    z = X @ w
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def logistic_grad(w, X, y):
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    return (X.T @ (p - y) / y.shape[0],)


def logistic_chain_rule(w, X, y):
    z = X @ w
    e = np.exp(-z)
    t = 1.0 + e
    p = 1.0 / t
    g = -1.0 / y.shape[0]
    bp = g * y / p - g * (1.0 - y) / (1.0 - p)
    bz = bp / (t * t) * e
    return (X.T @ bz,)


def _logistic_inputs(size, rng):
    n, d = _pick(size, (6, 3), (32, 16), (256, 256))
    X = rng.standard_normal((n, d)) / np.sqrt(d)
    w = rng.standard_normal(d)
    y = (rng.random(n) < 0.5).astype(np.float64)
    return w, X, y


# --------------------------------------------------------------------------
# 2. Two-layer MLP with softmax cross-entropy

def mlp(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    m = np.max(logits, axis=1, keepdims=True)
    z = logits - m
    lse = np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.sum(Y * (z - lse)) / X.shape[0]


def mlp_grad(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    e = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    p = e / np.sum(e, axis=1, keepdims=True)
    # Y's rows are one-hot, so each row of Y sums to one.
    dlogits = (p - Y) / X.shape[0]
    dW2 = h.T @ dlogits
    db2 = np.sum(dlogits, axis=0)
    da = (dlogits @ W2.T) * (1.0 - h * h)
    dW1 = X.T @ da
    db1 = np.sum(da, axis=0)
    return dW1, db1, dW2, db2


def mlp_chain_rule(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    m = np.max(logits, axis=1, keepdims=True)
    e = np.exp(logits - m)
    s = np.sum(e, axis=1, keepdims=True)
    bz = -Y / X.shape[0]
    blse = -np.sum(bz, axis=1, keepdims=True)
    bz = bz + blse / s * e
    bm = -np.sum(bz, axis=1, keepdims=True)
    mask = logits == m
    dlogits = bz + bm * mask / np.sum(mask, axis=1, keepdims=True)
    dW2 = h.T @ dlogits
    db2 = np.sum(dlogits, axis=0)
    da = (dlogits @ W2.T) * (1.0 - h * h)
    return X.T @ da, np.sum(da, axis=0), dW2, db2


def _mlp_inputs(size, rng):
    n, d, h, c = _pick(size, (4, 3, 5, 3), (32, 16, 32, 10), (256, 256, 256, 16))
    X = rng.standard_normal((n, d))
    Y = np.eye(c)[rng.integers(0, c, n)]
    W1 = rng.standard_normal((d, h)) / np.sqrt(d)
    b1 = 0.1 * rng.standard_normal(h)
    W2 = rng.standard_normal((h, c)) / np.sqrt(h)
    b2 = 0.1 * rng.standard_normal(c)
    return W1, b1, W2, b2, X, Y


# --------------------------------------------------------------------------
# 3. logsumexp

def logsumexp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def logsumexp_grad(x):
    e = np.exp(x - np.max(x))
    return (e / np.sum(e),)


def logsumexp_chain_rule(x):
    m = np.max(x)
    e = np.exp(x - m)
    be = e / np.sum(e)
    mask = x == m
    return (be + (1.0 - np.sum(be)) * mask / np.sum(mask),)


def _vector_inputs(size, rng):
    n = _pick(size, 8, 100, 100_000)
    return (rng.standard_normal(n),)


# --------------------------------------------------------------------------
# 4. An RNN as a Python for loop, using .shape and .T

def rnn(h0, Wh, Wx, xs):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(h @ Wh.T + xs[t] @ Wx.T)
    return np.sum(h * h)


def rnn_grad(h0, Wh, Wx, xs):
    hs = []
    h = h0
    for t in range(xs.shape[0]):
        hs.append(h)
        h = np.tanh(h @ Wh.T + xs[t] @ Wx.T)
    dh = 2.0 * h
    dWh = np.zeros_like(Wh)
    dWx = np.zeros_like(Wx)
    for t in range(xs.shape[0] - 1, -1, -1):
        da = dh * (1.0 - h * h)
        h = hs.pop()
        dWh += da.T @ h
        dWx += da.T @ xs[t]
        dh = da @ Wh
    return dh, dWh, dWx


def _rnn_inputs(size, rng):
    t, b, h, d = _pick(size, (3, 2, 4, 3), (10, 16, 32, 16), (20, 32, 256, 256))
    h0 = 0.5 * rng.standard_normal((b, h))
    Wh = rng.standard_normal((h, h)) / np.sqrt(h)
    Wx = rng.standard_normal((h, d)) / np.sqrt(d)
    xs = rng.standard_normal((t, b, d))
    return h0, Wh, Wx, xs


# --------------------------------------------------------------------------
# 5. An elementwise chain

def chain(x):
    a = np.sin(x)
    b = a * np.exp(-x * x)
    c = np.tanh(b) + 0.5 * x
    d = c * c * np.cos(x)
    return np.sum(d)


def chain_grad(x):
    s = np.sin(x)
    co = np.cos(x)
    e = np.exp(-x * x)
    tb = np.tanh(s * e)
    c = tb + 0.5 * x
    dc = (1.0 - tb * tb) * e * (co - 2.0 * x * s) + 0.5
    return (2.0 * c * co * dc - c * c * s,)


# --------------------------------------------------------------------------
# 6. A loop with a data-dependent if

def loop_if(x, w):
    for _ in range(8):
        if np.sum(x) > 0.0:
            x = np.sin(x) * w
        else:
            x = np.cos(x) + w
    return np.sum(x * x)


def loop_if_grad(x, w):
    saved = []  # (x, sin(x) or None) per step: the branch taken and what its adjoint needs
    for _ in range(8):
        if np.sum(x) > 0.0:
            s = np.sin(x)
            saved.append((x, s))
            x = s * w
        else:
            saved.append((x, None))
            x = np.cos(x) + w
    dx = 2.0 * x
    dw = np.zeros_like(w)
    while saved:
        x, s = saved.pop()
        if s is not None:
            dw += dx * s
            dx = dx * np.cos(x) * w
        else:
            dw += dx
            dx = -dx * np.sin(x)
    return dx, dw


def _loop_if_inputs(size, rng):
    n = _pick(size, 8, 100, 100_000)
    return rng.standard_normal(n), rng.standard_normal(n)


# --------------------------------------------------------------------------
# 7. A while loop whose trip count depends on the data

def while_loop(x, w):
    y = x
    n = 0
    while np.max(np.abs(y)) < 100.0 and n < 50:
        y = 1.5 * y + w * np.sin(y)
        n += 1
    return np.sum(y * y)


def while_loop_grad(x, w):
    ys = []  # (y, sin(y)) per trip
    y = x
    n = 0
    while np.max(np.abs(y)) < 100.0 and n < 50:
        s = np.sin(y)
        ys.append((y, s))
        y = 1.5 * y + w * s
        n += 1
    dy = 2.0 * y
    dw = np.zeros_like(w)
    while ys:
        y, s = ys.pop()
        dw += dy * s
        dy = dy * (1.5 + w * np.cos(y))
    return dy, dw


def _while_inputs(size, rng):
    n = _pick(size, 8, 100, 100_000)
    return rng.uniform(-1.0, 1.0, n), rng.uniform(-0.1, 0.1, n)


# --------------------------------------------------------------------------
# 8. Least squares (ridge) with .T

def least_squares(w, X, y):
    r = X @ w - y
    return 0.5 * (r.T @ r) + 0.05 * (w.T @ w)


def least_squares_grad(w, X, y):
    return (X.T @ (X @ w - y) + 0.1 * w,)


def _least_squares_inputs(size, rng):
    n, d = _pick(size, (6, 3), (32, 16), (256, 256))
    return rng.standard_normal(d), rng.standard_normal((n, d)), rng.standard_normal(n)


# --------------------------------------------------------------------------
# 9. A ReLU network (two hidden layers, squared error)

def relu_net(W1, W2, w3, X, y):
    h1 = np.maximum(X @ W1, 0.0)
    h2 = np.maximum(h1 @ W2, 0.0)
    r = h2 @ w3 - y
    return 0.5 * np.sum(r * r) / X.shape[0]


def relu_net_grad(W1, W2, w3, X, y):
    a1 = X @ W1
    h1 = np.maximum(a1, 0.0)
    a2 = h1 @ W2
    h2 = np.maximum(a2, 0.0)
    dr = (h2 @ w3 - y) / X.shape[0]
    dw3 = h2.T @ dr
    da2 = np.outer(dr, w3) * (a2 > 0.0)
    dW2 = h1.T @ da2
    da1 = (da2 @ W2.T) * (a1 > 0.0)
    dW1 = X.T @ da1
    return dW1, dW2, dw3


def _relu_inputs(size, rng):
    n, d, h = _pick(size, (4, 3, 5), (32, 16, 32), (256, 256, 256))
    X = rng.standard_normal((n, d))
    W1 = rng.standard_normal((d, h)) / np.sqrt(d)
    W2 = rng.standard_normal((h, h)) / np.sqrt(h)
    w3 = rng.standard_normal(h) / np.sqrt(h)
    y = rng.standard_normal(n)
    return W1, W2, w3, X, y


# --------------------------------------------------------------------------
# 10. A mix of **, log and sqrt

def power_mix(x):
    a = x ** 2 + 1.0
    b = np.sqrt(a)
    c = np.log(b + x)
    return np.sum(c ** 3 / a + x ** 0.5)


def power_mix_grad(x):
    a = x * x + 1.0
    b = np.sqrt(a)
    c = np.log(b + x)
    # d/dx log(sqrt(x^2 + 1) + x) = 1 / sqrt(x^2 + 1)
    return (3.0 * c * c / (b * a) - 2.0 * x * c ** 3 / (a * a) + 0.5 / np.sqrt(x),)


def _positive_inputs(size, rng):
    n = _pick(size, 8, 100, 100_000)
    return (rng.uniform(0.5, 2.0, n),)


# --------------------------------------------------------------------------
# 11. The MLP of problem 2 written as models are: with helper functions

def affine(W, b, x):
    return x @ W + b


def cross_entropy(logits, Y):
    m = np.max(logits, axis=1, keepdims=True)
    z = logits - m
    lse = np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.sum(Y * (z - lse)) / Y.shape[0]


def mlp_layers(W1, b1, W2, b2, X, Y):
    h = np.tanh(affine(W1, b1, X))
    return cross_entropy(affine(W2, b2, h), Y)


PROBLEMS: tuple[Problem, ...] = (
    Problem("logistic", logistic, logistic_grad, (0,), _logistic_inputs,
            "logistic regression, mean NLL, wrt w", chain_rule=logistic_chain_rule),
    Problem("mlp", mlp, mlp_grad, (0, 1, 2, 3), _mlp_inputs,
            "2-layer tanh MLP, softmax cross-entropy, wrt W1 b1 W2 b2",
            chain_rule=mlp_chain_rule),
    Problem("logsumexp", logsumexp, logsumexp_grad, (0,), _vector_inputs,
            "max-shifted logsumexp of a vector", chain_rule=logsumexp_chain_rule),
    Problem("rnn", rnn, rnn_grad, (0, 1, 2), _rnn_inputs,
            "tanh RNN, Python for loop over xs.shape[0], .T, wrt h0 Wh Wx",
            hand_tape="hs"),
    Problem("chain", chain, chain_grad, (0,), _vector_inputs,
            "elementwise sin/exp/tanh/cos chain"),
    Problem("loop_if", loop_if, loop_if_grad, (0, 1), _loop_if_inputs,
            "8-step loop with a data-dependent if, wrt x w", hand_tape="saved"),
    Problem("while", while_loop, while_loop_grad, (0, 1), _while_inputs,
            "while loop until max|y| >= 100, wrt x w", hand_tape="ys"),
    Problem("least_squares", least_squares, least_squares_grad, (0,),
            _least_squares_inputs, "ridge least squares, r.T @ r, wrt w"),
    Problem("relu_net", relu_net, relu_net_grad, (0, 1, 2), _relu_inputs,
            "2 hidden ReLU layers, squared error, wrt W1 W2 w3"),
    Problem("power_mix", power_mix, power_mix_grad, (0,), _positive_inputs,
            "** / log / sqrt mix"),
    Problem("mlp_layers", mlp_layers, mlp_grad, (0, 1, 2, 3), _mlp_inputs,
            "problem 2 written with helper functions (affine, cross_entropy)",
            chain_rule=mlp_chain_rule, helpers=(affine, cross_entropy)),
)

BY_NAME = {p.name: p for p in PROBLEMS}
