"""Stale derivatives: a warning when the function changed since its derivative was
generated, and a quick fix that regenerates it."""

from __future__ import annotations

import pytest
from lsprotocol import types

from tangent_lsp.engine import derive

from .helpers import LOSS, Client, client_fixture, point_range, position_of

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture()


def with_derivative(source: str) -> str:
    d = derive(source, "loss")
    head, sep, tail = source.partition("\n\n\ndef data(")
    imports = "\n".join(d.imports)
    head = head.replace("import numpy as np", "import numpy as np\n" + imports)
    return head + "\n\n\n" + d.header + "\n" + d.code.rstrip() + sep + tail


async def test_fresh_derivative_is_not_stale(client: Client):
    uri = client.open(with_derivative(LOSS))
    assert await client.diagnostics_for(uri, lambda ds: True) == []


async def test_edit_makes_it_stale_and_the_quick_fix_regenerates(client: Client):
    uri = client.open(with_derivative(LOSS))
    await client.diagnostics_for(uri, lambda ds: True)
    edited = client.texts[uri].replace("r = h - y", "r = h - 2.0 * y", 1)
    client.change(uri, edited)
    (warning,) = await client.diagnostics_for(uri, lambda ds: len(ds) == 1)
    assert warning.severity == types.DiagnosticSeverity.Warning
    assert warning.code == "stale-derivative"
    assert warning.range.start == position_of(edited, "# tangent-lsp: d(loss)")
    assert "out of date" in warning.message

    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=point_range(warning.range.start),
        context=types.CodeActionContext(diagnostics=[warning])))
    fixes = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    assert [a.title for a in fixes] == ["Regenerate derivative of loss"]
    assert list(fixes[0].diagnostics) == [warning]
    resolved = await client.code_action_resolve_async(fixes[0])
    assert client.apply(resolved.edit)

    text = client.texts[uri]
    assert text == with_derivative(LOSS.replace("r = h - y", "r = h - 2.0 * y"))
    assert await client.diagnostics_for(uri, lambda ds: ds == []) == []


async def test_quick_fix_keeps_the_mode(client: Client):
    forward = derive(LOSS, "loss", mode="forward")
    head, sep, tail = LOSS.partition("\n\n\ndef data(")
    head = head.replace("import numpy as np", "import numpy as np\n" + "\n".join(forward.imports))
    source = head + "\n\n\n" + forward.header + "\n" + forward.code.rstrip() + sep + tail
    uri = client.open(source.replace("r = h - y", "r = h + y", 1))
    (warning,) = await client.diagnostics_for(uri, lambda ds: len(ds) == 1)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=point_range(warning.range.start),
        context=types.CodeActionContext(diagnostics=[warning])))
    (fix,) = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    assert client.apply((await client.code_action_resolve_async(fix)).edit)
    text = client.texts[uri]
    assert text.count("def tloss_dW(") == 1 and "def dloss_dW(" not in text
    assert await client.diagnostics_for(uri, lambda ds: ds == []) == []


async def test_the_quick_fix_names_the_variant_it_regenerates(client: Client):
    d = derive(LOSS, "loss", wrt=("b",))
    head, sep, tail = LOSS.partition("\n\n\ndef data(")
    head = head.replace("import numpy as np", "import numpy as np\n" + "\n".join(d.imports))
    uri = client.open(head + "\n\n\n" + d.header + "\n" + d.code.rstrip() + sep + tail)
    await client.diagnostics_for(uri, lambda ds: True)
    client.change(uri, client.texts[uri].replace("r = h - y", "r = h - 2.0 * y", 1))
    (warning,) = await client.diagnostics_for(uri, lambda ds: len(ds) == 1)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=point_range(warning.range.start),
        context=types.CodeActionContext(diagnostics=[warning])))
    fixes = [a.title for a in actions if a.kind == types.CodeActionKind.QuickFix]
    assert fixes == ["Regenerate derivative of loss w.r.t. b"]
