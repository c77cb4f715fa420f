"""The halves of the derivatives of a caller's helpers (``dg_dx_forward``,
``dg_dx_backward``) over a real stdio connection: named apart from another derivative's
halves, recognized as part of the caller's block (helpers of helpers, helpers imported
from another file) so Regenerate replaces them, and without code lenses of their own.
Found by a search of the server after callee derivatives were split (hunt 20)."""

from __future__ import annotations

import ast
import collections
import importlib.util
import uuid
from pathlib import Path

import numpy as np
import pytest
from lsprotocol import types

from .helpers import Client, central_differences, client_fixture, point_range, position_of, relative_error

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture()


def doc(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


async def generate(client: Client, uri: str, needle: str, title: str | None = None) -> str:
    """Resolve and apply the first code action at ``needle`` (or the one titled so)."""
    text = client.texts[uri]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=doc(uri), range=point_range(position_of(text, needle)),
        context=types.CodeActionContext(diagnostics=[]))) or []
    action = next(a for a in actions if a.title == title) if title else actions[0]
    resolved = await client.code_action_resolve_async(action)
    assert resolved.edit is not None and client.apply(resolved.edit)
    return client.texts[uri]


def defs(text: str) -> collections.Counter:
    return collections.Counter(s.name for s in ast.parse(text).body if isinstance(s, ast.FunctionDef))


def load(text: str, directory: Path, name: str):
    path = directory / f"{name}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(name + uuid.uuid4().hex[:6], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


VARIANTS_SOURCE = '''import numpy as np


def softmax(z):
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


def loss(w, v):
    p = softmax(w * v)
    return np.sum(p * p)
'''


async def test_two_variants_do_not_define_the_same_callee_half_twice(client: Client):
    uri = client.open(VARIANTS_SOURCE)
    await generate(client, uri, "def loss")                      # w.r.t. w
    text = await generate(client, uri, "def loss", title="Generate derivative of loss w.r.t. v")
    counts = defs(text)
    assert counts["dsoftmax_dz_forward"] == 1 and counts["dsoftmax_dz_backward"] == 1, counts


async def test_regenerated_variant_is_shadowed_by_the_other_variants_stale_halves(client: Client, tmp_path):
    uri = client.open(VARIANTS_SOURCE)
    await generate(client, uri, "def loss")
    await generate(client, uri, "def loss", title="Generate derivative of loss w.r.t. v")
    client.change(uri, client.texts[uri].replace("e = np.exp(z - np.max(z))",
                                                 "e = np.exp(2.0 * (z - np.max(z)))"))
    text = await generate(client, uri, "def loss", title="Regenerate derivative of loss")  # w.r.t. w, fresh
    m = load(text, tmp_path, "r1mod")
    w, v = np.array([0.3, -0.2, 0.5]), np.array([1.0, 2.0, -1.0])
    got = m.dloss_dw(w, v)
    expected = central_differences(m.loss, [w, v], 0)
    assert relative_error(got, expected) < 1e-6, (got, expected)


SHARED_SOURCE = '''import numpy as np


def layer(W, x):
    return np.tanh(W @ x)


def loss_a(W, x):
    h = layer(W, x)
    return np.sum(h * h)


def loss_b(W, x):
    h = layer(W, x)
    return np.sum(np.sin(h))
'''


async def test_each_callee_half_is_defined_once(client: Client):
    uri = client.open(SHARED_SOURCE)
    await generate(client, uri, "def loss_a")
    text = await generate(client, uri, "def loss_b")
    assert defs(text)["dlayer_dW_backward"] == 1, defs(text)


async def test_regenerated_caller_uses_its_own_fresh_half(client: Client, tmp_path):
    uri = client.open(SHARED_SOURCE)
    await generate(client, uri, "def loss_a")
    await generate(client, uri, "def loss_b")
    client.change(uri, client.texts[uri].replace("return np.tanh(W @ x)", "return np.tanh(W @ x) * 2.0"))
    text = await generate(client, uri, "def loss_a")   # regenerate loss_a only
    m = load(text, tmp_path, "r2mod")
    rng = np.random.default_rng(0)
    W, x = rng.standard_normal((3, 4)), rng.standard_normal(4)
    got = m.dloss_a_dW(W, x)          # raises TypeError or is wrong: loss_b's old half wins
    assert relative_error(got, central_differences(m.loss_a, [W, x], 0)) < 1e-6


