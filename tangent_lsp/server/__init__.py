"""The tangent-lsp language server (pygls 2).

    tangent-lsp serve                 # stdio
    tangent-lsp serve --tcp --port N  # TCP
    python -m tangent_lsp.server      # stdio

Features: "Generate derivative" code actions, stale-derivative warnings with a
quick fix, Show gradient (command, ``tangent/gradient`` request and
``workspace/textDocumentContent`` for ``tangent-gradient:`` URIs), hovers,
diagnostics for derivatives that were asked for, and code lenses. The server
never imports or runs the user's code: the engine reads it as text.
"""

from __future__ import annotations

import logging
import sys


def create_server():
    """A new server with every feature registered (not started)."""
    from .app import TangentServer
    from .handlers import register

    server = TangentServer()
    register(server)
    return server


def main(tcp: bool = False, host: str = "127.0.0.1", port: int = 2087) -> int:
    """Run the server over stdio (default) or TCP until the client says exit."""
    logging.basicConfig(
        stream=sys.stderr, level=logging.WARNING, format="tangent-lsp %(levelname)s: %(message)s"
    )
    from .app import QuietExpectedFailures

    logging.getLogger("pygls.protocol.json_rpc").addFilter(QuietExpectedFailures())
    server = create_server()
    if tcp:
        server.start_tcp(host, port)
    else:
        server.start_io()
    return 0


__all__ = ["create_server", "main"]
