"""Show gradient: the command, the ``tangent/gradient`` request and the virtual document."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tangent_lsp.engine import derive

from .helpers import LOSS, NOT_DIFFERENTIABLE, Client, client_fixture, position_of

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture()


def source_map(derivative) -> dict[str, list[int]]:
    return {str(k): list(v) for k, v in derivative.source_map.items()}


async def gradient(client: Client, **params):
    return await client.raw_request("tangent/gradient", params)


async def content(client: Client, uri: str) -> str:
    result = await client.workspace_text_document_content_async(
        types.TextDocumentContentParams(uri=uri))
    return result.text


async def test_request_by_name_equals_derive(client: Client):
    uri = client.open(LOSS)
    result = await gradient(client, textDocument={"uri": uri}, function="loss")
    expected = derive(LOSS, "loss")
    assert result["code"] == expected.code
    assert result["sourceMap"] == source_map(expected)
    assert result["name"] == expected.name == "dloss_dW"
    assert result["header"] == expected.header
    assert result["uri"].startswith("tangent-gradient:")
    assert result["uri"].endswith("/dloss.py")
    again = await gradient(client, textDocument={"uri": uri}, function="loss")
    assert again["uri"] == result["uri"]  # stable


async def test_request_by_position_and_wrt(client: Client):
    uri = client.open(LOSS)
    where = position_of(LOSS, "r = h - y")
    result = await gradient(client, textDocument={"uri": uri},
                            position={"line": where.line, "character": where.character},
                            wrt=["W", "b"])
    expected = derive(LOSS, "loss", wrt=("W", "b"))
    assert result["code"] == expected.code
    assert result["wrt"] == ["W", "b"]
    assert result["sourceMap"] == source_map(expected)


async def test_command_and_virtual_document(client: Client):
    uri = client.open(LOSS)
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="tangent.showGradient", arguments=[uri, "loss"]))
    expected = derive(LOSS, "loss")
    assert result["code"] == expected.code
    assert result["sourceMap"] == source_map(expected)
    # the client can render tangent-gradient: documents, so the server asked it to
    assert any(d.uri == result["uri"] for d in client.shown_documents)
    assert await content(client, result["uri"]) == expected.code


async def test_virtual_document_refreshes_when_the_function_changes(client: Client):
    uri = client.open(LOSS)
    result = await gradient(client, textDocument={"uri": uri}, function="loss")
    assert await content(client, result["uri"]) == derive(LOSS, "loss").code
    edited = LOSS.replace("r = h - y", "r = h * h - y")
    client.change(uri, edited)
    for _ in range(200):
        if result["uri"] in client.refreshed:
            break
        await asyncio.sleep(0.05)
    assert result["uri"] in client.refreshed
    assert await content(client, result["uri"]) == derive(edited, "loss").code


async def test_unknown_virtual_document_is_explained(client: Client):
    text = await content(client, "tangent-gradient:/nonsense")
    assert text.startswith("# tangent-lsp:")


async def test_not_differentiable_is_an_error_and_a_diagnostic(client: Client):
    uri = client.open(NOT_DIFFERENTIABLE)
    with pytest.raises(JsonRpcException) as raised:
        await gradient(client, textDocument={"uri": uri}, function="squash")
    assert "cannot tell what 'mystery' is" in str(raised.value)
    diagnostics = await client.diagnostics_for(uri, lambda ds: len(ds) == 1)
    (diagnostic,) = diagnostics
    start = position_of(NOT_DIFFERENTIABLE, "mystery(y)")
    end = position_of(NOT_DIFFERENTIABLE, "mystery(y)", offset=len("mystery(y)"))
    assert diagnostic.range == types.Range(start=start, end=end)
    assert "hint: import it" in diagnostic.message
    assert diagnostic.source == "tangent-lsp"


async def test_half_typed_code_keeps_the_gradient_document_shown(client: Client):
    uri = client.open(LOSS)
    result = await gradient(client, textDocument={"uri": uri}, function="loss")
    client.refreshed.clear()
    client.change(uri, LOSS.replace("r = h - y", "r = h - (y", 1))  # does not parse
    await asyncio.sleep(1.0)
    assert result["uri"] not in client.refreshed  # nothing to replace the derivative with
    fixed = LOSS.replace("r = h - y", "r = h - 2.0 * y", 1)
    client.change(uri, fixed)
    for _ in range(200):
        if result["uri"] in client.refreshed:
            break
        await asyncio.sleep(0.05)
    assert await content(client, result["uri"]) == derive(fixed, "loss").code
