"""Derivations run off the event loop, within the time budget, and can be cancelled."""

from __future__ import annotations

import asyncio
import time

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcRequestCancelled

from .helpers import LOSS, Client, client_fixture, position_of

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture({"timeBudgetMs": 1})

# A long chain: seconds of work (about 2 s here in November 2026), far more than the
# 0.3 s after which the test cancels it, and than the 1 ms budget.
STEPS = 1000
BODY = "\n".join(f"    x{i + 1} = np.sin(x{i}) * 0.5 + x{i}" for i in range(STEPS))
LONG = f"import numpy as np\n\n\ndef chain(x0):\n{BODY}\n    return np.sum(x{STEPS})\n"


def hover_params(uri: str, text: str, needle: str) -> types.HoverParams:
    return types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri),
                             position=position_of(text, needle))


def configure(client: Client, settings) -> None:
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings=settings))


async def test_overrun_gives_a_clear_message(client: Client):
    uri = client.open(LONG)
    started = time.monotonic()
    result = await client.text_document_hover_async(hover_params(uri, LONG, "chain"))
    assert time.monotonic() - started < 5
    assert "took longer than the time budget (1 ms)" in result.contents.value
    assert "timeBudgetMs" in result.contents.value
    with pytest.raises(JsonRpcException) as raised:
        await client.raw_request("tangent/gradient",
                                 {"textDocument": {"uri": uri}, "function": "chain"})
    assert "time budget" in str(raised.value)


async def test_cancel_request(client: Client):
    configure(client, {"timeBudgetMs": 600000})
    await asyncio.sleep(0.2)
    uri = client.open(LONG)
    future = client.protocol.send_request(
        types.TEXT_DOCUMENT_HOVER, hover_params(uri, LONG, "chain"), msg_id="slow-hover")
    await asyncio.sleep(0.3)
    client.protocol.notify("$/cancelRequest", types.CancelParams(id="slow-hover"))
    with pytest.raises(JsonRpcRequestCancelled):
        await asyncio.wait_for(asyncio.wrap_future(future), 10)
    # the server answers at once afterwards: the event loop was never blocked
    small = client.open(LOSS)
    started = time.monotonic()
    result = await client.text_document_hover_async(hover_params(small, LOSS, "loss("))
    assert "def dloss_dW(" in result.contents.value
    assert time.monotonic() - started < 5
