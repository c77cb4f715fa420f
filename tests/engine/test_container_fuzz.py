"""Random models whose parameters are containers of containers, checked in every mode.

A program's parameters are either a list of layers (each a dict ``{"W", "b"}``, a tuple
or a list ``(W, b)``) or a dict model ``{"scale", "layers", "out", "coef", "blocks"}``. The
programs loop over the layers directly, by index, with ``enumerate``, ``zip``,
``reversed`` and ``while``; unpack them (``for W, b in params``, ``W, b = p``); read them
by key and by position; pass them to the module's functions (whole, one layer, one
layer and an index, a function that unpacks or loops itself, one returning a tuple
that holds a list); iterate over dicts (``.items()``, ``.values()``, the dict itself);
use comprehensions; branch on their values; collect states in a list.

Each program is checked for the gradient with respect to the parameters (against
autograd, structure included) and to the input, the tangent along the parameters, and
four second derivatives (forward over reverse and reverse over reverse, with respect to
either argument). ``FUZZ_CASES=200`` runs more programs (the default suits CI).
"""

import importlib.util
import os
import random

import autograd
import numpy as np
import pytest

import tangent_lsp
from tests.engine.trees import (
    assert_same_structure, central, random_like, second_derivative,
)
from tests.oracle import _autograd_version

HEADER = '''import numpy as np


def apply_dict(p, h):
    return np.tanh(h @ p["W"] + p["b"])


def apply_pair(p, h):
    W, b = p
    return np.sin(h @ W) + b


def apply_index(p, h):
    return np.tanh(h @ p[0]) * p[1]


def apply_args(W, b, h):
    return np.tanh(h @ W + b)


def step(layers, i, h):
    return np.tanh(h @ layers[i]["W"]) + layers[i]["b"]


def run_all(layers, h):
    for p in layers:
        h = apply_dict(p, h)
    return h


def pair_out(p, h):
    a = h @ p["W"]
    return a, [np.tanh(a), p["b"]]


def split(h):
    return h * 0.5, [np.sin(h), h ** 2]


def state(h):
    return {"h": h, "c": [h * 0.5, np.sin(h)]}


'''

# Loops over a list of layers, by the layers' kind
_LIST_LOOPS = {
    "dict": [
        ["for p in params:", "    h = apply_dict(p, h)"],
        ["for p in params:", "    h = np.tanh(h @ p['W'] + p['b'])"],
        ["for i in range(len(params)):", "    h = apply_dict(params[i], h) + 0.1 * h"],
        ["for i, p in enumerate(params):",
         "    h = apply_args(p['W'], p['b'], h) * (1.0 + 0.1 * i)"],
        ["for p in params:", "    if np.sum(h) > 0.0:", "        h = apply_dict(p, h)",
         "    else:", "        h = np.cos(h @ p['W']) - p['b']"],
        ["for p in reversed(params):", "    h = apply_dict(p, h)"],
        ["for i in range(len(params)):", "    h = step(params, i, h)"],
        ["h = run_all(params, h)"],
    ],
    "pair": [
        ["for W, b in params:", "    h = np.tanh(h @ W + b)"],
        ["for p in params:", "    h = apply_pair(p, h)"],
        ["for p in params:", "    h = apply_index(p, h)"],
        ["for i in range(len(params)):", "    h = np.tanh(h @ params[i][0]) + params[i][1]"],
        ["for W, b in params:", "    h = apply_args(W, b, h)"],
        ["for p in params:", "    W, b = p", "    if np.sum(W) > 0.0:",
         "        h = np.sin(h @ W) * b", "    else:", "        h = h @ W + b"],
        ["for k, p in enumerate(params):", "    W, b = p", "    h = np.tanh(h @ W) + b * k"],
        ["i = 0", "while i < len(params):", "    W, b = params[i]",
         "    h = np.tanh(h @ W + b)", "    i += 1"],
    ],
}
_LIST_ENDS = [
    ["return np.sum(h ** 2)"],
    ["a, parts = split(h)", "return np.sum(a * parts[0] + parts[1])"],
    ["return np.sum(np.sin(h)) + np.sum(h * x)"],
    ["return np.sum(h * h) + np.sum(params[0][{first}] ** 2)"],
]
# Bodies for a dict model m = {"scale", "layers", "out", "coef"}
_MODEL_BODIES = [
    ["for p in m['layers']:", "    h = apply_dict(p, h)"],
    ["layers = m['layers']", "for i in range(len(layers)):", "    h = step(layers, i, h)"],
    ["h = run_all(m['layers'], h)"],
    ["i = 0", "while i < len(m['layers']):", "    h = apply_dict(m['layers'][i], h)", "    i += 1"],
    ["hs = []", "for p in m['layers']:", "    h = apply_dict(p, h)", "    hs.append(h)",
     "h = np.stack(hs)[-1] + 0.5 * hs[0]"],
    ["for p, c in zip(m['layers'], m['coef']):", "    h = apply_dict(p, h) * c"],
    ["for p in m['layers']:", "    a, rest = pair_out(p, h)",
     "    h = rest[0] + rest[1] * 0.5 + 0.1 * a"],
    ["for p in m['layers']:", "    if np.sum(p['W']) > 0.0:", "        h = apply_dict(p, h)",
     "    else:", "        h = np.sin(h @ p['W'])"],
    ["for k in range(2):", "    for p in m['layers']:", "        h = apply_dict(p, h) * 0.7"],
    ["for _name, p in m['blocks'].items():", "    h = apply_dict(p, h)"],
    ["blocks = m['blocks']", "for name in blocks:", "    h = np.tanh(h @ blocks[name]['W'])"],
]
_MODEL_ENDS = [
    ["return np.sum(h ** 2) + np.sum(m['out']['W'] ** 2)"],
    ["s = state(h @ m['out']['W'])", "return np.sum(s['h'] * s['c'][1] + s['c'][0])"],
    ["y = h @ m['out']['W'] + m['out']['b']", "return np.sum(np.log(1.0 + np.exp(y)))"],
    ["reg = sum(np.sum(v ** 2) for v in m['out'].values())",
     "return np.sum(h ** 2) + 0.1 * reg"],
    ["return np.sum(np.stack([np.sum(p['W'] * h[0]) for p in m['layers']]) ** 2)"],
]


