"""Server bugs found by a review of the editor features (hunt 44, session 21), each with
the requests that showed it, for a client that applies edits without versions (pytest-lsp's
Neovim profile: no ``workspaceEdit.documentChanges``)."""

from __future__ import annotations

import ast
import asyncio

import pytest
from lsprotocol import types

from .helpers import LOSS, Client, client_fixture

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture(name="neovim")


async def insert(client: Client, uri: str, function: str):
    return await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="tangent.insertDerivative", arguments=[uri, function]))


async def test_two_insertions_at_once_insert_one_derivative(client: Client):
    """A double click on the lens: both edits were computed for the text both commands
    started from and applied unversioned, so the second derivative landed inside `loss`,
    whose return ended up at the bottom of `dloss_dW` (the file compiled; loss returned
    None)."""
    uri = client.open(LOSS)
    results = await asyncio.gather(insert(client, uri, "loss"), insert(client, uri, "loss"))
    assert [r["applied"] for r in results] == [True, True]  # the second regenerates it
    text = client.texts[uri]
    ast.parse(text)
    assert text.count("def dloss_dW") == 1
    assert text.count("from tangent_lsp.runtime") == 1
    assert "    return np.mean(r * r)\n\n\n# tangent-lsp: d(loss)" in text, text
    client.close(uri)


async def test_two_functions_inserted_at_once_both_land_intact(client: Client):
    uri = client.open(LOSS)
    await asyncio.gather(insert(client, uri, "loss"), insert(client, uri, "data"))
    text = client.texts[uri]
    tree = ast.parse(text)
    names = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert names.count("dloss_dW") == 1 and sum(n.startswith("ddata_d") for n in names) == 1
    assert "    return np.mean(r * r)\n\n\n# tangent-lsp: d(loss)" in text, text
    assert text.count("from tangent_lsp.runtime") == 1
    client.close(uri)


async def test_a_buffer_that_starts_with_a_byte_order_mark_is_read(client: Client):
    """A client that keeps U+FEFF in the text: the first line was blanked out as a syntax
    error, and the hover said "'np' is not defined"."""
    text = "\ufeffimport numpy as np\n\n\ndef f(x):\n    return np.sum(np.tanh(x))\n"
    uri = client.open(text)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=3, character=5)))
    assert hover is not None and "def df_dx" in hover.contents.value
    client.close(uri)


NESTED = '''import numpy as np

if True:
    def under_if(x):
        return np.sum(np.tanh(x))


class Model:
    def loss(self, W):
        return np.sum(np.tanh(W))
'''


@pytest.mark.parametrize("name, says", [
    ("under_if", "`under_if` is defined inside an `if`: tangent-lsp differentiates "
                 "module-level functions"),
    ("loss", "`loss` is a method of `Model`: tangent-lsp differentiates module-level "
             "functions; write it as a module-level function of the arrays it reads."),
])
async def test_a_method_or_a_function_in_a_block_says_why_it_has_no_derivative(
    client: Client, name: str, says: str
):
    """The hover on such a def's name said nothing at all (the API reports the `if`)."""
    uri = client.open(NESTED)
    line = next(i for i, text in enumerate(NESTED.split("\n")) if f"def {name}(" in text)
    column = NESTED.split("\n")[line].index(name) + 2
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=line, character=column)))
    assert hover is not None and hover.contents.value.startswith(says), hover
    body = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=line + 1, character=12)))
    assert body is None  # (only the name says it)
    client.close(uri)
