"""The server never imports or runs the user's code.

The module below writes a marker file when imported (top level), when its
function runs (body), and when a module it imports is imported. Every
feature is exercised on it, from the unsaved buffer and from disk; no marker
may appear.
"""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from .helpers import Client, client_fixture, import_file, point_range, position_of

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture()

USER = '''import numpy as np
import side_effects
from side_effects import scale

open({marker!r}, "a").write("top level ran\\n")


def loss(w, x):
    open({marker!r}, "a").write("body ran\\n")
    h = np.tanh(x @ w) * scale(2.0)
    return np.sum(h * h)


# tangent-lsp: d(loss)/d(w), from loss (source 00000000)
def dloss_dw(w, x, bloss=1.0):
    open({marker!r}, "a").write("stale derivative ran\\n")
    return w
'''

SIDE_EFFECTS = '''open({marker!r}, "a").write("imported module ran\\n")


def scale(v):
    open({marker!r}, "a").write("callee ran\\n")
    return v
'''


async def test_no_feature_runs_user_code(client: Client, tmp_path):
    marker = tmp_path / "MARKER"
    (tmp_path / "side_effects.py").write_text(SIDE_EFFECTS.format(marker=str(marker)))
    source = USER.format(marker=str(marker))
    path = tmp_path / "user_module.py"
    path.write_text(source)
    uri = path.as_uri()
    client.open(source, uri=uri)
    document = types.TextDocumentIdentifier(uri=uri)

    # stale warning for the derivative with a wrong hash (published on open)
    diagnostics = await client.diagnostics_for(uri, lambda ds: len(ds) >= 1)
    assert any(d.code == "stale-derivative" for d in diagnostics)

    lines = source.splitlines()
    for line, text in enumerate(lines):
        for character in {0, 4, 10, len(text)}:
            position = types.Position(line=line, character=character)
            await client.text_document_hover_async(
                types.HoverParams(text_document=document, position=position))
            actions = await client.text_document_code_action_async(types.CodeActionParams(
                text_document=document, range=point_range(position),
                context=types.CodeActionContext(diagnostics=list(diagnostics))))
            for action in actions or []:
                if action.data is not None:
                    await client.code_action_resolve_async(action)
    await client.text_document_code_lens_async(types.CodeLensParams(text_document=document))
    result = await client.raw_request("tangent/gradient",
                                      {"textDocument": {"uri": uri}, "function": "loss"})
    await client.workspace_text_document_content_async(
        types.TextDocumentContentParams(uri=result["uri"]))
    await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="tangent.showGradient", arguments=[uri, "loss"]))
    await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="tangent.insertDerivative", arguments=[uri, "loss"]))
    # and from disk, for a file the client never opened
    other = tmp_path / "closed_module.py"
    other.write_text(source)
    await client.raw_request("tangent/gradient",
                             {"textDocument": {"uri": other.as_uri()}, "function": "loss"})
    with pytest.raises(JsonRpcException):
        await client.raw_request("tangent/gradient",
                                 {"textDocument": {"uri": other.as_uri()}, "function": "nope"})
    client.change(uri, client.texts[uri].replace("x @ w", "x @ w + 1.0"))
    await client.diagnostics_for(uri, lambda ds: True)
    await asyncio.sleep(0.5)

    assert "def dloss_dw2(" not in client.texts[uri]
    assert position_of(client.texts[uri], "def loss") is not None
    assert not marker.exists(), marker.read_text()

    # the marker does work: importing the module and calling loss writes it
    import sys

    sys.path.insert(0, str(tmp_path))
    try:
        module = import_file(path, "user_module_for_marker_check")
        module.loss(np.ones((2, 2)), np.ones((3, 2)))
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("side_effects", None)
    assert marker.read_text().splitlines() == [
        "imported module ran", "top level ran", "body ran", "callee ran"]


@pytest.mark.parametrize("command", [["serve"], ["--help"]])
def test_started_in_the_project_it_imports_nothing_from_there(tmp_path, command):
    """An editor may start `python -m tangent_lsp serve` in the user's folder, where `-m`
    puts the folder first on sys.path: a `numpy.py` or `inspect.py` there must not run."""
    import subprocess
    import sys

    marker = tmp_path / "ran.txt"
    for name in ("numpy", "inspect", "pygls", "lsprotocol", "gast"):
        (tmp_path / f"{name}.py").write_text(f"open({str(marker)!r}, 'a').write('{name}\\n')\n")
    subprocess.run([sys.executable, "-m", "tangent_lsp", *command], cwd=tmp_path, input=b"",
                   capture_output=True, timeout=60)
    assert not marker.exists(), marker.read_text()
