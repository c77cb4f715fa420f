"""A two-layer tanh MLP with a softmax cross-entropy loss.

    tangent-lsp grad examples/mlp.py::loss --wrt W1,b1,W2,b2

prints the gradient of ``loss`` with respect to every parameter, as source.
"""

import numpy as np


def loss(W1, b1, W2, b2, X, y):
    """Mean cross-entropy of a 2-layer tanh network; ``y`` is one-hot."""
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    # h is bounded by tanh and the weights are small, so exp cannot overflow
    # here; a production loss would subtract the row maximum first.
    log_z = np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    log_p = logits - log_z
    return -np.sum(y * log_p) / X.shape[0]


def example_args(seed=0):
    """Small random parameters and data: (W1, b1, W2, b2, X, y)."""
    rng = np.random.default_rng(seed)
    n, d_in, d_hidden, n_classes = 8, 4, 5, 3
    W1 = 0.5 * rng.standard_normal((d_in, d_hidden))
    b1 = 0.1 * rng.standard_normal(d_hidden)
    W2 = 0.5 * rng.standard_normal((d_hidden, n_classes))
    b2 = 0.1 * rng.standard_normal(n_classes)
    X = rng.standard_normal((n, d_in))
    y = np.eye(n_classes)[rng.integers(0, n_classes, size=n)]
    return W1, b1, W2, b2, X, y


# Arguments to differentiate with respect to (positions in ``loss``'s signature).
WRT = (0, 1, 2, 3)
