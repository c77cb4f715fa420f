"""Server bugs found by a second search over a real stdio connection, each with the
request that showed it: a refresh loop, percent-encoded URIs, moved and renamed
derivatives, forward-mode quick fixes, decorated classes, trailing comments, blank
lines, syntax errors elsewhere, async functions, and a few positions."""

from __future__ import annotations

import ast
import asyncio
import collections
import time
from urllib.parse import unquote

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from .helpers import LOSS, NOT_DIFFERENTIABLE, Client, client_fixture, point_range, position_of

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture()


def doc(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


async def generate(client: Client, uri: str, needle: str, pick: int = 0, diagnostics=()) -> str:
    """Resolve and apply the code action number ``pick`` at ``needle``; the new text."""
    text = client.texts[uri]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=doc(uri), range=point_range(position_of(text, needle)),
        context=types.CodeActionContext(diagnostics=list(diagnostics))))
    resolved = await client.code_action_resolve_async(actions[pick])
    assert client.apply(resolved.edit)
    return client.texts[uri]


def defs(text: str) -> collections.Counter:
    return collections.Counter(line.split("(")[0] for line in text.splitlines()
                               if line.startswith("def "))


class CountingDiagnostics(dict):
    """pytest-lsp stores each publication in ``client.diagnostics``: count them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.published: list[str] = []

    def __setitem__(self, key, value):
        self.published.append(key)
        super().__setitem__(key, value)


async def test_an_open_gradient_document_of_a_failing_function_publishes_once(client: Client):
    uri = client.open(LOSS)
    result = await client.raw_request("tangent/gradient",
                                      {"textDocument": {"uri": uri}, "function": "loss"})
    await client.workspace_text_document_content_async(
        types.TextDocumentContentParams(uri=result["uri"]))
    counting = client.diagnostics = CountingDiagnostics(client.diagnostics)
    client.change(uri, LOSS.replace("r = h - y", "r = mystery(h) - y"))
    await client.diagnostics_for(uri, lambda ds: any("mystery" in d.message for d in ds))
    await asyncio.sleep(1.0)
    assert counting.published.count(uri) == 1, f"{counting.published.count(uri)} publications"


@pytest.mark.parametrize("uri", ["file:///tmp/tangent-lsp-tests/my%20model.py",
                                 "file:///c%3A/tangent-lsp-tests/model.py"])
async def test_saving_another_file_keeps_the_errors_of_a_percent_encoded_uri(client: Client, uri):
    uri = client.open(NOT_DIFFERENTIABLE, uri=uri)
    with pytest.raises(JsonRpcException):
        await client.raw_request("tangent/gradient",
                                 {"textDocument": {"uri": uri}, "function": "squash"})
    await client.diagnostics_for(uri, lambda ds: len(ds) == 1)
    counting = client.diagnostics = CountingDiagnostics(client.diagnostics)
    other = client.open(LOSS)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=doc(other)))
    deadline = time.monotonic() + 5.0
    while uri not in counting.published and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert uri in counting.published  # refreshed, under the client's own spelling
    assert len(client.diagnostics[uri]) == 1
    assert not [u for u in counting.published if u != uri and unquote(u) == unquote(uri)]
    client.close(uri)


async def test_a_derivative_moved_to_the_end_is_regenerated_where_it_is(client: Client):
    uri = client.open(LOSS)
    text = await generate(client, uri, "def loss")
    start, end = text.index("# tangent-lsp:"), text.index("\n\n\ndef data")
    block = text[start:end]
    moved = text[:start].rstrip("\n") + "\n" + text[end:] + "\n\n" + block + "\n"
    client.change(uri, moved.replace("return np.mean(r * r)", "return np.mean(r * r) * 2.0"))
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="tangent.insertDerivative", arguments=[uri, "loss"]))
    assert result == {"applied": True}
    after = client.texts[uri]
    assert defs(after)["def dloss_dW"] == 1, after
    assert after.index("def data(") < after.index("def dloss_dW(")  # still at the end
    assert "2.0" in after[after.index("def dloss_dW("):]


async def test_regenerating_a_renamed_derivative_replaces_it_and_keeps_its_name(client: Client):
    uri = client.open(LOSS)
    text = await generate(client, uri, "def loss")
    text = text.replace("def dloss_dW(", "def grad_loss(")
    text = text.replace("    return np.mean(r * r)", "    return np.mean(r * r) * 2.0", 1)
    client.change(uri, text)
    stale = await client.diagnostics_for(
        uri, lambda ds: any(d.code == "stale-derivative" for d in ds))
    after = await generate(client, uri, "# tangent-lsp:", diagnostics=stale)
    assert after.count("# tangent-lsp: d(loss)/d(W)") == 1, after
    assert defs(after)["def grad_loss"] == 1 and "dloss_dW" not in after, after
    await client.diagnostics_for(uri, lambda ds: not any(d.code == "stale-derivative" for d in ds))


async def test_a_stale_forward_derivative_is_regenerated_in_forward_mode(client: Client):
    # the user's tf_dx makes the forward-mode derivative tf_dx2: its name says nothing
    text = ("import numpy as np\n\n\ndef f(x):\n    return np.sum(np.tanh(x))\n\n\n"
            "def tf_dx(a):\n    return a\n")
    uri = client.open(text)
    text = await generate(client, uri, "def f", pick=1)
    assert "def tf_dx2(" in text and "[forward]" in text
    client.change(uri, text.replace("np.tanh(x))\n", "np.tanh(x)) * 2.0\n", 1))
    stale = await client.diagnostics_for(
        uri, lambda ds: any(d.code == "stale-derivative" for d in ds))
    after = await generate(client, uri, "# tangent-lsp:", diagnostics=stale)
    assert "def df_dx(" not in after and defs(after)["def tf_dx2"] == 1, after
    assert after.count("[forward]") == 1


@pytest.mark.parametrize("decorated", [
    "@dataclass\nclass Config:\n    lr: float = 0.1\n",
    "@dataclass\nasync def fetch():\n    return 1\n",
])
async def test_imports_go_above_the_decorator_of_the_first_statement(client: Client, decorated):
    text = (decorated + "\n\nimport numpy as np\nfrom dataclasses import dataclass\n\n\n"
            "def f(x, y):\n    return np.mean(np.tanh(x) * y)\n")
    uri = client.open(text)
    after = await generate(client, uri, "def f(x")
    ast.parse(after)
    assert after.startswith("from tangent_lsp.runtime import "), after


async def test_a_comment_ending_the_function_stays_with_it(client: Client):
    text = ("import numpy as np\n\n\ndef f(x):\n    y = np.tanh(x)\n    return np.sum(y)\n"
            "    # return np.sum(y * y)\n\n\ndef g(x):\n    return x\n")
    uri = client.open(text)
    after = await generate(client, uri, "def f")
    head = text[:text.index("\n\n\ndef g")]
    assert after.startswith(head + "\n\n\n# tangent-lsp: d(f)/d(x)"), after
    assert "\n\n\ndef g(x)" in after


async def test_inserted_derivatives_have_two_blank_lines_around_them(client: Client):
    text = ("import numpy as np\n\n\ndef layer(W, x):\n    return np.tanh(W @ x)\n\n\n"
            "def loss(W, x):\n    return np.sum(layer(W, x))\nresult = None\n")
    uri = client.open(text)
    after = await generate(client, uri, "def loss")
    for line in ("def dlayer_dW_backward(", "result = None"):  # a callee's derivative, the code after
        assert f"\n\n\n{line}" in after and f"\n\n\n\n{line}" not in after, after


async def test_a_syntax_error_elsewhere_is_what_the_commands_say(client: Client):
    uri = client.open(LOSS + "\n\ndef half(:\n")
    with pytest.raises(JsonRpcException) as raised:
        await client.raw_request("tangent/gradient",
                                 {"textDocument": {"uri": uri}, "function": "loss"})
    assert "the module has a syntax error" in str(raised.value)
    for name in ("tangent.showGradient", "tangent.insertDerivative"):
        result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
            command=name, arguments=[uri, "loss"]))
        assert result["error"] == "the module has a syntax error", result
    assert any("syntax error" in m.message for m in client.messages)


ASYNC = "import numpy as np\n\n\nasync def f(x):\n    return np.sum(np.tanh(x))\n"


async def test_an_async_def_says_why_it_cannot_be_differentiated(client: Client):
    uri = client.open(ASYNC)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=doc(uri), position=position_of(ASYNC, "f(x)")))
    assert "async def is not supported" in hover.contents.value
    (action,) = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=doc(uri), range=point_range(position_of(ASYNC, "return")),
        context=types.CodeActionContext(diagnostics=[])))
    assert "async def is not supported" in action.disabled.reason
    with pytest.raises(JsonRpcException) as raised:
        await client.raw_request("tangent/gradient", {"textDocument": {"uri": uri}, "function": "f"})
    assert "async def is not supported" in str(raised.value)
    (diagnostic,) = await client.diagnostics_for(uri, lambda ds: len(ds) == 1)
    assert "async def is not supported" in diagnostic.message


async def hover_at(client: Client, uri: str, needle: str, offset: int = 0) -> types.Hover | None:
    return await client.text_document_hover_async(types.HoverParams(
        text_document=doc(uri), position=position_of(client.texts[uri], needle, offset=offset)))


async def test_decorators_defaults_and_annotations_have_no_hover(client: Client):
    text = ("import functools\nimport numpy as np\n\n\n@functools.lru_cache(maxsize=None)\n"
            "def f(x: np.ndarray, s=np.sqrt(2.0)):\n    return np.sum(np.tanh(x)) * s\n")
    uri = client.open(text)
    for needle in ("lru_cache", "ndarray", "sqrt"):
        assert await hover_at(client, uri, needle) is None, needle
    assert "tanh" in (await hover_at(client, uri, "tanh")).contents.value


async def test_a_statement_hover_is_the_statement_under_the_cursor(client: Client):
    text = ("import numpy as np\n\n\ndef f(x):\n    a = x * 2.0; b = np.tanh(a)  # squash\n"
            "    return np.sum(b)\n")
    uri = client.open(text)
    second = await hover_at(client, uri, "b = np", offset=1)
    assert second.range.start == position_of(text, "b = np"), second.range
    assert "`b = np.tanh(a)`" in second.contents.value, second.contents.value
    first = await hover_at(client, uri, "a = x", offset=1)
    assert first.range.end == position_of(text, "; b")
    assert "`a = x * 2.0`" in first.contents.value, first.contents.value


async def test_the_name_of_a_def_written_with_nfkc_letters(client: Client):
    text = "import numpy as np\n\n\ndef 𝑓(x):\n    return np.sum(np.tanh(x))\n"
    uri = client.open(text)
    hover = await hover_at(client, uri, "𝑓")
    assert "def df_dx(" in hover.contents.value
    start = position_of(text, "𝑓")
    assert hover.range == types.Range(start=start, end=position_of(text, "(x)"))
