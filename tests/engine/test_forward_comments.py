"""Forward mode's ``# Primal and tangent of: <line>`` comments: one above the first
statement of each source line that carries a tangent. A line whose first operation has no
tangent (``np.arange(3)`` in the return) lost its comment (hunt 45)."""

from tangent_lsp.engine import derive

SOURCE = '''import numpy as np


def f(x):
    y = np.sin(x)
    return np.sum(y * np.arange(3))


def g(x, w):
    n = w.shape[0]
    z = np.tanh(x * np.ones(n)) * w
    return np.sum(z)
'''


def _comments(code: str) -> list[str]:
    return [line.strip() for line in code.splitlines() if line.strip().startswith("#")]


def test_every_line_with_a_tangent_has_its_comment():
    code = derive(SOURCE, "f", mode="forward").code
    assert _comments(code) == [
        "# Primal and tangent of: y = np.sin(x)",
        "# Primal and tangent of: return np.sum(y * np.arange(3))",
    ]
    lines = code.splitlines()
    assert lines[lines.index("    # Primal and tangent of: return np.sum(y * np.arange(3))") + 1] == (
        "    df = np.sum(dy * np.arange(3))")


def test_a_line_without_a_tangent_has_none():
    code = derive(SOURCE, "g", wrt=("x",), mode="forward").code
    assert _comments(code) == [
        "# Primal and tangent of: z = np.tanh(x * np.ones(n)) * w",
        "# Primal and tangent of: return np.sum(z)",
    ], code
