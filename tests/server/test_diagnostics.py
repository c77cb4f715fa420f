"""Diagnostics from DiffError: only for derivatives someone asked for, at the exact range."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types

from .helpers import LOSS, NOT_DIFFERENTIABLE, Client, client_fixture, position_of

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture()


async def show_gradient(client: Client, uri: str, function: str):
    return await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="tangent.showGradient", arguments=[uri, function]))


async def test_nobody_asked_no_diagnostics(client: Client):
    uri = client.open(NOT_DIFFERENTIABLE)
    published = await client.diagnostics_for(uri, lambda ds: True)
    assert published == []
    await asyncio.sleep(0.5)  # and nothing arrives later either
    assert list(client.diagnostics[uri]) == []


async def test_asked_then_fixed(client: Client):
    uri = client.open(NOT_DIFFERENTIABLE)
    result = await show_gradient(client, uri, "squash")
    assert result["code"] is None and "mystery" in result["error"]
    (diagnostic,) = await client.diagnostics_for(uri, lambda ds: len(ds) == 1)
    assert diagnostic.range.start == position_of(NOT_DIFFERENTIABLE, "mystery(y)")
    assert diagnostic.code == "call"
    assert "(hint: import it at the top of the module, or define it there)" in diagnostic.message
    # fixing the function clears it, without asking again
    client.change(uri, NOT_DIFFERENTIABLE.replace("mystery(y)", "np.exp(y)"))
    assert await client.diagnostics_for(uri, lambda ds: ds == []) == []
    # breaking it again brings it back (the function was asked about)
    client.change(uri, NOT_DIFFERENTIABLE)
    await client.diagnostics_for(uri, lambda ds: len(ds) == 1)


async def test_range_is_utf16_on_non_ascii_lines(client: Client):
    source = NOT_DIFFERENTIABLE.replace("mystery(y)", 'mystery("😀é", y)')
    uri = client.open(source)
    await show_gradient(client, uri, "squash")
    (diagnostic,) = await client.diagnostics_for(uri, lambda ds: len(ds) == 1)
    call = 'mystery("😀é", y)'
    assert diagnostic.range.start == position_of(source, call)
    assert diagnostic.range.end == position_of(source, call, offset=len(call))
    # UTF-16: the emoji is two code units
    assert diagnostic.range.end.character - diagnostic.range.start.character == len(call) + 1


async def test_other_functions_stay_quiet(client: Client):
    source = LOSS + "\n\ndef broken(x):\n    return np.sum(mystery(x))\n"
    uri = client.open(source)
    await show_gradient(client, uri, "loss")  # fine
    published = await client.diagnostics_for(uri, lambda ds: True)
    assert published == []
    await show_gradient(client, uri, "broken")
    (diagnostic,) = await client.diagnostics_for(uri, lambda ds: len(ds) == 1)
    assert "'broken'" in diagnostic.message


async def test_closing_clears(client: Client):
    uri = client.open(NOT_DIFFERENTIABLE)
    await show_gradient(client, uri, "squash")
    await client.diagnostics_for(uri, lambda ds: len(ds) == 1)
    client.close(uri)
    await client.diagnostics_for(uri, lambda ds: ds == [])


VIEW_WRITE = '''import numpy as np


def scale_first_column(A, s):
    B = A * 1.0
    col = B[:, 0]
    B[:, 0] = col * s
    return np.sum(np.sin(col))
'''


async def test_a_write_through_a_view_is_shown_at_the_read(client: Client):
    """NumPy changes ``col`` when ``B[:, 0]`` is written: the engine says so instead of
    differentiating it as a copy, underlining the read and quoting both lines."""
    uri = client.open(VIEW_WRITE)
    result = await show_gradient(client, uri, "scale_first_column")
    assert result["code"] is None and "view" in result["error"]
    (diagnostic,) = await client.diagnostics_for(uri, lambda ds: len(ds) == 1)
    assert diagnostic.code == "write through a view"
    assert diagnostic.range.start == position_of(VIEW_WRITE, "np.sin(col)")  # the read
    assert "(col = B[:, 0])" in diagnostic.message and "(B[:, 0] = col * s)" in diagnostic.message
    client.change(uri, VIEW_WRITE.replace("col = B[:, 0]", "col = B[:, 0].copy()"))
    assert await client.diagnostics_for(uri, lambda ds: ds == []) == []
