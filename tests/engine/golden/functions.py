"""Representative functions whose generated derivatives are pinned byte for byte."""

import numpy as np
import numpy.linalg as la
from numpy import exp, log


def loss(W, b, X, y):
    h = np.tanh(X @ W + b)
    r = h - y
    return np.mean(r * r)


def logistic(w, X, y):
    p = 1.0 / (1.0 + exp(-(X @ w)))
    return -np.sum(y * log(p) + (1.0 - y) * log(1.0 - p))


def logsumexp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def least_squares(A, x, b):
    r = A @ x - b
    return 0.5 * r.T @ r


def relu_layer(W, x):
    h = np.maximum(W @ x, 0.0)
    return h.sum()


def chain(x):
    y = x ** 2
    z = np.sqrt(np.log(y + 1.0))
    return np.sum(z * x)


def slices(x):
    a = x[1:-1]
    b = x[:, 0]
    return np.sum(a) + np.sum(b * b)


def methods(x, w):
    s = x.sum(axis=0)
    t = x.T.dot(w)
    return s.mean() + t.max()


def reassign(x, w):
    x = x * w
    x = np.tanh(x)
    return np.sum(x)


def determinant(A):
    return la.det(A @ A.T) + np.trace(A)


def branch(x, y):
    if np.sum(x) > 0:
        z = x * y
    else:
        z = np.sin(x) + y
    return np.sum(z * z)


def rnn(h0, W, xs):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + xs[t])
    return np.sum(h)


def while_break(x):
    y = x
    n = 0
    while True:
        y = y * 1.5
        n += 1
        if np.sum(y) > 10.0 or n > 20:
            break
    return np.sum(y)


def dense(p, h):
    return np.tanh(h @ p["W"] + p["b"])


def layers(params, x):
    h = x
    for W, b in params["hidden"]:
        h = np.tanh(h @ W + b)
    return np.sum(dense(params["out"], h) ** 2)
