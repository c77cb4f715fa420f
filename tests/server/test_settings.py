"""Settings: initializationOptions and workspace/didChangeConfiguration."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types

from tangent_lsp.engine import DiffError, derive

from .helpers import LOSS, Client, client_fixture, point_range, position_of

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture({"optimize": False, "codeLens": False, "timeBudgetMs": 20000})


async def gradient_code(client: Client, uri: str) -> str:
    result = await client.raw_request("tangent/gradient",
                                      {"textDocument": {"uri": uri}, "function": "loss"})
    return result["code"]


async def lens_count(client: Client, uri: str) -> int:
    found = await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    return len(found or [])


def configure(client: Client, settings) -> None:
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings=settings))


async def eventually(check, timeout: float = 10.0):
    for _ in range(int(timeout / 0.05)):
        if await check():
            return True
        await asyncio.sleep(0.05)
    return False


async def test_initialization_options_apply(client: Client):
    uri = client.open(LOSS)
    assert await gradient_code(client, uri) == derive(LOSS, "loss", optimized=False).code
    assert await lens_count(client, uri) == 0


async def test_did_change_configuration_applies(client: Client):
    uri = client.open(LOSS)
    configure(client, {"tangent": {"optimize": True, "codeLens": True}})

    async def optimized():
        return await gradient_code(client, uri) == derive(LOSS, "loss").code

    assert await eventually(optimized)
    assert await lens_count(client, uri) == 4
    assert client.lens_refreshes >= 1  # the client was told to ask for lenses again


async def test_pull_configuration_when_settings_are_empty(client: Client):
    uri = client.open(LOSS)
    client.set_configuration({"optimize": False}, section="tangent")
    configure(client, None)

    async def unoptimized():
        return await gradient_code(client, uri) == derive(LOSS, "loss", optimized=False).code

    assert await eventually(unoptimized)
    configure(client, {"optimize": True})
    assert await eventually(lambda: _is(gradient_code(client, uri), derive(LOSS, "loss").code))


async def _is(awaitable, expected):
    return await awaitable == expected


async def test_bad_values_are_ignored(client: Client):
    uri = client.open(LOSS)
    configure(client, {"mode": "sideways", "timeBudgetMs": "soon", "optimize": True})
    await asyncio.sleep(0.2)
    assert await gradient_code(client, uri) == derive(LOSS, "loss").code


async def test_mode_setting_picks_the_primary_action(client: Client):
    uri = client.open(LOSS)
    configure(client, {"mode": "forward"})
    await asyncio.sleep(0.2)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=point_range(position_of(LOSS, "def loss")),
        context=types.CodeActionContext(diagnostics=[])))
    try:
        derive(LOSS, "loss", mode="forward")
        forward_works = True
    except DiffError:
        forward_works = False
    if forward_works:
        assert actions[0].disabled is None
        assert any(a.title.startswith("Generate reverse-mode") for a in actions)
    else:
        assert len(actions) == 1 and "forward" in actions[0].disabled.reason
    configure(client, {"mode": "reverse"})


async def test_forward_mode_hovers(client: Client):
    uri = client.open(LOSS)
    configure(client, {"mode": "forward"})
    await asyncio.sleep(0.2)

    async def hover(needle: str) -> str:
        result = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position_of(LOSS, needle)))
        return result.contents.value

    rule = await hover("tanh")
    assert "forward mode" in rule and "d[y] = d[x] * (1.0 - y * y)" in rule
    statement = await hover("r = h - y")
    assert statement.startswith("Tangent of line")
    assert derive(LOSS, "loss", mode="forward").header in await hover("loss")
    configure(client, {"mode": "reverse"})


async def test_an_invalid_setting_is_shown_to_the_user(client: Client):
    configure(client, {"tangent": {"timeBudgetMs": "soon", "optimize": False, "codeLens": False}})

    async def shown():
        return any("timeBudgetMs" in m.message and "ignored" in m.message for m in client.messages)

    assert await eventually(shown)
    configure(client, {"tangent": {"optimize": False, "codeLens": False, "timeBudgetMs": 20000}})
