"""Headers of generated derivatives, and which are stale."""

from __future__ import annotations

from tangent_lsp.engine import derive
from tangent_lsp.server import locate, stale

BASE = '''import numpy as np


def f(x):
    return np.sum(np.sin(x))
'''


def with_generated(source: str, wrt=("x",)) -> str:
    d = derive(source, "f", wrt=wrt)
    return source + "\n\n" + d.header + "\n" + d.code


def test_header_parsing():
    h = stale.parse_header("# tangent-lsp: d(loss)/d(W, b), from loss (source 6e385b4e)", 3)
    assert h == stale.Header(3, "loss", ("W", "b"), "6e385b4e")
    assert stale.parse_header("# tangent-lsp: d(a)/d(x), from b (source 6e385b4e)", 1) is None
    assert stale.parse_header("# tangent-lsp: something else", 1) is None


def test_engine_hash_matches():
    p = locate.parse(BASE)
    assert stale.function_hash(p, p.function_named("f")) == derive(BASE, "f").source_hash


def test_generated_blocks_and_below():
    text = with_generated(BASE)
    p = locate.parse(text)
    (block,) = stale.generated(p)
    assert block.name == "df_dx" and block.header.function == "f"
    assert p.line(block.start).startswith("# tangent-lsp:")
    assert p.line(block.end).strip() == "return bx"
    assert stale.generated_below(p, p.function_named("f")) == [block]
    assert stale.generated_below(p, p.function_named("df_dx")) == []


def test_header_not_above_a_def_is_ignored():
    text = BASE + "\n# tangent-lsp: d(f)/d(x), from f (source 00000000)\nx = 1\n"
    assert stale.generated(locate.parse(text)) == []


def test_stale_only_after_an_edit():
    text = with_generated(BASE)
    assert stale.stale(locate.parse(text)) == []
    edited = text.replace("np.sin(x)", "np.cos(x)", 1)
    (item,) = stale.stale(locate.parse(edited))
    assert item.block.header.function == "f"
    assert item.current_hash != item.block.header.source_hash


def test_source_function_gone_is_not_stale():
    text = with_generated(BASE).replace("def f(x):", "def g(x):")
    assert stale.stale(locate.parse(text)) == []


def test_stale_splits_the_text_once_however_many_derivatives(monkeypatch):
    # once per derivative made it quadratic: 1,000 derivatives took seconds, on the loop
    parts = []
    for i in range(30):
        source = f"def f{i}(x):\n    return np.sum(np.sin(x))\n"
        d = derive("import numpy as np\n\n\n" + source, f"f{i}")
        parts.append(source + "\n\n" + d.header + "\n" + d.code)
    parsed = locate.parse("import numpy as np\n\n\n" + "\n\n".join(parts))
    calls = []
    real = stale.split_lines
    monkeypatch.setattr(stale, "split_lines", lambda text: calls.append(1) or real(text))
    assert stale.stale(parsed) == []
    assert stale.stale(parsed) == []
    assert len(calls) <= 1


OWN_DERIVATIVE = '''import numpy as np


def f(x, c):
    return np.sum(np.tanh(x) * dg_dc(c))


def dg_dc(c):
    """My own hand-written derivative of g."""
    return 2.0 * c


def g(c):
    return c * c
'''


def test_a_user_s_function_named_like_a_derivative_is_not_part_of_the_block():
    """Hunt 44: `dg_dc` (the user's, called by f) below the inserted `df_dx` was taken for
    a callee's derivative inserted with it: blanked out of f's source (f could no longer
    be differentiated) and deleted by Regenerate. f calls dg_dc, not g."""
    d = derive(OWN_DERIVATIVE, "f", wrt=("x",))
    head, sep, tail = OWN_DERIVATIVE.partition("\n\n\ndef dg_dc(")
    text = head + "\n\n\n" + d.header + "\n" + d.code.rstrip() + sep + tail
    p = locate.parse(text)
    (block,) = stale.generated(p)
    assert p.line(block.end).strip() == "return bx"


def test_a_callee_s_derivative_inserted_with_it_is_part_of_the_block():
    source = BASE + "\n\ndef h(x):\n    return f(x) * 2.0\n"
    d = derive(source, "h")
    text = source + "\n\n" + d.header + "\n" + d.code
    assert "def df_dx_forward" in d.code or "def df_dx" in d.code
    p = locate.parse(text)
    (block,) = stale.generated(p)
    assert block.end == len(text.rstrip("\n").split("\n"))
