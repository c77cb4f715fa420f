"""Server bugs found by a search of the server's robustness (session 17), each with the
requests that showed it."""

from __future__ import annotations

import pytest
from lsprotocol import types

from .helpers import Client, client_fixture

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture()


def change_range(client: Client, uri: str, line: int, start: int, end: int, text: str) -> None:
    """An incremental change of one line's columns, as editors send them."""
    client.versions[uri] += 1
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=client.versions[uri]),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=line, character=start),
                              end=types.Position(line=line, character=end)),
            text=text)]))


@pytest.mark.parametrize("separator", ["\f", "# a\u2028b", "# \x1c \x85"])
async def test_an_incremental_change_below_a_form_feed_lands_on_its_line(
    client: Client, separator: str
):
    """A page-break line (or U+2028 in a comment) counted as two lines: the change
    landed one line too low and the server's copy stayed broken until reopened."""
    text = f"import numpy as np\n{separator}\n\ndef f(x):\n    return np.sum(np.sin(x))\n"
    uri = client.open(text)
    column = text.split("\n")[4].index("sin")
    change_range(client, uri, 4, column, column + 3, "cos")
    result = await client.raw_request("tangent/gradient", {
        "textDocument": {"uri": uri}, "function": "f"})
    code = result["code"] if isinstance(result, dict) else result.code
    assert "return np.sum(np.cos(x))" in code and "* np.sin(x)" in code, code
    client.close(uri)
