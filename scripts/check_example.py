"""Check tangent_lsp.grad on the bundled examples against finite differences.

    .venv/bin/python scripts/check_example.py [examples/mlp.py ...]

Every example module defines ``loss``, ``example_args()`` and ``WRT`` (the
positions of the arguments to differentiate). Prints the largest relative
error per example and "OK", or exits 1.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
TOLERANCE = 1e-6


def load_module(path: Path):
    spec = importlib.util.spec_from_file_location(f"example_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def central_differences(f, args, wrt, eps=1e-6):
    """d f(*args) / d args[i] for i in wrt, by central differences (float64)."""
    args = list(args)
    grads = []
    for i in wrt:
        x = np.array(args[i], dtype=float)
        g = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            saved = x[idx]
            x[idx] = saved + eps
            args[i] = x if x.ndim else float(x)
            plus = f(*args)
            x[idx] = saved - eps
            args[i] = x if x.ndim else float(x)
            minus = f(*args)
            x[idx] = saved
            g[idx] = (plus - minus) / (2 * eps)
        args[i] = x if x.ndim else float(x)
        grads.append(g)
    return grads


def relative_error(a, b) -> float:
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return float("inf")
    scale = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(b), initial=0.0), 1e-12)
    return float(np.max(np.abs(a - b), initial=0.0) / scale)


def check(path: Path) -> float:
    """Largest relative error of grad(loss) against finite differences."""
    from tangent_lsp import grad

    module = load_module(path)
    args = module.example_args()
    wrt = tuple(module.WRT)
    df = grad(module.loss, wrt=wrt)
    got = df(*args)
    if len(wrt) == 1:
        got = (got,)
    expected = central_differences(module.loss, args, wrt)
    if len(got) != len(expected):
        raise AssertionError(f"grad returned {len(got)} gradients, expected {len(expected)}")
    return max(relative_error(g, e) for g, e in zip(got, expected, strict=True))


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or sorted((ROOT / "examples").glob("*.py"))
    failed = False
    for path in paths:
        error = check(path)
        ok = error < TOLERANCE
        failed |= not ok
        verdict = "OK" if ok else f"FAILED (tolerance {TOLERANCE:g})"
        print(f"{path.name}: grad(loss) vs central differences: "
              f"max relative error {error:.2e}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
