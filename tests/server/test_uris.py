"""Gradient URIs are stable and survive a client's re-encoding."""

from __future__ import annotations

from urllib.parse import quote, unquote

from tangent_lsp.server.uris import GradientTarget, gradient_uri, parse_gradient_uri, to_path


def test_round_trip():
    for target in [
        GradientTarget("file:///tmp/a b/m.py", "loss", "reverse", ("W", "b")),
        GradientTarget("untitled:Untitled-1", "pérdida", "forward", ()),
        GradientTarget("file:///c%3A/x.py?q=1#f", "f", "reverse", ("x",)),
    ]:
        uri = gradient_uri(target)
        assert uri == gradient_uri(target)
        assert uri.startswith("tangent-gradient:/")
        assert uri.endswith(f"/d{quote(target.function)}.py")
        assert parse_gradient_uri(uri) == target
        # what VS Code does to a URI path: decode it, and encode it again its own way
        decoded = unquote(uri)
        assert parse_gradient_uri(decoded) == target
        assert parse_gradient_uri(quote(decoded, safe=":/")) == target


def test_not_ours():
    assert parse_gradient_uri("file:///tmp/a.py") is None
    assert parse_gradient_uri("tangent-gradient:/nonsense") is None
    assert parse_gradient_uri("tangent-gradient:/!!/f/reverse/x/df.py") is None
    assert parse_gradient_uri("tangent-gradient:/ZmlsZQ/f/sideways/x/df.py") is None


def test_to_path():
    assert to_path("file:///tmp/a%20b.py") == "/tmp/a b.py"
    assert to_path("untitled:Untitled-1") is None
