"""Code action "Generate derivative of f" over a real stdio connection.

The edit is applied to the text, the edited module is written to a temporary
directory and imported, and the inserted derivative is checked against central
finite differences.
"""

from __future__ import annotations

import numpy as np
import pytest
from lsprotocol import types

from tangent_lsp.engine import derive

from .helpers import (
    NOT_DIFFERENTIABLE,
    LOSS,
    Client,
    central_differences,
    client_fixture,
    import_file,
    point_range,
    position_of,
    relative_error,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture()


async def actions_at(client: Client, uri: str, needle: str, only=None, trigger=None):
    text = client.texts[uri]
    result = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=point_range(position_of(text, needle)),
        context=types.CodeActionContext(diagnostics=[], only=only, trigger_kind=trigger),
    ))
    return result or []


async def resolve_and_apply(client: Client, action: types.CodeAction) -> None:
    resolved = await client.code_action_resolve_async(action)
    assert resolved.edit is not None, resolved
    assert client.apply(resolved.edit)


def check_numerically(tmp_path, text: str, name: str, wrt: list[int]) -> None:
    path = tmp_path / f"edited_{name}.py"
    path.write_text(text)
    module = import_file(path, f"edited_{name}_{abs(hash(text))}")
    args = module.data()
    got = getattr(module, name)(*args)
    got = got if isinstance(got, tuple) else (got,)
    assert len(got) == len(wrt)
    for value, index in zip(got, wrt):
        expected = central_differences(module.loss, args, index)
        assert relative_error(value, expected) < 1e-6


async def test_primary_action_inserts_a_correct_derivative(client: Client,
                                                           tmp_path):
    uri = client.open(LOSS)
    actions = await actions_at(client, uri, "r = h - y")
    titles = [a.title for a in actions]
    assert titles[0] == "Generate derivative of loss"
    assert "Generate derivative of loss w.r.t. b" in titles
    assert "Generate derivative of loss w.r.t. all arguments (W, b, X, y)" in titles
    assert all(a.kind == types.CodeActionKind.RefactorRewrite for a in actions)
    assert all(a.edit is None for a in actions)  # computed on resolve
    assert titles[-1] == "Generate forward-mode derivative of loss"

    await resolve_and_apply(client, actions[0])
    text = client.texts[uri]
    expected = derive(LOSS, "loss", wrt=("W",))
    assert expected.header + "\n" + expected.code.rstrip("\n") in text
    for line in expected.imports:
        assert text.count(line) == 1
    # directly below loss, before data()
    assert text.index("def loss(") < text.index(expected.header) < text.index("def data(")
    check_numerically(tmp_path, text, expected.name, [0])


async def test_regenerate_replaces_instead_of_adding(client: Client, tmp_path):
    uri = client.open(LOSS)
    first = await actions_at(client, uri, "def loss")
    await resolve_and_apply(client, first[0])
    once = client.texts[uri]

    again = await actions_at(client, uri, "def loss")
    assert again[0].title == "Regenerate derivative of loss"
    await resolve_and_apply(client, again[0])
    assert client.texts[uri] == once  # same derivative, same place, imports once

    # edit loss, regenerate: still one copy, now matching the new loss
    edited = once.replace("r = h - y", "r = 2.0 * h - y")
    client.change(uri, edited)
    actions = await actions_at(client, uri, "def loss")
    await resolve_and_apply(client, actions[0])
    text = client.texts[uri]
    assert text.count("# tangent-lsp: d(loss)/d(W)") == 1
    assert text.count("def dloss_dW(") == 1
    assert text.count("from tangent_lsp.runtime import") == 1
    check_numerically(tmp_path, text, "dloss_dW", [0])


async def test_variants_other_and_all_arguments(client: Client, tmp_path):
    uri = client.open(LOSS)
    actions = await actions_at(client, uri, "return np.mean")
    by_title = {a.title: a for a in actions}
    await resolve_and_apply(client, by_title["Generate derivative of loss w.r.t. b"])
    actions = await actions_at(client, uri, "return np.mean")
    by_title = {a.title: a for a in actions}
    # the w.r.t. b one exists now; the others are still "Generate"
    assert "Regenerate derivative of loss w.r.t. b" in by_title
    await resolve_and_apply(
        client, by_title["Generate derivative of loss w.r.t. all arguments (W, b, X, y)"])
    text = client.texts[uri]
    assert text.count("from tangent_lsp.runtime import") == 1
    check_numerically(tmp_path, text, "dloss_db", [1])
    check_numerically(tmp_path, text, "dloss_dW_db_dX_dy", [0, 1, 2, 3])


