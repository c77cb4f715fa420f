"""Test inputs shared by the reverse- and forward-mode rule tests: fixed arrays, each
in the domain its comment names."""

import numpy as np

rng = np.random.default_rng(0)
A34 = rng.standard_normal((3, 4))
B34 = rng.standard_normal((3, 4))
C31 = rng.standard_normal((3, 1))
R14 = rng.standard_normal((1, 4))
V4 = rng.standard_normal(4)
V3 = rng.standard_normal(3)
X234 = rng.standard_normal((2, 3, 4))
Y245 = rng.standard_normal((2, 4, 5))
M45 = rng.standard_normal((4, 5))
P34 = rng.uniform(0.5, 2.0, (3, 4))  # positive: log, sqrt, divide, power
Q34 = rng.uniform(0.5, 2.0, (3, 4))
U34 = rng.uniform(-0.9, 0.9, (3, 4))  # |x| < 1: arcsin, arctanh
G34 = rng.uniform(1.5, 3.0, (3, 4))  # > 1: arccosh
S33 = rng.standard_normal((3, 3)) + 4.0 * np.eye(3)  # well conditioned
S233 = rng.standard_normal((2, 3, 3)) + 4.0 * np.eye(3)
INT34 = np.arange(12).reshape(3, 4) - 5
IDX = np.array([0, 2, 2, 1])
EDGES = np.array([-1.0, 0.0, 1.0])
# at and near 0, where sinc's textbook derivative divides by zero, and around it
NEAR0 = np.array([[0.0, 1e-9, -1e-6, 5e-4], [-2e-3, 0.3, -1.0, 2.5], [0.0, -0.7, 1.5, 1e-2]])
