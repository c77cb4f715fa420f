"""Server bugs found by a search of the derivation cache (session 16), each with the
requests that showed it: a project file changed on disk with no notice, the module's own
rules on hover, a name bound by a def moved across an import of the same name."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lsprotocol import types

from .helpers import Client, client_fixture, position_of

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture()

CALLER = '''import numpy as np
from helper_h30 import helper


def f(x):
    return np.sum(helper(x))
'''


async def hover(client: Client, uri: str, needle: str) -> str:
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=position_of(client.texts[uri], needle)))
    return result.contents.value


async def test_a_project_file_changed_on_disk_without_notice_is_read_again(
    client: Client, tmp_path: Path
):
    """A checkout rewrites the imported file; the editor says nothing (the file is not
    open). The derivative followed the old file for as long as ``f`` did not change."""
    helper = tmp_path / "helper_h30.py"
    helper.write_text("import numpy as np\n\n\ndef helper(v):\n    return np.sin(v)\n")
    caller = tmp_path / "caller.py"
    caller.write_text(CALLER)
    uri = client.open(CALLER, uri=caller.as_uri())
    assert "np.cos(v)" in await hover(client, uri, "f(x)")
    helper.write_text("import numpy as np\n\n\ndef helper(v):\n    return np.exp(v)\n")
    later = os.path.getmtime(helper) + 2.0  # (a coarse clock could keep the old time)
    os.utime(helper, (later, later))
    again = await hover(client, uri, "f(x)")
    assert "np.cos(v)" not in again and "np.exp(v)" in again
    client.close(uri)


OWN_RULES = '''import numpy as np
from tangent_lsp import adjoint


def sq(x):
    return x * x


@adjoint(np.tanh)
def tanh_adjoint(z, x):
    d[x] = d[z] * 42.0


@adjoint(sq)
def sq_adjoint(z, v):
    d[v] = d[z] * 7.0


def f(x):
    return np.sum(sq(np.tanh(x)))
'''


@pytest.mark.parametrize("needle, rule", [("np.tanh(x)", "42.0"), ("sq(np", "7.0")])
async def test_hovering_a_call_shows_the_modules_own_rule(client: Client, needle, rule):
    uri = client.open(OWN_RULES)
    text = await hover(client, uri, needle)
    assert rule in text and "differentiated through" not in text
    client.close(uri)
