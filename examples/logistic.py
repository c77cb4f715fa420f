"""Logistic regression: the mean binary cross-entropy of a linear model."""

import numpy as np


def loss(w, b, X, y):
    """Mean binary cross-entropy; ``y`` holds 0/1 labels."""
    z = X @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def example_args(seed=0):
    """Small random weights and data: (w, b, X, y)."""
    rng = np.random.default_rng(seed)
    n, d = 10, 3
    w = 0.5 * rng.standard_normal(d)
    b = 0.1
    X = rng.standard_normal((n, d))
    y = (rng.random(n) < 0.5).astype(float)
    return w, b, X, y


# Arguments to differentiate with respect to (positions in ``loss``'s signature).
WRT = (0, 1)
