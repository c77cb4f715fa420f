"""A model written the way researchers write them: layers in a list of (W, b) tuples,
built with a comprehension, a dict of settings iterated with ``.items()``, a keyword-only
parameter. The server derives it, hovers on its statements, and reports nothing."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types

from tangent_lsp.engine import derive

from .helpers import Client, client_fixture, position_of

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture()

MODEL = '''import numpy as np


def dense(p, h):
    W, b = p
    return np.tanh(h @ W + b)


def loss(params, extra, X, *, l2=0.01):
    hs = [dense(p, X) for p in params]
    h = np.stack(hs).sum(axis=0)
    for _name, v in extra.items():
        h = h * v
    reg = sum(np.sum(W ** 2) for W, b in params)
    return np.mean(h ** 2) + l2 * reg
'''


async def test_the_gradient_of_a_model_with_nested_parameters(client: Client):
    uri = client.open(MODEL)
    result = await client.raw_request(
        "tangent/gradient", {"textDocument": {"uri": uri}, "function": "loss"})
    expected = derive(MODEL, "loss")
    assert result["code"] == expected.code and result.get("error") is None
    assert "W, b = p" in result["code"]  # the callee's unpacking, as written


async def test_hover_on_a_comprehension_shows_its_adjoint(client: Client):
    uri = client.open(MODEL)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=position_of(MODEL, "hs = [dense(p, X) for p in params]")))
    assert hover is not None
    assert "# Grad of: hs = [dense(p, X) for p in params]" in hover.contents.value


async def test_no_diagnostics_after_asking(client: Client):
    uri = client.open(MODEL)
    await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="tangent.showGradient", arguments=[uri, "loss"]))
    await asyncio.sleep(0.5)
    assert list(client.diagnostics.get(uri, [])) == []
