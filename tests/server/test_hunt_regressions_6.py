"""Server bugs found by a search of the server's robustness (session 17), each with the
requests that showed it."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tangent_lsp.engine import derive

from .helpers import Client, client_fixture

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture()


def change_range(client: Client, uri: str, line: int, start: int, end: int, text: str) -> None:
    """An incremental change of one line's columns, as editors send them."""
    client.versions[uri] += 1
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=client.versions[uri]),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=line, character=start),
                              end=types.Position(line=line, character=end)),
            text=text)]))


@pytest.mark.parametrize("separator", ["\f", "# a\u2028b", "# \x1c \x85"])
async def test_an_incremental_change_below_a_form_feed_lands_on_its_line(
    client: Client, separator: str
):
    """A page-break line (or U+2028 in a comment) counted as two lines: the change
    landed one line too low and the server's copy stayed broken until reopened."""
    text = f"import numpy as np\n{separator}\n\ndef f(x):\n    return np.sum(np.sin(x))\n"
    uri = client.open(text)
    column = text.split("\n")[4].index("sin")
    change_range(client, uri, 4, column, column + 3, "cos")
    result = await client.raw_request("tangent/gradient", {
        "textDocument": {"uri": uri}, "function": "f"})
    code = result["code"] if isinstance(result, dict) else result.code
    assert "return np.sum(np.cos(x))" in code and "* np.sin(x)" in code, code
    client.close(uri)


async def test_a_buffer_closed_while_its_derivative_is_made_gets_no_edit(
    client: Client, tmp_path
):
    """The buffer (version 7, unsaved: four lines fewer than the file) is closed while
    its derivative is derived: the resolve answered with an edit for the file on disk,
    unversioned, computed for a text the action was not offered for."""
    body = "".join(f"    x = np.sin(x) * {i}.0 + x\n" for i in range(500))
    disk = "import numpy as np\n\n\n\n\n\n\ndef f(x):\n" + body + "    return np.sum(x)\n"
    path = tmp_path / "closed_mid.py"
    path.write_text(disk)
    uri = client.open(disk.replace("\n" * 7, "\n" * 3, 1), uri=path.as_uri(), version=7)
    offered = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line=3, character=4),
                          end=types.Position(line=3, character=4)),
        context=types.CodeActionContext(diagnostics=[],
                                        trigger_kind=types.CodeActionTriggerKind.Automatic)))
    action = next(a for a in offered if a.title.startswith("Generate derivative"))
    resolving = asyncio.ensure_future(client.code_action_resolve_async(action))
    await asyncio.sleep(0.1)  # the derivation of 500 statements takes longer than this
    assert not resolving.done()
    client.close(uri)
    resolved = await resolving
    assert resolved.edit is None


async def test_the_quick_fix_after_a_parameter_is_renamed_regenerates_for_the_new_name(
    client: Client
):
    """Renaming ``x`` to ``u`` made the derivative stale; its quick fix regenerated with
    respect to ``x`` (from the derivative's header), resolved to no edit and said
    "'f' has no argument 'x'"."""
    source = "import numpy as np\n\n\ndef f(x):\n    return np.sum(np.sin(x))\n"
    d = derive(source, "f")
    text = source + "\n\n" + d.header + "\n" + d.code
    uri = client.open(text)
    await client.diagnostics_for(uri, lambda ds: ds == [])
    renamed = text.replace("def f(x):\n    return np.sum(np.sin(x))",
                           "def f(u):\n    return np.sum(np.sin(u))")
    client.change(uri, renamed)
    (warning,) = await client.diagnostics_for(
        uri, lambda ds: [w.code for w in ds] == ["stale-derivative"])
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=warning.range.start, end=warning.range.start),
        context=types.CodeActionContext(diagnostics=[warning])))
    (fix,) = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    resolved = await client.code_action_resolve_async(fix)
    assert resolved.edit is not None and client.apply(resolved.edit)
    assert "def df_du(u, bf=1.0):" in client.texts[uri]
    assert "def df_dx" not in client.texts[uri]
    assert await client.diagnostics_for(uri, lambda ds: ds == []) == []


async def test_a_missing_module_created_later_is_followed(client: Client, tmp_path):
    """`from helper_h34 import act` before helper_h34.py exists: "cannot find the module",
    and still so after the file was written (no editor notice: the file is not open)."""
    caller = tmp_path / "caller_h34.py"
    caller.write_text("import numpy as np\nfrom helper_h34 import act\n\n\n"
                      "def f(x):\n    return np.sum(act(x))\n")
    uri = client.open(caller.read_text(), uri=caller.as_uri())

    async def hover() -> str:
        result = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=4, character=4)))
        return result.contents.value

    assert "cannot find the module 'helper_h34'" in await hover()
    (tmp_path / "helper_h34.py").write_text(
        "import numpy as np\n\n\ndef act(v):\n    return np.tanh(v)\n")
    assert "cannot find" not in await hover() and "tanh" in await hover()
    client.close(uri)


async def test_an_untitled_buffer_finds_no_module_in_the_server_s_directory(client: Client):
    """An untitled buffer has no folder: its URI was taken for a path relative to the
    server's working directory (here the repository), whose modules it then followed
    while the hover on the call said there was no rule (hunt 34 bug 8)."""
    uri = client.open("import numpy as np\nfrom benchmarks.problems import logistic\n\n\n"
                      "def f(w, X, y):\n    return logistic(w, X, y) * 2.0\n",
                      uri="untitled:Untitled-34")
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=4, character=4)))
    assert "cannot find the module 'benchmarks.problems'" in result.contents.value
    client.close(uri)


async def test_a_request_whose_params_do_not_validate_is_answered_with_an_error(client: Client):
    """A hover at line -1: pygls dropped it (the client waited forever) and showed an
    "Invalid Params" error window; now the request gets an InvalidParams response."""
    uri = client.open("import numpy as np\n\n\ndef f(x):\n    return np.sum(np.sin(x))\n")
    position = types.Position(line=0, character=0)
    object.__setattr__(position, "line", -1)  # (lsprotocol validates on assignment)
    with pytest.raises(JsonRpcException) as error:
        await asyncio.wait_for(client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position)), 10)
    assert error.value.code == -32602
    hover = await client.text_document_hover_async(types.HoverParams(  # and goes on serving
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(3, 4)))
    assert "df_dx" in hover.contents.value
    client.close(uri)
