"""A derivative is kept while the user types where it cannot see (another function),
and derived again after any edit it can see: its function, a function it calls, a
module-level statement, a top-level name its temporaries must avoid, its line numbers."""

from __future__ import annotations

import pytest
from lsprotocol import types

from tangent_lsp.engine import derive

from .helpers import Client, client_fixture, position_of

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture()

TEXT = '''import numpy as np


def square(v):
    return v * v


def f(x):
    s = np.sin(x)
    return np.sum(square(s) * np.cos(x))


def other(x):
    return np.sum(np.tanh(x))
'''


def source_map(derivative) -> dict[str, list[int]]:
    return {str(k): list(v) for k, v in derivative.source_map.items()}


async def hover(client: Client, uri: str, needle: str, occurrence: int = 0) -> str:
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=position_of(client.texts[uri], needle, occurrence)))
    return result.contents.value


async def test_typing_in_another_function_keeps_the_derivative_and_a_callee_edit_updates_it(
    client: Client,
):
    uri = client.open(TEXT)
    first = await hover(client, uri, "f(x)")
    assert "bv = bsquare * 2.0 * v" in first
    client.change(uri, client.texts[uri].replace("np.tanh(x)", "np.tanh(x) * 2.0"))
    assert await hover(client, uri, "f(x)") == first
    client.change(uri, client.texts[uri].replace(
        "return np.sum(np.tanh(x) * 2.0)", "y = np.tanh(x)\n    return np.sum(y)"))
    assert await hover(client, uri, "f(x)") == first  # longer, below f
    client.change(uri, client.texts[uri].replace("return v * v", "return v * v * v"))
    changed = await hover(client, uri, "f(x)")
    assert "bv = bsquare * 2.0 * v" not in changed and "bsquare" in changed
    client.close(uri)


async def test_a_new_top_level_name_is_avoided_by_the_temporaries(client: Client):
    uri = client.open(TEXT)
    assert "cos_x = np.cos(x)" in await hover(client, uri, "f(x)")
    client.change(uri, client.texts[uri] + "\n\ndef cos_x():\n    return 0.0\n")
    renamed = await hover(client, uri, "f(x)")
    assert "cos_x = np.cos(x)" not in renamed and "cos_x2 = np.cos(x)" in renamed
    client.close(uri)


async def test_lines_inserted_above_move_the_statement_hovers(client: Client):
    uri = client.open(TEXT)
    assert (await hover(client, uri, "s = np.sin")).startswith("Adjoint of line 9:")
    client.change(uri, client.texts[uri].replace("    return v * v\n", "    w = v\n    return w * v\n"))
    assert (await hover(client, uri, "s = np.sin")).startswith("Adjoint of line 10:")
    client.close(uri)


async def test_a_line_added_at_the_top_moves_the_kept_derivative(client: Client):
    """Enter at the top of the file moves every statement: the derivative is kept (not
    derived again, see benchmarks/lsp_latency.py) and its source map moves with it."""
    uri = client.open(TEXT)
    params = {"textDocument": {"uri": uri}, "function": "f"}
    before = await client.raw_request("tangent/gradient", params)
    assert before["sourceMap"] == source_map(derive(TEXT, "f"))
    moved = "\n# notes\n" + TEXT
    client.change(uri, moved)
    after = await client.raw_request("tangent/gradient", params)
    assert after["sourceMap"] == source_map(derive(moved, "f")) != before["sourceMap"]
    assert after["code"] == before["code"]
    assert (await hover(client, uri, "s = np.sin")).startswith("Adjoint of line 11:")
    client.close(uri)
