"""Same input, same bytes: across calls and across processes with different hash seeds."""

import os
import subprocess
import sys
from pathlib import Path

from tangent_lsp import derive

SOURCE = (Path(__file__).parent / "golden" / "functions.py").read_text()
FUNCTIONS = ["loss", "logistic", "methods", "slices", "determinant"]


def _all_code() -> str:
    return "".join(derive(SOURCE, f).code for f in FUNCTIONS)


def test_repeated_derivations_are_identical():
    assert _all_code() == _all_code()


def test_output_does_not_depend_on_hash_seed():
    script = (
        "import sys; from pathlib import Path; from tangent_lsp import derive; "
        f"s = Path({str(Path(__file__).parent / 'golden' / 'functions.py')!r}).read_text(); "
        f"sys.stdout.write(''.join(derive(s, f).code for f in {FUNCTIONS!r}))"
    )
    outputs = set()
    for seed in ("1", "2", "3"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        result = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
        )
        outputs.add(result.stdout)
    assert outputs == {_all_code()}