OTHER_FILE_LAYERS = "import numpy as np\n\n\ndef dense(W, x):\n    return np.tanh(x @ W)\n"
OTHER_FILE_MODEL = ("import numpy as np\n\nfrom .layers import dense\n\n\n"
         "def loss(W, x):\n    h = dense(W, x)\n    return np.sum(h * h)\n")


async def test_regenerate_replaces_the_other_files_callee_halves(client: Client, tmp_path):
    pkg = tmp_path / "proj"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "layers.py").write_text(OTHER_FILE_LAYERS)
    (pkg / "model.py").write_text(OTHER_FILE_MODEL)
    uri = client.open(OTHER_FILE_MODEL, uri=(pkg / "model.py").as_uri())
    once = await generate(client, uri, "def loss")
    assert defs(once)["ddense_dW_backward"] == 1
    twice = await generate(client, uri, "def loss")   # "Regenerate derivative of loss"
    assert twice == once, [n for n in defs(twice).elements()]


NESTED_SOURCE = '''import numpy as np


def act(z):
    return np.tanh(z) * 0.5 + 0.5 * z


def layer(W, x):
    return act(x @ W)


def loss(W, x):
    return np.sum(layer(W, x))
'''


async def test_regenerate_after_editing_inner_helper(client: Client):
    uri = client.open(NESTED_SOURCE)
    once = await generate(client, uri, "def loss")
    client.change(uri, once.replace("0.5 * z", "0.25 * z * z"))
    twice = await generate(client, uri, "def loss")   # Regenerate
    counts = defs(twice)
    assert all(v == 1 for v in counts.values()), counts


async def test_unchanged_regenerate_is_idempotent(client: Client):
    uri = client.open(NESTED_SOURCE)
    once = await generate(client, uri, "def loss")
    assert await generate(client, uri, "def loss") == once


LENSES_SOURCE = '''import numpy as np


def layer(W, x):
    e = np.exp(x @ W)
    return e / np.sum(e)


def loss(W, x):
    h = layer(W, x)
    return np.sum(h * h)
'''


async def test_no_lenses_on_generated_callee_halves(client: Client):
    uri = client.open(LENSES_SOURCE)
    text = await generate(client, uri, "def loss")
    assert "def dlayer_dW_forward(" in text
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(text_document=doc(uri)))
    lines = text.splitlines()
    on = sorted({lines[lens.range.start.line].split("(")[0] for lens in lenses})
    assert on == ["def layer", "def loss"], on


RENAMED_SOURCE = "import numpy as np\n\n\ndef loss(W1, x):\n    return np.sum(np.tanh(x @ W1))\n"


async def test_no_error_about_a_parameter_that_no_longer_exists(client: Client):
    """The derivative asked for (w.r.t. W1) is deleted and W1 renamed: the remembered
    request was derived again on every change, a permanent "'loss' has no argument 'W1'"."""
    import asyncio

    uri = client.open(RENAMED_SOURCE)
    text = await generate(client, uri, "def loss")
    head = text[:text.index("\n\n\n# tangent-lsp")] + "\n"
    client.change(uri, head.replace("W1", "Wa"))
    await asyncio.sleep(1.5)
    messages = [d.message for d in client.diagnostics.get(uri, [])]
    assert not any("no argument 'W1'" in m for m in messages), messages


ALIASED_LAYERS = ("import numpy as np\n\nSCALE = 0.5\n\n\n"
                  "def dense(W, x):\n    return np.tanh(SCALE * (x @ W))\n")
ALIASED_MODEL = ("import numpy as np\n\nfrom .layers import dense\n"
                 "from {pkg}.layers import SCALE as layers_SCALE\n\nSCALE = 3.0\n\n\n"
                 "def loss(W, x):\n    h = dense(W, x)\n    return np.sum(h * h) * SCALE\n")


async def test_an_alias_imported_before_is_read_again(client: Client, tmp_path):
    """The callee's SCALE, imported under an alias by a derivative inserted before, is read
    through that alias: each insertion added another (layers_SCALE2, 3, ...)."""
    pkg = tmp_path / "aliaspkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "layers.py").write_text(ALIASED_LAYERS)
    text = ALIASED_MODEL.format(pkg="aliaspkg")
    (pkg / "model.py").write_text(text)
    uri = client.open(text, uri=(pkg / "model.py").as_uri())
    after = await generate(client, uri, "def loss")
    assert "layers_SCALE2" not in after and after.count("SCALE as layers_SCALE") == 1, after