async def test_edit_is_versioned(client: Client):
    uri = client.open(LOSS)
    actions = await actions_at(client, uri, "def loss")
    resolved = await client.code_action_resolve_async(actions[0])
    change = resolved.edit.document_changes[0]
    assert change.text_document.version == client.versions[uri]
    # the user types before applying it: the client rejects the stale edit
    client.change(uri, client.texts[uri] + "\n# typed\n")
    assert not client.apply(resolved.edit)


async def test_not_differentiable_is_disabled_with_the_reason(client: Client):
    uri = client.open(NOT_DIFFERENTIABLE)
    actions = await actions_at(client, uri, "y = np.tanh")
    assert len(actions) == 1
    assert actions[0].disabled is not None
    assert "cannot tell what 'mystery' is" in actions[0].disabled.reason
    # asking for code actions is not asking for a derivative: no diagnostics
    assert not client.diagnostics.get(uri)


async def test_only_filter_and_outside_functions(client: Client):
    uri = client.open(LOSS)
    assert await actions_at(client, uri, "import numpy") == []
    quickfix_only = await actions_at(client, uri, "def loss",
                                     only=[types.CodeActionKind.QuickFix])
    assert quickfix_only == []
    refactor = await actions_at(client, uri, "def loss", only=[types.CodeActionKind.Refactor])
    assert refactor and refactor[0].title == "Generate derivative of loss"


async def test_syntax_error_means_no_action(client: Client):
    uri = client.open(LOSS.replace("r = h - y", "r = h -"))
    assert await actions_at(client, uri, "def loss") == []


async def test_forward_mode_variant(client: Client, tmp_path):
    uri = client.open(LOSS)
    actions = await actions_at(client, uri, "def loss")
    await resolve_and_apply(client, actions[0])  # reverse mode first: both must coexist
    actions = await actions_at(client, uri, "def loss")
    forward = [a for a in actions if "forward-mode" in a.title]
    assert [a.title for a in forward] == ["Generate forward-mode derivative of loss"]
    await resolve_and_apply(client, forward[0])
    text = client.texts[uri]
    expected = derive(LOSS, "loss", mode="forward")
    assert expected.header + "\n" + expected.code.rstrip("\n") in text
    assert text.index("def dloss_dW(") < text.index("def tloss_dW(") < text.index("def data(")
    actions = await actions_at(client, uri, "def loss")
    titles = [a.title for a in actions]
    assert "Regenerate derivative of loss" in titles
    assert "Regenerate forward-mode derivative of loss" in titles

    path = tmp_path / "forward_edited.py"
    path.write_text(text)
    module = import_file(path, "forward_edited")
    W, b, X, y = module.data()
    direction = np.linspace(-1.0, 1.0, W.size).reshape(W.shape)
    eps = 1e-6
    numeric = (module.loss(W + eps * direction, b, X, y)
               - module.loss(W - eps * direction, b, X, y)) / (2 * eps)
    assert relative_error(module.tloss_dW(W, b, X, y, direction), numeric) < 1e-6
    assert relative_error(np.sum(module.dloss_dW(W, b, X, y) * direction), numeric) < 1e-6


async def test_lightbulb_requests_use_only_what_is_known(client: Client):
    automatic = types.CodeActionTriggerKind.Automatic
    uri = client.open(NOT_DIFFERENTIABLE)
    # nothing derived yet: offered, without the forward-mode variant (not known to work)
    (action,) = await actions_at(client, uri, "y = np.tanh", trigger=automatic)
    assert action.title == "Generate derivative of squash" and action.disabled is None
    # once someone invoked the menu, the lightbulb knows too
    await actions_at(client, uri, "y = np.tanh", trigger=types.CodeActionTriggerKind.Invoked)
    (action,) = await actions_at(client, uri, "y = np.tanh", trigger=automatic)
    assert action.disabled is not None
    uri = client.open(LOSS)
    await actions_at(client, uri, "def loss")
    titles = [a.title for a in await actions_at(client, uri, "def loss", trigger=automatic)]
    assert titles[-1] == "Generate forward-mode derivative of loss"
