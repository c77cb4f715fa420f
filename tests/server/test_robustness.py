"""Half-typed code, syntax errors, empty files, non-ASCII text, untitled: URIs, CRLF and a
5,000-line file: the server answers or returns nothing, and never crashes."""

from __future__ import annotations

import time

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tangent_lsp.engine import derive

from .helpers import LOSS, Client, client_fixture, point_range, position_of

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture()

NASTY = {
    "empty": "",
    "only_newlines": "\n\n\n",
    "half_typed": "import numpy as np\n\ndef f(x):\n    return np.\n",
    "unclosed": "import numpy as np\n\ndef f(x:\n    y = np.tanh(x\n",
    "def_only": "def",
    "indent": "def f(x):\nreturn x\n",
    "null_byte": "def f(x):\n    return x\0\n",
    "nested": "def f(x):\n    return " + "(" * 300 + "x" + ")" * 300 + "\n",
    "long_sum": "def f(x):\n    return " + " + ".join(["x"] * 3000) + "\n",
    "async": "import numpy as np\n\nasync def f(x):\n    return np.tanh(x)\n",
    "lambda_only": "f = lambda x: x\n",
    "class": "import numpy as np\n\nclass A:\n    def f(self, x):\n        return np.tanh(x)\n",
    "non_ascii": 'import numpy as np\n\n\ndef pérdida(x):\n    s = "😀é"\n'
                 '    return np.sum(np.tanh(x))  # 😀😀\n',
    "crlf": LOSS.replace("\n", "\r\n"),
    "no_newline_at_end": "import numpy as np\n\n\ndef f(x):\n    return np.sum(x * x)",
    "no_args": "import numpy as np\n\n\ndef f():\n    return np.sum(1.0)\n",
    "star_args": "import numpy as np\n\n\ndef f(*xs, **kw):\n    return np.sum(xs[0])\n",
    "decorated": "import functools\nimport numpy as np\n\n\n@functools.lru_cache\n"
                 "def f(x):\n    return np.sin(x)\n",
}


async def exercise(client: Client, uri: str, text: str) -> None:
    """Every feature at many positions; errors may come back, crashes may not."""
    lines = text.splitlines() or [""]
    positions = [types.Position(line=i, character=c) for i in range(len(lines))
                 for c in (0, 4, 9, len(lines[i]), len(lines[i]) + 5)]
    positions.append(types.Position(line=len(lines) + 3, character=0))
    for position in positions:
        document = types.TextDocumentIdentifier(uri=uri)
        await client.text_document_hover_async(types.HoverParams(
            text_document=document, position=position))
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=document, range=point_range(position),
            context=types.CodeActionContext(diagnostics=[])))
        for action in (actions or [])[:1]:
            if action.data is not None:
                await client.code_action_resolve_async(action)
        try:
            await client.raw_request("tangent/gradient", {
                "textDocument": {"uri": uri},
                "position": {"line": position.line, "character": position.character}})
        except JsonRpcException:
            pass
    await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))


async def alive(client: Client) -> None:
    uri = client.open(LOSS)
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=position_of(LOSS, "loss(")))
    assert "def dloss_dW(" in result.contents.value


@pytest.mark.parametrize("name", sorted(NASTY))
async def test_nasty_documents(client: Client, name: str):
    text = NASTY[name]
    uri = client.open(text)
    await exercise(client, uri, text)
    # typing through it, one character at a time at the end
    for i in range(1, min(len(text), 40)):
        client.change(uri, text[: len(text) - i])
    await exercise(client, uri, client.texts[uri])
    await alive(client)


async def test_untitled_uri(client: Client):
    uri = client.open(LOSS, uri="untitled:Untitled-1")
    await exercise(client, uri, LOSS)
    result = await client.raw_request("tangent/gradient",
                                      {"textDocument": {"uri": uri}, "function": "loss"})
    assert result["code"] == derive(LOSS, "loss").code
    assert result["uri"].startswith("tangent-gradient:")
    text = await client.workspace_text_document_content_async(
        types.TextDocumentContentParams(uri=result["uri"]))
    assert text.text == result["code"]


async def test_unknown_uri_gives_nothing(client: Client):
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri="untitled:never-opened"),
        position=types.Position(line=0, character=0)))
    assert hover is None
    with pytest.raises(JsonRpcException):
        await client.raw_request("tangent/gradient",
                                 {"textDocument": {"uri": "file:///no/such/file.py"},
                                  "function": "f"})
    await alive(client)


async def test_non_ascii_positions(client: Client):
    text = NASTY["non_ascii"]
    uri = client.open(text)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=position_of(text, "pérdida", offset=3)))
    assert f"def {derive(text, 'pérdida').name}(" in hover.contents.value
    name = position_of(text, "pérdida")
    assert hover.range == types.Range(start=name, end=position_of(text, "pérdida", offset=7))
    # the tanh after an emoji-free prefix, and the insertion after a line ending in emoji
    rule = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=position_of(text, "tanh")))
    assert "numpy.tanh" in rule.contents.value
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=point_range(position_of(text, "s = ")),
        context=types.CodeActionContext(diagnostics=[])))
    resolved = await client.code_action_resolve_async(actions[0])
    assert client.apply(resolved.edit)
    edited = client.texts[uri]
    assert "return np.sum(np.tanh(x))  # 😀😀\n\n\n# tangent-lsp: d(pérdida)/d(x)" in edited
    compile(edited, "edited", "exec")


async def test_crlf_document(client: Client):
    text = NASTY["crlf"]
    uri = client.open(text)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=point_range(position_of(text, "r = h - y")),
        context=types.CodeActionContext(diagnostics=[])))
    resolved = await client.code_action_resolve_async(actions[0])
    assert client.apply(resolved.edit)
    edited = client.texts[uri]
    compile(edited, "edited", "exec")
    assert edited.index("def loss(") < edited.index("def dloss_dW(") < edited.index("def data(")


async def test_five_thousand_lines(client: Client):
    functions = [
        f"def f{i}(x, W):\n    h = np.tanh(x @ W)\n    return np.sum(h * h)\n\n" for i in range(1000)
    ]
    text = "import numpy as np\n\n\n" + "\n".join(functions)
    assert len(text.splitlines()) >= 5000
    uri = client.open(text)
    document = types.TextDocumentIdentifier(uri=uri)
    started = time.monotonic()
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=document, position=position_of(text, "f777(")))
    assert "def df777_dx(" in hover.contents.value
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=document, range=point_range(position_of(text, "f999(")),
        context=types.CodeActionContext(diagnostics=[])))
    assert actions[0].title == "Generate derivative of f999"
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=document))
    assert len(lenses) == 2000
    assert time.monotonic() - started < 30
