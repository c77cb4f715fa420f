"""The pygls protocol, with what pygls 2.1 leaves out: the capability
``workspace.textDocumentContent``, document lines split where LSP splits them, and an
answer to a request whose params do not validate."""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.workspace import Workspace

from .documents import LspLinesWorkspace
from .uris import SCHEME


class _Answered:
    """A request already answered while it was read (``structure_message``): what
    ``handle_message`` is given instead, and skips."""


class TangentProtocol(LanguageServerProtocol):
    """Adds what pygls 2.1 does not advertise (``workspace.textDocumentContent``), and an
    answer to a request whose params do not validate (pygls drops it: the client waits
    forever, and the user sees an "Invalid Params" error window)."""

    def structure_message(self, data: dict[str, Any]):
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if "id" not in data or "method" not in data or "error" in data:
                raise
            self._send_response(data["id"], error=error.to_response_error())
            return _Answered()

    def handle_message(self, message: Any) -> None:
        if not isinstance(message, _Answered):
            super().handle_message(message)

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams):
        result = yield from super().lsp_initialize(params)
        if type(self._workspace) is Workspace:  # no document is open yet
            self._workspace.__class__ = LspLinesWorkspace
        capabilities = result.capabilities
        if capabilities.workspace is None:
            capabilities.workspace = types.WorkspaceOptions()
        capabilities.workspace.text_document_content = types.TextDocumentContentOptions(
            schemes=[SCHEME]
        )
        return result
