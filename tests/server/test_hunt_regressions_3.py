"""Server bugs found by a third search (session 11), each with the request that showed
it: a document asked for under another spelling of its URI, a quick fix resolved after
its document was closed, and a module that imports ``__main__``."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from .helpers import LOSS, Client, client_fixture, point_range, position_of

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture()


async def command(client: Client, name: str, *arguments):
    return await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command=name, arguments=list(arguments)))


def spellings(path: Path) -> list[str]:
    text = str(path)
    return [f"file:{text}", f"file://localhost{text}", f"FILE://{text}",
            f"file://{path.parent}/./{path.name}", f"file://{text}#top"]


@pytest.mark.parametrize("spelling", range(5))
async def test_another_spelling_of_an_open_document_uses_the_open_text(
    client: Client, tmp_path: Path, spelling: int
):
    """The file on disk differs from the unsaved buffer: the edit must be computed from the
    buffer and carry its version (it was computed from the disk, with no version)."""
    path = tmp_path / "model.py"
    path.write_text("import numpy as np\n\n\ndef other(x):\n    return np.sum(x)\n")
    buffer = "# unsaved lines\n# above the model\n\n" + LOSS
    uri = client.open(buffer, uri=path.as_uri(), version=7)
    client.applied.clear()
    result = await command(client, "tangent.insertDerivative", spellings(path)[spelling], "loss")
    assert result == {"applied": True}
    (change,) = client.applied[-1].edit.document_changes
    assert change.text_document.uri == uri and change.text_document.version == 7
    assert "def dloss_dW(" in client.texts[uri] and client.texts[uri].startswith("# unsaved")
    client.close(uri)


async def test_a_quick_fix_resolved_after_its_document_closed_edits_nothing(
    client: Client, tmp_path: Path
):
    path = tmp_path / "closed.py"
    path.write_text(LOSS)
    uri = client.open(LOSS, uri=path.as_uri())
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=point_range(position_of(LOSS, "def loss")),
        context=types.CodeActionContext(diagnostics=[])))
    assert actions
    client.close(uri)
    resolved = await client.code_action_resolve_async(actions[0])
    assert resolved.edit is None  # offered for version 1 of a buffer: not for the file


async def test_a_module_importing_main_gets_the_usual_answer(client: Client):
    text = "import numpy as np\nimport __main__\n\n\ndef f(x):\n    return np.sum(__main__.g(x))\n"
    uri = client.open(text)
    result = await command(client, "tangent.showGradient", uri, "f")
    assert result["code"] is None and "no derivative rule for '__main__.g'" in result["error"]
