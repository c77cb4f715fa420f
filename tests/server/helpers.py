"""Shared pieces for the end-to-end server tests: a pytest-lsp client over stdio.

The client is pytest-lsp's, plus what it lacks: a ``workspace/applyEdit``
handler that applies edits to the texts it tracks (and records them), a
``workspace/textDocumentContent/refresh`` handler that records refreshes, and
raw JSON results for the custom ``tangent/*`` requests (pygls would turn
``{"5": [...]}`` into a namedtuple with renamed fields).
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import uuid
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import register_lsp_features
from pytest_lsp.protocol import LanguageClientProtocol

SERVER_COMMAND = [sys.executable, "-m", "tangent_lsp", "serve"]


@attrs.define
class RawResponse:
    id: Any
    jsonrpc: str
    result: Any = None


class RawProtocol(LanguageClientProtocol):
    def get_result_type(self, method: str):
        if method.startswith("tangent/"):
            return RawResponse
        return super().get_result_type(method)


def _converter():
    converter = default_converter()
    converter.register_structure_hook(
        RawResponse, lambda obj, cls: cls(id=obj["id"], jsonrpc=obj["jsonrpc"],
                                          result=obj.get("result"))
    )
    return converter


class Client(LanguageClient):
    """pytest-lsp's client, keeping the documents it opened in sync with applied edits."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.texts: dict[str, str] = {}
        self.versions: dict[str, int] = {}
        self.applied: list[types.ApplyWorkspaceEditParams] = []
        self.refreshed: list[str] = []
        self.lens_refreshes = 0
        self.initialize_result: types.InitializeResult | None = None

    # --- documents ---------------------------------------------------------------------

    def open(self, text: str, uri: str | None = None, version: int = 1) -> str:
        uri = uri or f"file:///tmp/tangent-lsp-tests/{uuid.uuid4().hex}.py"
        self.texts[uri] = text
        self.versions[uri] = version
        self.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=version,
                                                 text=text)))
        return uri

    def change(self, uri: str, text: str) -> None:
        self.versions[uri] += 1
        self.texts[uri] = text
        self.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri,
                                                                version=self.versions[uri]),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))

    def close(self, uri: str) -> None:
        self.text_document_did_close(types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))

    def apply(self, edit: types.WorkspaceEdit) -> bool:
        """Apply ``edit`` as an editor would: reject it if the version is stale."""
        changes: dict[str, list[types.TextEdit]] = {}
        for change in edit.document_changes or []:
            uri = change.text_document.uri
            version = change.text_document.version
            if version is not None and version != self.versions.get(uri):
                return False
            changes[uri] = list(change.edits)
        for uri, text_edits in (edit.changes or {}).items():
            changes[uri] = list(text_edits)
        for uri, text_edits in changes.items():
            self.change(uri, apply_text_edits(self.texts[uri], text_edits))
        return True

    async def raw_request(self, method: str, params: Any) -> Any:
        return await self.protocol.send_request_async(method, params)

    async def diagnostics_for(self, uri: str, predicate, timeout: float = 15.0):
        """Wait until the diagnostics published for ``uri`` satisfy ``predicate``."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            current = self.diagnostics.get(uri)
            if current is not None and predicate(list(current)):
                return list(current)
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"diagnostics for {uri} never matched: {current}")
            await asyncio.sleep(0.05)


def make_client() -> Client:
    client = Client(protocol_cls=RawProtocol, converter_factory=_converter)
    register_lsp_features(client)

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams):
        client.applied.append(params)
        return types.ApplyWorkspaceEditResult(applied=client.apply(params.edit))

    @client.feature(types.WORKSPACE_TEXT_DOCUMENT_CONTENT_REFRESH)
    def content_refresh(params: types.TextDocumentContentRefreshParams):
        client.refreshed.append(params.uri)
        return None

    @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def code_lens_refresh(params: None):
        client.lens_refreshes += 1
        return None

    return client


CONFIG = ClientServerConfig(server_command=SERVER_COMMAND, client_factory=make_client)


def capabilities(client: str = "visual-studio-code", content: bool = True):
    caps = pytest_lsp.client_capabilities(client)
    if content:
        if caps.workspace is None:
            caps.workspace = types.WorkspaceClientCapabilities()
        caps.workspace.text_document_content = types.TextDocumentContentClientCapabilities(
            dynamic_registration=False)
    return caps


async def start(client: Client, options: dict | None = None, content: bool = True,
                name: str = "visual-studio-code") -> types.InitializeResult:
    client.initialize_result = await client.initialize_session(types.InitializeParams(
        capabilities=capabilities(name, content), initialization_options=options))
    return client.initialize_result


def client_fixture(options: dict | None = None, scope: str = "module", content: bool = True,
                   name: str = "visual-studio-code"):
    """A pytest-lsp fixture: a server over stdio, initialized with ``options``, for a client
    with the capabilities of ``name`` (pytest-lsp's profiles: ``neovim`` applies edits
    without versions)."""

    @pytest_lsp.fixture(config=CONFIG, scope=scope)
    async def fixture(lsp_client: Client):
        await start(lsp_client, options, content, name)
        yield
        await lsp_client.shutdown_session()

    return fixture


# --- editing text as a client does (UTF-16 positions), independent of the server ---------


def _offset(text: str, position: types.Position) -> int:
    lines = text.splitlines(keepends=True)
    offset = sum(len(line) for line in lines[: position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    units = 0
    for index, ch in enumerate(line.rstrip("\r\n")):
        if units >= position.character:
            return offset + index
        units += 2 if ord(ch) > 0xFFFF else 1
    return offset + len(line.rstrip("\r\n"))


def apply_text_edits(text: str, text_edits: list[types.TextEdit]) -> str:
    spans = [(_offset(text, e.range.start), _offset(text, e.range.end), e.new_text)
             for e in text_edits]
    for start, end, new in sorted(spans, key=lambda s: (s[0], s[1]), reverse=True):
        text = text[:start] + new + text[end:]
    return text


def position_of(text: str, needle: str, occurrence: int = 0, offset: int = 0) -> types.Position:
    """The LSP position (UTF-16) of ``needle`` in ``text`` (plus ``offset`` characters)."""
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(needle, index + 1)
    index += offset
    before = text[:index]
    line = before.count("\n")
    column_text = before[before.rfind("\n") + 1:]
    return types.Position(line=line, character=sum(2 if ord(c) > 0xFFFF else 1
                                                   for c in column_text))


def point_range(position: types.Position) -> types.Range:
    return types.Range(start=position, end=position)


# --- numerics ---------------------------------------------------------------------------


def import_file(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def central_differences(f, args: list, index: int, eps: float = 1e-6) -> np.ndarray:
    args = [np.array(a, dtype=float) for a in args]
    x = args[index]
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        saved = x[idx]
        x[idx] = saved + eps
        plus = f(*args)
        x[idx] = saved - eps
        minus = f(*args)
        x[idx] = saved
        grad[idx] = (plus - minus) / (2 * eps)
    return grad


def relative_error(a, b) -> float:
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    assert a.shape == b.shape, (a.shape, b.shape)
    scale = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))), 1e-12)
    return float(np.max(np.abs(a - b)) / scale)


LOSS = '''"""A small model."""

import numpy as np


def loss(W, b, X, y):
    h = np.tanh(X @ W + b)
    r = h - y
    return np.mean(r * r)


def data(seed=0):
    rng = np.random.default_rng(seed)
    return [0.5 * rng.standard_normal((3, 2)), 0.1 * rng.standard_normal(2),
            rng.standard_normal((4, 3)), rng.standard_normal((4, 2))]
'''

# `mystery` is neither imported nor defined: static resolution cannot tell what it is.
NOT_DIFFERENTIABLE = '''import numpy as np


def squash(x):
    y = np.tanh(x)
    return np.sum(mystery(y))
'''
