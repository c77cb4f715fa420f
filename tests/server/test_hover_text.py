"""Hover Markdown, built from engine results."""

from __future__ import annotations

import json
from urllib.parse import unquote

from tangent_lsp.engine import derive
from tangent_lsp.engine.templates import library
from tangent_lsp.server import hover

SOURCE = "import numpy as np\n\n\ndef f(x):\n    y = np.tanh(x)\n    return np.sum(y)\n"


def test_fence_survives_backticks():
    text = hover.fence("x = '```'")
    assert text.startswith("````python\n") and text.endswith("\n````")


def test_derivative_hover():
    d = derive(SOURCE, "f")
    text = hover.derivative(d.header, d.code, show_gradient="[Show gradient](command:x)")
    assert text.startswith("```python\n" + d.header + "\n" + d.code.rstrip())
    assert text.endswith("[Show gradient](command:x)")


def test_shortened():
    code = "\n".join(f"line{i}" for i in range(100))
    shown, left = hover.shorten(code, 10)
    assert len(shown.splitlines()) == 10 and left == 91
    assert "91 more lines" in shown
    assert hover.shorten("a\nb", 10) == ("a\nb", 0)
    text = hover.derivative("# h", code, show_gradient="LINK", max_lines=10)
    assert "91 more lines: LINK" in text


def test_command_link_round_trip():
    link = hover.command_link("Show gradient", "tangent.showGradient", ["file:///a b.py", "é"])
    target = link[link.index("(") + 1:-1]
    assert target.startswith("command:tangent.showGradient?")
    assert json.loads(unquote(target.split("?", 1)[1])) == ["file:///a b.py", "é"]


def test_statement_hover_dedents_the_block():
    d = derive(SOURCE, "f")
    text = hover.statement(5, "y = np.tanh(x)", d.code, d.source_map[5])
    assert text.startswith("Adjoint of line 5: `y = np.tanh(x)`")
    assert "\n# Grad of: y = np.tanh(x)\n" in text


def test_rule_hover_shows_the_template():
    template = library().adjoints["numpy.tanh"]
    text = hover.rule("numpy.tanh", "np.tanh", template.result, template.params, template.text)
    assert "# y = numpy.tanh(x)\nd[x] = d[y] * (1.0 - y * y)" in text


def test_one_liners():
    for text in [
        hover.error("f", "cannot\n tell", 3),
        hover.overrun("f", 100),
        hover.no_rule(None, "mystery"),
        hover.no_rule("scipy.special.expit", "expit"),
        hover.nondifferentiable("numpy.argmax", "np.argmax"),
        hover.user_function("helper"),
        hover.inactive_statement(4, "n = x.shape[0]", "f", ("x",)),
    ]:
        assert "\n" not in text
    assert hover.error("f", "bad `x`", 3) == "Cannot differentiate `f` (line 3): bad `x`"
