"""A client that speaks UTF-8 positions gets UTF-8 positions (LSP 3.17 negotiation)."""

from __future__ import annotations

import pytest
import pytest_lsp
from lsprotocol import types

from .helpers import CONFIG, Client

SOURCE = 'import numpy as np\n\n\ndef f(x):\n    s = "😀é"; y = np.tanh(x)\n    return np.sum(y)\n'


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: Client):
    capabilities = pytest_lsp.client_capabilities("visual-studio-code")
    capabilities.general = types.GeneralClientCapabilities(
        position_encodings=[types.PositionEncodingKind.Utf8])
    lsp_client.initialize_result = await lsp_client.initialize_session(
        types.InitializeParams(capabilities=capabilities))
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_utf8_positions(client: Client):
    assert client.initialize_result.capabilities.position_encoding == "utf-8"
    uri = client.open(SOURCE)
    line = SOURCE.splitlines()[4]
    column = len(line[: line.index("tanh")].encode())  # bytes before "tanh"
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=4, character=column + 1)))
    assert "numpy.tanh" in hover.contents.value
    start = len(line[: line.index("np.tanh")].encode())
    assert hover.range.start == types.Position(line=4, character=start)
    assert hover.range.end == types.Position(line=4, character=start + len("np.tanh"))
