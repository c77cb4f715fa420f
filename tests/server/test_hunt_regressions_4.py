"""Server bugs found by a fourth search (session 15), each with the request that showed
it: a function defined twice, a lightbulb on a client that cannot resolve actions, a
one-line ``if``, a file with old Mac line endings."""

from __future__ import annotations

import pytest
import pytest_lsp
from lsprotocol import types

from .helpers import CONFIG, Client, capabilities, client_fixture, point_range, position_of

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture()

TWICE = '''import numpy as np


def f(x):
    return np.sum(np.sin(x))


def f(x):
    return np.sum(x ** 3)
'''


async def actions_at(client: Client, uri: str, text: str, needle: str, automatic=False):
    trigger = types.CodeActionTriggerKind.Automatic if automatic else None
    return await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=point_range(position_of(text, needle)),
        context=types.CodeActionContext(diagnostics=[], trigger_kind=trigger)))


async def hover_at(client: Client, uri: str, text: str, needle: str, occurrence: int = 0):
    return await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=position_of(text, needle, occurrence)))


async def test_a_function_defined_again_is_derived_and_inserted_as_the_last_definition(
    client: Client,
):
    """Python binds ``f`` to its last ``def``, which the engine differentiates; the server
    took the first for where to insert and what to show (``# Grad of: return np.sum(x **
    3)`` below the first ``f``, shown on hovering it)."""
    uri = client.open(TWICE)
    assert await actions_at(client, uri, TWICE, "def f") is None  # the replaced one
    replaced = await hover_at(client, uri, TWICE, "f(x)")
    assert replaced.contents.value.startswith("`f` is defined again on line 8")
    assert await hover_at(client, uri, TWICE, "return np.sum(np.sin") is None
    hover = await hover_at(client, uri, TWICE, "f(x)", occurrence=1)
    assert "x ** 3" in hover.contents.value and "np.sin" not in hover.contents.value
    actions = await actions_at(client, uri, TWICE, "return np.sum(x ** 3)")
    resolved = await client.code_action_resolve_async(actions[0])
    assert client.apply(resolved.edit)
    text = client.texts[uri]
    assert text.index("def df_dx(") > text.index("x ** 3") and text.count("def df_dx(") == 1
    client.close(uri)


async def test_hovering_the_keyword_of_a_one_line_if_quotes_the_if(client: Client):
    text = "import numpy as np\n\n\ndef g(x):\n    if np.sum(x) > 0: x = x * 2\n    return np.sum(x * x)\n"
    uri = client.open(text)
    hover = await hover_at(client, uri, text, "if np")  # quoted its body, `x = x * 2`
    assert hover.contents.value.startswith("Adjoint of line 5: `if np.sum(x) > 0:")
    assert hover.range.start.character == 4
    client.close(uri)


async def test_old_mac_line_endings_are_kept_in_an_inserted_derivative(client: Client):
    text = "import numpy as np\r\r\rdef h(x):\r    return np.sum(x * x)\r"
    uri = client.open(text)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=point_range(types.Position(line=4, character=4)),  # `return`, lines end in \r
        context=types.CodeActionContext(diagnostics=[])))
    resolved = await client.code_action_resolve_async(actions[0])
    assert client.apply(resolved.edit)
    assert "\n" not in client.texts[uri] and "def dh_dx(" in client.texts[uri]
    client.close(uri)


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def no_resolve(lsp_client: Client):
    caps = capabilities()
    caps.text_document.code_action.resolve_support = None
    await lsp_client.initialize_session(types.InitializeParams(capabilities=caps))
    yield
    await lsp_client.shutdown_session()


LONG = "import numpy as np\n\n\ndef long(x, a, b, c):\n" + "".join(
    f"    x = np.sin(x * a + {i}.0) * b + c\n" for i in range(40)
) + "    return np.sum(x)\n"


async def test_the_lightbulb_of_a_client_without_resolve_derives_nothing(no_resolve: Client):
    """A client that cannot resolve actions gets each action's edit with it: the lightbulb
    (asked on every cursor move) derived all six variants of the function each time."""
    client = no_resolve
    uri = client.open(LONG)
    assert await actions_at(client, uri, LONG, "return", automatic=True) is None
    invoked = await actions_at(client, uri, LONG, "return")
    assert len(invoked) >= 5 and all(a.edit is not None for a in invoked)
    cached = await actions_at(client, uri, LONG, "return", automatic=True)
    assert [a.title for a in cached] == [a.title for a in invoked]  # derived by now
    client.close(uri)


async def test_a_function_being_typed_below_keeps_the_hover_of_the_finished_one(
    client: Client,
):
    """Any syntax error in the file took every hover away: while a new function was typed
    below a finished one, hovering the finished one showed nothing for 21 of 31 keystrokes.
    Its derivative still shows; no action is offered on text that does not parse."""
    done = "import numpy as np\n\n\ndef loss(x):\n    return np.sum(np.tanh(x))\n\n\n"
    typed = "def other(x):\n    y = np.tanh(x"
    uri = client.open(done)
    for k in range(1, len(typed) + 1, 3):
        client.change(uri, done + typed[:k])
        hover = await hover_at(client, uri, done, "loss(x)")
        assert hover is not None and "def dloss_dx(" in hover.contents.value, typed[:k]
    assert await actions_at(client, uri, done + typed, "return") is None
    client.close(uri)