def _indented(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def program(seed: int) -> tuple[str, str, int]:
    """A program's source, its parameters' kind ("dict", "tuple", "list" or "model")
    and its number of layers."""
    rng = random.Random(seed)
    kind = rng.choice(["dict", "tuple", "list", "model"])
    layers = rng.choice([1, 2, 3])
    if kind == "model":
        lines = ["def model(m, x):", "    h = x * m['scale']"]
        lines += _indented(rng.choice(_MODEL_BODIES) + rng.choice(_MODEL_ENDS))
    else:
        lines = ["def model(params, x):", "    h = x"]
        if rng.random() < 0.3:
            lines.append("    h = h * 1.5")
        loops = _LIST_LOOPS["dict" if kind == "dict" else "pair"]
        end = [line.format(first="'W'" if kind == "dict" else 0) for line in rng.choice(_LIST_ENDS)]
        lines += _indented(rng.choice(loops) + end)
    return HEADER + "\n".join(lines) + "\n", kind, layers


def _parameters(kind: str, layers: int, rng):
    d = 3
    made = []
    for _ in range(layers):
        W, b = rng.standard_normal((d, d)) * 0.6, rng.standard_normal(d) * 0.3
        made.append({"W": W, "b": b} if kind in ("dict", "model") else
                    (W, b) if kind == "tuple" else [W, b])
    if kind != "model":
        return made
    return {"scale": 0.9, "layers": made, "coef": [0.5 + 0.1 * k for k in range(layers)],
            "out": {"W": rng.standard_normal((d, 2)), "b": rng.standard_normal(2) * 0.1},
            "blocks": {f"b{k}": {"W": rng.standard_normal((d, d)) * 0.6,
                                 "b": rng.standard_normal(d) * 0.3} for k in range(2)}}


def _load(source: str, directory, name: str):
    path = directory / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CASES = int(os.environ.get("FUZZ_CASES", "20"))
SECOND = [("forward over reverse", 0, 1), ("forward over reverse", 0, 0),
          ("reverse over reverse", 1, 0), ("reverse over reverse", 0, 0)]


@pytest.mark.parametrize("seed", range(CASES))
def test_random_container_program(seed, tmp_path):
    source, kind, layers = program(seed)
    f = _load(source, tmp_path, f"container_fuzz_{seed}").model
    rng = np.random.default_rng(seed)
    args = (_parameters(kind, layers, rng), rng.standard_normal((4, 3)))
    shown = source.split("\n\n\n")[-1]
    reference = autograd.grad(_autograd_version(f), 0)(*args)
    assert_same_structure(tangent_lsp.grad(f, wrt=(0,))(*args), reference, shown)
    reference_x = autograd.grad(_autograd_version(f), 1)(*args)
    assert np.allclose(tangent_lsp.grad(f, wrt=(1,))(*args), reference_x, rtol=1e-6, atol=1e-8), shown
    direction = random_like(args[0], rng)
    tangent = tangent_lsp.jvp(f, wrt=(0,))(*args, direction)
    tangent = tangent[-1] if isinstance(tangent, tuple) else tangent
    assert np.isclose(tangent, central(f, args, 0, direction), rtol=1e-5, atol=1e-7), shown
    for order, i, j in SECOND:
        ours, expected = second_derivative(f, args, order, i, j)
        assert np.isclose(ours, expected, rtol=1e-4, atol=1e-6), (order, i, j, ours, expected, shown)
