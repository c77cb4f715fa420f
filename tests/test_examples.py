"""Every bundled example: tangent_lsp.grad(loss) against finite differences."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"example_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def finite_differences(f, args, wrt):
    """Central differences of f at args for the positions in wrt."""
    try:
        from tests.oracle import finite_differences as oracle
    except ImportError:
        oracle = None
    if oracle is not None:
        return list(oracle(f, args, wrt))
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from check_example import central_differences
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return central_differences(f, args, wrt)


def test_there_are_examples():
    assert {p.name for p in EXAMPLES} >= {"mlp.py", "logistic.py"}


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_gradient(path: Path):
    from tangent_lsp import grad

    module = load(path)
    args = module.example_args()
    wrt = tuple(module.WRT)
    got = grad(module.loss, wrt=wrt)(*args)
    if len(wrt) == 1:
        got = (got,)
    expected = finite_differences(module.loss, args, wrt)
    assert len(got) == len(expected)
    for i, g, e in zip(wrt, got, expected, strict=True):
        np.testing.assert_allclose(
            np.asarray(g, dtype=float), np.asarray(e, dtype=float), rtol=1e-5, atol=1e-7,
            err_msg=f"{path.name}: gradient for argument {i}",
        )


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_cli(path: Path):
    """The CLI writes derivative source for every example's loss."""
    result = subprocess.run(
        [sys.executable, "-m", "tangent_lsp", "grad", f"{path}::loss"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    compile(result.stdout, f"<derivative of {path.name}>", "exec")
