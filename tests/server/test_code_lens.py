"""Code lens "Show gradient · Insert derivative" above functions that use NumPy."""

from __future__ import annotations

import pytest
from lsprotocol import types

from tangent_lsp.engine import derive

from .helpers import LOSS, Client, client_fixture, position_of

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture()

SOURCE = LOSS + '''

def plain(x):
    return x + 1
'''


async def lenses(client: Client, uri: str):
    return await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=uri))) or []


async def test_lenses_on_numpy_functions_only(client: Client):
    uri = client.open(SOURCE)
    found = await lenses(client, uri)
    by_line: dict[int, list[str]] = {}
    for lens in found:
        by_line.setdefault(lens.range.start.line, []).append(lens.command.title)
    loss_line = position_of(SOURCE, "def loss").line
    data_line = position_of(SOURCE, "def data").line
    assert by_line == {loss_line: ["Show gradient", "Insert derivative"],
                       data_line: ["Show gradient", "Insert derivative"]}
    commands = {lens.command.command for lens in found}
    assert commands == {"tangent.showGradient", "tangent.insertDerivative"}
    name = [lens for lens in found if lens.range.start.line == loss_line][0]
    assert name.range.start == position_of(SOURCE, "loss(")
    assert list(name.command.arguments) == [uri, "loss"]


async def test_insert_derivative_from_the_lens(client: Client):
    uri = client.open(SOURCE)
    lens = [x for x in await lenses(client, uri) if x.command.title == "Insert derivative"][0]
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command=lens.command.command, arguments=lens.command.arguments))
    assert result == {"applied": True}
    assert client.applied and client.applied[-1].label == "Insert derivative of loss"
    text = client.texts[uri]
    expected = derive(SOURCE, "loss")
    assert expected.header + "\n" + expected.code.rstrip() in text
    # the generated derivative gets no lens of its own
    titles_by_line = {x.range.start.line for x in await lenses(client, uri)}
    assert position_of(text, "def dloss_dW").line not in titles_by_line
