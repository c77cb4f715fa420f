"""Server bugs found by a search over a real stdio connection (session 8), each with the
request that showed it: malformed arguments, a deep expression, an error inside an
imported project file, CRLF documents, a file on disk with a byte-order mark, a closed
document, and an edit racing a change."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from .helpers import LOSS, NOT_DIFFERENTIABLE, Client, client_fixture, position_of

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture()


async def command(client: Client, name: str, *arguments):
    return await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command=name, arguments=list(arguments)))


@pytest.mark.parametrize("position", [
    {"line": "a", "character": 0}, {"line": None, "character": 0}, {"line": 3, "character": "x"},
])
async def test_a_malformed_position_finds_nothing(client: Client, position):
    uri = client.open(LOSS)
    spec = {"textDocument": {"uri": uri}, "position": position}
    assert await command(client, "tangent.showGradient", spec) is None
    assert await command(client, "tangent.insertDerivative", spec) is None
    with pytest.raises(JsonRpcException) as error:
        await client.raw_request("tangent/gradient", spec)
    assert "no such document or function" in str(error.value)


@pytest.mark.parametrize("data", [{"uri": 5}, {"uri": None}, {"uri": ["file:///x.py"], "function": "f"}])
async def test_resolving_malformed_data_returns_the_action(client: Client, data):
    action = types.CodeAction(title="Generate derivative", data=data)
    resolved = await client.code_action_resolve_async(action)
    assert resolved.title == "Generate derivative" and resolved.edit is None


async def test_a_deep_expression_is_reported(client: Client):
    uri = client.open("import numpy as np\n\ndef f(x):\n    return " + " + ".join(["x"] * 300) + "\n")
    with pytest.raises(JsonRpcException) as error:
        await client.raw_request("tangent/gradient", {"textDocument": {"uri": uri}, "function": "f"})
    assert "nested too deeply" in str(error.value)


async def test_an_error_in_an_imported_file_names_that_file(client: Client, tmp_path: Path):
    package = tmp_path / "proj"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "layers.py").write_text(
        "import numpy as np\n\n\ndef bad(x):\n    return np.sum(mystery(x))\n")
    model = package / "model.py"
    text = ("import numpy as np\n\nfrom .layers import bad\n\n\n"
            "def uses_bad(x):\n    y = np.sin(x)\n    return bad(y)\n")
    model.write_text(text)
    uri = client.open(text, uri=model.as_uri())
    result = await command(client, "tangent.showGradient", uri, "uses_bad")
    assert "layers.py, line 5" in result["error"], result
    (diagnostic,) = await client.diagnostics_for(uri, lambda ds: len(ds) == 1)
    assert diagnostic.range.start == types.Position(line=5, character=4)  # the name uses_bad
    assert "layers.py, line 5" in diagnostic.message
    (related,) = diagnostic.related_information
    assert related.location.uri == (package / "layers.py").as_uri()
    assert related.location.range.start.line == 4


async def test_an_inserted_derivative_keeps_crlf_line_endings(client: Client):
    text = LOSS.replace("\n", "\r\n")
    uri = client.open(text)
    result = await command(client, "tangent.insertDerivative", uri, "loss")
    assert result == {"applied": True}
    after = client.texts[uri]
    assert "def dloss_dW(" in after
    assert after.count("\n") == after.count("\r\n"), "a bare LF in a CRLF document"


async def test_a_file_on_disk_with_a_byte_order_mark(client: Client, tmp_path: Path):
    path = tmp_path / "bom.py"
    path.write_bytes(b"\xef\xbb\xbf" + LOSS.encode())
    result = await client.raw_request("tangent/gradient", {
        "textDocument": {"uri": path.as_uri()}, "function": "loss"})
    assert "def dloss_dW(" in result["code"]


async def test_no_diagnostics_for_a_closed_document(client: Client, tmp_path: Path):
    path = tmp_path / "closed.py"
    path.write_text(NOT_DIFFERENTIABLE)
    uri = path.as_uri()
    client.open(NOT_DIFFERENTIABLE, uri=uri)
    client.close(uri)
    await client.diagnostics_for(uri, lambda ds: ds == [])
    result = await command(client, "tangent.showGradient", uri, "squash")  # a stale lens
    assert "mystery" in result["error"]
    await asyncio.sleep(1.0)
    assert list(client.diagnostics[uri]) == []


async def test_an_edit_is_for_the_text_after_a_change_during_its_derivation(client: Client):
    body = "\n".join(f"    x{i + 1} = np.sin(x{i}) * x{i}" for i in range(150))
    text = f"import numpy as np\n\n\ndef big(x0):\n{body}\n    return np.sum(x150)\n"
    uri = client.open(text)
    request = asyncio.ensure_future(command(client, "tangent.insertDerivative", uri, "big"))
    await asyncio.sleep(0.05)
    client.change(uri, "# one\n# two\n" + text)
    assert await request == {"applied": True}
    after = client.texts[uri]
    assert after.startswith("# one\n# two\nimport numpy as np\n")
    compile(after, "after.py", "exec")  # the derivative landed whole, below big
    assert after.index("def big(") < after.index("def dbig_dx0(")


async def test_saving_an_imported_file_renews_the_derivatives_that_call_into_it(
    client: Client, tmp_path: Path
):
    package = tmp_path / "proj2"
    package.mkdir()
    (package / "__init__.py").write_text("")
    layers = package / "layers.py"
    layers.write_text("import numpy as np\n\n\ndef dense(x):\n    return np.sin(x)\n")
    model = package / "model.py"
    text = "import numpy as np\n\nfrom .layers import dense\n\n\ndef f(x):\n    return np.sum(dense(x))\n"
    model.write_text(text)
    uri = client.open(text, uri=model.as_uri())
    spec = {"textDocument": {"uri": uri}, "function": "f"}
    before = (await client.raw_request("tangent/gradient", spec))["code"]
    assert "np.cos(x)" in before
    layers.write_text("import numpy as np\n\n\ndef dense(x):\n    return np.tanh(x)\n")
    client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=layers.as_uri())))
    after = (await client.raw_request("tangent/gradient", spec))["code"]
    assert "np.cos(x)" not in after and "tanh" in after, after


async def hover(client: Client, uri: str, position: types.Position) -> str:
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position))
    return result.contents.value if result else ""


async def test_hovers_on_project_calls_container_methods_and_merged_lines(
    client: Client, tmp_path: Path
):
    package = tmp_path / "proj3"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "layers.py").write_text(
        "import numpy as np\n\n\ndef dense(W, x):\n    return np.tanh(x @ W)\n")
    # layers.py's `return np.tanh(x @ W)` is its line 5, as `def f` is here
    text = ("import numpy as np\n\nfrom .layers import dense\n\ndef f(W, x):\n"
            "    c = np.cos(x)\n    hs = []\n    hs.append(dense(W, x) * c)\n"
            "    t = (W, x)\n    u, v = t\n    return np.sum(hs[0]) + np.sum(u * v)\n")
    model = package / "model.py"
    model.write_text(text)
    uri = client.open(text, uri=model.as_uri())
    on_call = await hover(client, uri, position_of(text, "dense(W, x) *", offset=1))
    assert "comes from `.layers` in your project" in on_call, on_call
    on_method = await hover(client, uri, position_of(text, "append", offset=1))
    assert "on a list or dict" in on_method, on_method
    # with respect to W, `c = np.cos(x)` adds nothing: no line of layers.py's block shows
    on_cos = await hover(client, uri, position_of(text, "c = np.cos", offset=0))
    assert "adds nothing" in on_cos and "tanh" not in on_cos, on_cos
    on_tuple = await hover(client, uri, position_of(text, "t = (W, x)", offset=0))
    assert "adds nothing" not in on_tuple, on_tuple
