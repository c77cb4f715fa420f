"""The server's copies of open documents, with lines as LSP counts them.

pygls's ``TextDocument`` splits its text with ``str.splitlines``, which also breaks at a
form feed, ``\\x1c``-``\\x1e``, ``\\x85``, ``\\u2028`` and ``\\u2029``; LSP ends a line
at ``\\n``, ``\\r\\n`` or ``\\r`` only. Below a page-break line (``^L``, common in
Emacs-edited Python) every incremental change was applied one line too low, and the
copy stayed wrong until the file was reopened.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pygls.workspace import TextDocument, Workspace

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


class LspLinesDocument(TextDocument):
    @property
    def lines(self) -> Sequence[str]:
        """The lines, each with its line ending, split where LSP splits them."""
        return tuple(_LINE.findall(self.source))


class LspLinesWorkspace(Workspace):
    """A workspace whose text documents are ``LspLinesDocument``s."""

    def _create_text_document(self, doc_uri, source=None, version=None, language_id=None):
        document = super()._create_text_document(doc_uri, source, version, language_id)
        document.__class__ = LspLinesDocument  # same state; only ``lines`` differs
        return document
