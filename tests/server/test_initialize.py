"""Starting the server: capabilities over stdio, ``python -m tangent_lsp.server``, and TCP."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest
from lsprotocol import types

from .helpers import Client, client_fixture

client = client_fixture()


@pytest.mark.asyncio(loop_scope="module")
async def test_capabilities(client: Client):
    result = client.initialize_result
    caps = result.capabilities
    assert result.server_info.name == "tangent-lsp"
    assert caps.code_action_provider.resolve_provider is True
    assert set(caps.code_action_provider.code_action_kinds) == {
        types.CodeActionKind.RefactorRewrite, types.CodeActionKind.QuickFix}
    assert caps.hover_provider
    assert caps.code_lens_provider is not None
    assert set(caps.execute_command_provider.commands) == {
        "tangent.showGradient", "tangent.insertDerivative"}
    assert list(caps.workspace.text_document_content.schemes) == ["tangent-gradient"]


def _message(payload: dict) -> bytes:
    body = json.dumps(payload).encode()
    return f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def _read_message(stream) -> dict:
    headers = {}
    while True:
        line = stream.readline()
        if not line:
            raise EOFError("server closed the connection")
        line = line.decode().strip()
        if not line:
            break
        key, _, value = line.partition(":")
        headers[key.lower()] = value.strip()
    return json.loads(stream.read(int(headers["content-length"])))


INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"processId": None, "rootUri": None, "capabilities": {}}}


def test_python_dash_m_server():
    process = subprocess.Popen([sys.executable, "-m", "tangent_lsp.server"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        process.stdin.write(_message(INITIALIZE))
        process.stdin.flush()
        reply = _read_message(process.stdout)
        assert reply["result"]["serverInfo"]["name"] == "tangent-lsp"
        process.stdin.write(_message({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
        process.stdin.write(_message({"jsonrpc": "2.0", "method": "exit"}))
        process.stdin.flush()
        assert _read_message(process.stdout)["id"] == 2
        assert process.wait(timeout=20) == 0
    finally:
        process.kill()


def test_tcp():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "tangent_lsp", "serve", "--tcp",
                                "--host", "127.0.0.1", "--port", str(port)])
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        with connection:
            connection.sendall(_message(INITIALIZE))
            reply = _read_message(connection.makefile("rb"))
            assert reply["result"]["capabilities"]["hoverProvider"]
    finally:
        process.kill()
        process.wait()
