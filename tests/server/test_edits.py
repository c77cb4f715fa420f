"""Where derivatives and imports go, and replacing instead of duplicating."""

from __future__ import annotations

from tangent_lsp.engine import derive
from tangent_lsp.server import edits, locate
from tangent_lsp.server import stale as stale_mod

BASE = '''"""Doc."""

import numpy as np


def f(x, y):
    return np.sum(np.tanh(x) * y)


def g(x):
    return x
'''


def insert(text: str, function: str = "f", wrt=None) -> str:
    p = locate.parse(text)
    source = edits.derivation_source(p, function)
    d = derive(source, function, wrt=wrt)
    plan = edits.plan_insertion(p, p.function_named(function), d.header, d.code, d.wrt,
                                d.imports)
    return edits.apply(text, plan.edits)


def test_inserts_below_with_two_blank_lines_and_imports_once():
    text = insert(BASE)
    d = derive(BASE, "f")
    assert "    return np.sum(np.tanh(x) * y)\n\n\n" + d.header + "\n" + d.code.rstrip() \
        + "\n\n\ndef g(x):" in text
    assert text.startswith('"""Doc."""\n\nimport numpy as np\n' + "\n".join(d.imports) + "\n")
    compile(text, "t", "exec")


def test_regenerate_replaces_the_same_wrt():
    once = insert(BASE)
    assert insert(once) == once
    edited = once.replace("np.tanh(x) * y", "np.tanh(x) * y * 2.0", 1)
    again = insert(edited)
    assert again.count("def df_dx(") == 1
    assert again.count("# tangent-lsp: d(f)/d(x)") == 1
    clean = derive(edited.split("\n\n\n# tangent-lsp")[0], "f")  # as if generated afresh
    assert clean.header + "\n" + clean.code.rstrip() in again


def test_other_wrt_goes_after_the_existing_ones():
    both = insert(insert(BASE), wrt=("y",))
    assert both.index("def df_dx(") < both.index("def df_dy(") < both.index("def g(")
    # names are not disturbed by the earlier derivative (no df_dy2, no bf2)
    assert "def df_dy(x, y, bf=1.0)" in both
    assert insert(both, wrt=("y",)) == both
    imports = [line for line in both.splitlines() if line.startswith("from tangent_lsp")]
    assert len(imports) == 1


def test_existing_runtime_import_is_extended():
    text = BASE.replace("import numpy as np\n", "import numpy as np\n"
                        "from tangent_lsp.runtime import unbroadcast\n")
    p = locate.parse(text)
    (edit,) = edits.plan_imports(p, ["from tangent_lsp.runtime import unbroadcast, unreduce"])
    assert edit.text == "from tangent_lsp.runtime import unbroadcast, unreduce"
    assert edit.start == (4, 0)
    assert edits.plan_imports(p, ["from tangent_lsp.runtime import unbroadcast"]) == []


def test_numpy_import_when_missing():
    p = locate.parse("def f(x):\n    return x\n")
    (edit,) = edits.plan_imports(p, ["import numpy as np"])
    assert edits.apply(p.text, [edit]) == "import numpy as np\n\n\ndef f(x):\n    return x\n"
    p = locate.parse('"""Doc."""\ndef f(x):\n    return x\n')
    (edit,) = edits.plan_imports(p, ["import numpy"])
    assert edits.apply(p.text, [edit]).startswith('"""Doc."""\n\nimport numpy\n')
    p = locate.parse("import numpy as np")  # no newline at the end
    (edit,) = edits.plan_imports(p, ["import math"])
    assert edits.apply(p.text, [edit]) == "import numpy as np\nimport math"


def test_function_at_end_of_file_without_newline():
    text = "import numpy as np\n\n\ndef f(x):\n    return np.sum(x * x)"
    out = insert(text)
    assert out.endswith("return bx\n")
    compile(out, "t", "exec")


def test_derivation_source_blanks_old_derivatives_keeping_lines():
    once = insert(BASE)
    p = locate.parse(once)
    blanked = edits.derivation_source(p, "f")
    assert len(blanked.splitlines()) == len(once.splitlines())
    assert "def df_dx" not in blanked
    assert edits.derivation_source(p, "g") == once


def test_apply_handles_crlf_and_order():
    text = "a\r\nbc\r\nd"
    out = edits.apply(text, [edits.Edit((2, 1), (2, 2), "X"), edits.Edit((1, 0), (1, 0), ">")])
    assert out == ">a\r\nbX\r\nd"


CALLS_HELPER = '''import numpy as np


def g(x):
    return np.sin(x)


def f(x):
    return np.sum(g(x) * x)
'''


