"""Hovers: the derivative on a function's name, the adjoint of a statement, the rule of a
call, and a one-line reason where the code cannot be differentiated."""

from __future__ import annotations

import pytest
from lsprotocol import types

from tangent_lsp.engine import derive

from .helpers import LOSS, NOT_DIFFERENTIABLE, Client, client_fixture, position_of

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture()


async def hover(client: Client, uri: str, needle: str, offset: int = 0) -> str | None:
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=position_of(client.texts[uri], needle, offset=offset)))
    if result is None:
        return None
    assert result.contents.kind == types.MarkupKind.Markdown
    return result.contents.value


async def test_function_name_shows_the_derivative(client: Client):
    uri = client.open(LOSS)
    text = await hover(client, uri, "loss(", offset=2)
    expected = derive(LOSS, "loss")
    assert expected.header in text
    assert expected.code.rstrip() in text
    assert text.startswith("```python")
    assert "command:tangent.showGradient" in text


async def test_long_derivative_is_shortened(client: Client):
    body = "\n".join(f"    x{i + 1} = np.sin(x{i}) * 0.5" for i in range(25))
    source = f"import numpy as np\n\n\ndef deep(x0):\n{body}\n    return np.sum(x25)\n"
    uri = client.open(source)
    text = await hover(client, uri, "deep")
    assert "more lines" in text
    assert text.count("\n") < 45
    assert "[Show gradient](command:tangent.showGradient" in text


async def test_statement_shows_its_grad_of_block(client: Client):
    uri = client.open(LOSS)
    text = await hover(client, uri, "r = h - y")
    expected = derive(LOSS, "loss")
    line = LOSS.splitlines().index("    r = h - y") + 1
    block = [expected.code.splitlines()[i - 1].strip() for i in expected.source_map[line]]
    assert "# Grad of: r = h - y" in block
    for code_line in block:
        assert code_line in text
    assert text.startswith(f"Adjoint of line {line}")


async def test_call_with_a_rule_shows_the_rule(client: Client):
    uri = client.open(LOSS)
    text = await hover(client, uri, "np.tanh", offset=4)
    assert "d[x] = d[y] * (1.0 - y * y)" in text
    assert "numpy.tanh" in text


async def test_operator_and_method_rules(client: Client):
    source = LOSS.replace("return np.mean(r * r)", "return (r * r).sum()")
    uri = client.open(source)
    matmul = await hover(client, uri, "@")
    assert "numpy.matmul" in matmul and "d[" in matmul
    method = await hover(client, uri, "sum()")
    assert "numpy.ndarray.sum" in method and "d[" in method


async def test_not_differentiable_says_why_in_one_line(client: Client):
    uri = client.open(NOT_DIFFERENTIABLE)
    on_call = await hover(client, uri, "mystery")
    assert "\n" not in on_call and "mystery" in on_call
    on_name = await hover(client, uri, "squash")
    assert "\n" not in on_name
    assert on_name.startswith("Cannot differentiate `squash` (line 6)")
    on_statement = await hover(client, uri, "y = np.tanh", offset=0)
    assert "\n" not in on_statement and "cannot tell what 'mystery' is" in on_statement
    # hovering is not asking for a derivative: no diagnostics published
    assert not client.diagnostics.get(uri)


async def test_nothing_outside_functions(client: Client):
    uri = client.open(LOSS)
    assert await hover(client, uri, "import numpy") is None
    assert await hover(client, uri, '"""A small') is None
