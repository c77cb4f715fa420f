"""Loops for steady_shapes.py: temporaries whose shapes every step keeps (a heat-equation
stepper, a Kalman-like filter) and loops whose shapes change from step to step."""

import numpy as np


def heat(u0, alpha):
    u = u0.copy()
    for _ in range(4):
        un = u.copy()
        un[1:-1] = u[1:-1] + alpha * (u[2:] - 2 * u[1:-1] + u[:-2])
        u = un
    return np.sum(u ** 2)


def broadcast_grows(h, w):
    for _ in range(3):
        t = np.tanh(h)
        u = t * t
        h = u + w * h
    return np.sum(h)


def prefix_slices(x, w):
    total = 0.0
    for i in range(1, 4):
        t = x[:i] * w
        s = np.sin(t) + t
        total = total + np.sum(s * s)
    return total


def ragged_list(xs, w):
    total = 0.0
    for i in range(len(xs)):
        t = xs[i] * w
        s = np.tanh(t) * t
        total = total + np.sum(s)
    return total


def grows_by_concatenation(x, w):
    h = x
    for _ in range(3):
        t = np.sin(h) * w
        h = np.concatenate([h, t])
    return np.sum(h * h)


def kalman_like(x, A, q):
    P = np.eye(2)
    for _ in range(3):
        x = A @ x
        P = A @ P @ A.T + q * np.eye(2)
        t = np.sin(x) * q
        x = x + t
    return np.sum(x) + np.sum(P)
