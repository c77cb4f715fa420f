"""Stable URIs for "Show gradient" documents, and file URIs ↔ paths.

    tangent-gradient:/<source uri, base64url>/<function>/<mode>/<wrt,...>/d<function>.py

The same request always gives the same URI. The source URI is base64url
encoded because clients decode and re-encode URI paths (VS Code turns
``%2F`` back into ``/``), which would break any path-based encoding; base64url
uses no character a client rewrites. The last segment is what an editor
shows as the tab title.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlparse
from urllib.request import url2pathname

SCHEME = "tangent-gradient"


@dataclass(frozen=True)
class GradientTarget:
    source_uri: str
    function: str
    mode: str
    wrt: tuple[str, ...]


def gradient_uri(target: GradientTarget) -> str:
    source = base64.urlsafe_b64encode(target.source_uri.encode()).decode().rstrip("=")
    wrt = ",".join(target.wrt) or "-"
    parts = [source, target.function, target.mode, wrt, f"d{target.function}.py"]
    return f"{SCHEME}:/" + "/".join(quote(p, safe=",") for p in parts)


def parse_gradient_uri(uri: str) -> GradientTarget | None:
    """The request a gradient URI stands for; None if it is not one of ours."""
    scheme, sep, rest = uri.partition(":")
    if not sep or scheme.lower() != SCHEME:
        return None
    rest = rest.split("?", 1)[0].split("#", 1)[0].lstrip("/")
    parts = [unquote(p) for p in rest.split("/")]
    if len(parts) != 5:
        return None
    source, function, mode, wrt, _ = parts
    try:
        padded = source + "=" * (-len(source) % 4)
        source_uri = base64.b64decode(padded.encode(), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not source_uri or not function or mode not in ("reverse", "forward"):
        return None
    names = tuple(w for w in wrt.split(",") if w and w != "-")
    return GradientTarget(source_uri, function, mode, names)


def document_key(uri: str) -> str:
    """What identifies a document whatever the percent-encoding of its URI
    (``my%20model.py`` is ``my model.py``, VS Code's ``c%3A`` is ``c:``): pygls keys the
    open documents by it."""
    return unquote(uri)


def to_path(uri: str) -> str | None:
    """The file system path of a ``file:`` URI, else None (``untitled:`` and friends)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = url2pathname(parsed.path)
    if parsed.netloc and parsed.netloc != "localhost":
        path = f"//{parsed.netloc}{path}"
    return path


def same_file_key(uri: str) -> str | None:
    """A ``file:`` URI's path, normalized, for telling whether two spellings name one file
    (``file:/p``, ``file://localhost/p``, ``FILE:///p``, ``/a//b/../p``, a ``#fragment``)."""
    path = to_path(uri)
    return os.path.normcase(os.path.normpath(path)) if path else None
