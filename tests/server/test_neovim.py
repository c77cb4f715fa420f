"""A second real client: headless Neovim asks for hovers and code actions.

Neovim 0.7 (Debian's ``neovim``; ``scripts/install-neovim.sh`` installs it) starts
the server itself over stdio. Its answers must equal the ones pytest-lsp gets,
and the derivative it inserts, saved by Neovim, must be numerically right.
The test skips only when ``nvim`` is missing outside CI; in CI it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types

from tangent_lsp.engine import derive

from .helpers import (
    LOSS,
    Client,
    central_differences,
    client_fixture,
    import_file,
    point_range,
    position_of,
    relative_error,
)

LUA = Path(__file__).parent / "neovim" / "client.lua"
NVIM = shutil.which("nvim")

if NVIM is None:
    if os.environ.get("CI"):
        pytest.fail("nvim is not installed: run scripts/install-neovim.sh (CI must not skip)",
                    pytrace=False)
    pytest.skip("nvim is not installed (scripts/install-neovim.sh installs Debian's neovim)",
                allow_module_level=True)

client = client_fixture(scope="function")

HOVERS = [("loss(", 2), ("r = h - y", 0), ("np.tanh", 4), ("@", 0)]


def run_neovim(path: Path, hovers, action) -> dict:
    out = path.with_suffix(".json")
    env = dict(os.environ,
               TANGENT_CMD=json.dumps([sys.executable, "-m", "tangent_lsp", "serve"]),
               TANGENT_FILE=str(path), TANGENT_OUT=str(out),
               TANGENT_QUERIES=json.dumps({"hover": hovers, "action": action}))
    completed = subprocess.run(
        [NVIM, "--headless", "--clean", "-c", f"luafile {LUA}"],
        env=env, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    assert out.exists(), f"nvim wrote nothing: {completed.stdout}\n{completed.stderr}"
    result = json.loads(out.read_text())
    assert "error" not in result, result["error"]
    assert completed.returncode == 0, completed.stderr
    return result


@pytest.mark.asyncio
async def test_neovim_gets_the_same_answers(client: Client, tmp_path):
    path = tmp_path / "model.py"
    path.write_text(LOSS)
    positions = [position_of(LOSS, needle, offset=offset) for needle, offset in HOVERS]
    action_at = position_of(LOSS, "r = h - y")
    result = run_neovim(path, [[p.line, p.character] for p in positions],
                        [action_at.line, action_at.character])

    # the same questions through pytest-lsp, on the same file
    uri = path.as_uri()
    client.open(LOSS, uri=uri, version=0)
    expected_hovers = []
    for position in positions:
        reply = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position))
        expected_hovers.append(reply.contents.value)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=point_range(action_at),
        context=types.CodeActionContext(diagnostics=[])))
    assert result["hovers"] == expected_hovers
    assert result["titles"] == [a.title for a in actions]
    assert "d[x] = d[y] * (1.0 - y * y)" in result["hovers"][2]

    # Neovim applied the edit and saved the file: the derivative is there and right
    text = path.read_text()
    expected = derive(LOSS, "loss")
    assert expected.header + "\n" + expected.code.rstrip() in text
    module = import_file(path, "neovim_edited_model")
    args = module.data()
    got = module.dloss_dW(*args)
    assert relative_error(got, central_differences(module.loss, args, 0)) < 1e-6