def test_regenerate_replaces_the_derivatives_of_the_functions_it_calls_too():
    once = insert(CALLS_HELPER)
    assert [n for n in _top_level(once)] == ["g", "f", "df_dx", "dg_dx_backward"]
    edited = once.replace("np.sum(g(x) * x)", "np.sum(g(x) * x * 2.0)", 1)
    again = insert(edited)
    assert [n for n in _top_level(again)] == ["g", "f", "df_dx", "dg_dx_backward"], again
    assert "x * 2.0" in again and insert(again) == again


CALLS_HELPER_WITH_STATE = CALLS_HELPER.replace(
    "    return np.sin(x)\n", "    e = np.exp(x)\n    return e / np.sum(e)\n"
)


def test_regenerate_replaces_both_halves_of_a_callee_derivative():
    """A callee whose backward half reads its own values has a forward half too: the
    caller's derivative calls both, and Regenerate replaces both."""
    once = insert(CALLS_HELPER_WITH_STATE)
    names = ["g", "f", "df_dx", "dg_dx_forward", "dg_dx_backward"]
    assert _top_level(once) == names, once
    again = insert(once.replace("np.sum(g(x) * x)", "np.sum(g(x) * x * 2.0)", 1))
    assert _top_level(again) == names, again
    assert "x * 2.0" in again and insert(again) == again


def _top_level(text: str) -> list[str]:
    import ast

    return [s.name for s in ast.parse(text).body if isinstance(s, ast.FunctionDef)]


def insert_variant(text: str, function: str, wrt: tuple[str, ...]) -> str:
    """As the server does it: only the variant replaced is blanked out of the source."""
    p = locate.parse(text)
    d = derive(edits.derivation_source(p, function, wrt, "reverse"), function, wrt=wrt)
    plan = edits.plan_insertion(p, p.function_named(function), d.header, d.code, d.wrt,
                                d.imports, d.name)
    return edits.apply(text, plan.edits)


TWO_ARGUMENTS = '''import numpy as np


def g(x):
    return np.sin(x) * x


def f(x, w):
    y = g(x) * w
    return np.sum(y * y)
'''


def _run(text: str, name: str):
    namespace: dict = {}
    exec(compile(text, "module.py", "exec"), namespace)
    return namespace[name], namespace["f"]


def test_variants_bring_their_own_callee_derivatives_and_regenerate_in_place():
    import numpy as np

    text = insert_variant(insert_variant(TWO_ARGUMENTS, "f", ("x",)), "f", ("w",))
    names = _top_level(text)
    assert len(names) == len(set(names)), names  # no def shadows another
    edited = text.replace("np.sin(x) * x", "np.sin(x) * x * x", 1)  # the callee changes
    assert stale_mod.stale(locate.parse(edited)), "a callee's change makes f's derivatives stale"
    again = insert_variant(insert_variant(edited, "f", ("x",)), "f", ("w",))
    assert not stale_mod.stale(locate.parse(again))
    names = _top_level(again)
    assert len(names) == len(set(names)) and len(names) == len(_top_level(text)), names
    x, w = np.array([0.3, -1.2]), 0.7
    for name, at in (("df_dx", lambda d: (x + d, w)), ("df_dw", lambda d: (x, w + d))):
        derivative, f = _run(again, name)
        step = np.ones_like(x) * 1e-6 if name == "df_dx" else 1e-6
        expected = (f(*at(step)) - f(*at(-step))) / 2e-6
        assert np.isclose(np.sum(derivative(x, w)), expected, rtol=1e-6)


def test_a_function_defined_below_a_derivative_is_not_part_of_it():
    text = insert_variant(TWO_ARGUMENTS.replace(
        "def g(x):\n    return np.sin(x) * x\n\n\n", "") + "\n\ndef g(x):\n    return np.sin(x) * x\n",
        "f", ("x",))
    p = locate.parse(text)
    (block,) = stale_mod.generated(p)
    assert block.end < p.function_named("g").lineno


def test_a_form_feed_in_a_comment_does_not_make_a_fresh_derivative_stale():
    text = insert_variant(TWO_ARGUMENTS.replace("    y = g(x)", "    # a\x0cb\n    y = g(x)"),
                          "f", ("x",))
    assert not stale_mod.stale(locate.parse(text))


def test_a_renamed_derivative_keeps_its_name_only_when_that_is_a_plain_rename():
    code = "def dloss_dW(W, bloss=1.0):\n    bW = dlayer_dW(W)\n    return bW\n"
    assert edits.keep_name(code, "dloss_dW", "grad_loss").startswith("def grad_loss(W, ")
    assert edits.keep_name(code, "dloss_dW", "dlayer_dW") == code  # used for another
    recursive = code.replace("dlayer_dW(W)", "dloss_dW(W)")
    assert edits.keep_name(recursive, "dloss_dW", "grad_loss") == recursive
    assert edits.keep_name(code, "dloss_dW", "not a name") == code
