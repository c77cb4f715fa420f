"""The derivation key (``dependencies.fingerprint``): the same after edits the derivation
cannot see, different after every edit it can."""

from __future__ import annotations

import pytest

from tangent_lsp.server import locate
from tangent_lsp.server.dependencies import fingerprint
from tangent_lsp.server.edits import blanked_lines

TEXT = '''import numpy as np

SCALE = 2.0
g = lambda v: v * v


def square(v):
    return v * v


def f(x):
    return np.sum(square(np.sin(x))) * SCALE


def other(x):
    return np.sum(np.cos(x))


def alias_user(x):
    return np.sum(g(x)) + np.sum(square(x))
'''


def reads(text: str, function: str = "f"):
    parsed = locate.parse(text)
    return fingerprint(parsed, function, blanked_lines(parsed, function, ("x",), "reverse"))


def key(text: str, function: str = "f"):
    return reads(text, function).key


@pytest.mark.parametrize("before, after", [
    ("np.cos(x)", "np.tanh(x) + 1.0"),                   # an unrelated function's body
    ("return np.sum(np.cos(x))", "y = np.cos(x)\n    return np.sum(y)"),  # longer, below f
])
def test_edits_in_functions_f_does_not_reach_keep_its_key(before, after):
    assert before in TEXT
    assert key(TEXT) == key(TEXT.replace(before, after))


@pytest.mark.parametrize("before, after", [
    ("return np.sum(square(np.sin(x))) * SCALE", "return np.sum(square(np.tanh(x))) * SCALE"),
    ("return v * v", "return v * v * v"),                # a callee
    ("SCALE = 2.0", "SCALE = 3.0"),                      # a constant it reads
    ("g = lambda v: v * v", "g = lambda v: v"),          # any module-level statement
    ("import numpy as np", "import numpy as np\nimport math"),  # imports
    ("def other(x):", "def t(x):"),                      # the names its temporaries avoid
])
def test_edits_f_can_see_change_its_key(before, after):
    assert before in TEXT
    assert key(TEXT) != key(TEXT.replace(before, after, 1))


def test_a_function_f_mentions_is_read_whatever_it_does_with_it():
    text = TEXT + "\n\ndef passes(x):\n    return np.sum(list(map(square, x)))\n"
    assert key(text, "passes") != key(text.replace("return v * v", "return v + v"), "passes")


def test_a_decorated_function_is_read_even_if_nothing_calls_it():
    text = TEXT + "\n\n@some_rule\ndef rule(x):\n    return x\n"
    assert key(text) != key(text.replace("return x\n", "return x + 1\n"))


def test_an_earlier_derivative_of_f_is_not_read():
    derived = TEXT.replace("\n\ndef other", (
        "\n\n# tangent-lsp: d(f)/d(x), from f (source 00000000)\n"
        "def df_dx(x, bf=1.0):\n    return x\n\n\ndef other"))
    edited = derived.replace("    return x\n\n\ndef other", "    return x + 1\n\n\ndef other")
    assert key(derived) == key(edited)


def test_a_def_moved_across_an_import_of_its_name_changes_the_key():
    """``def np`` above ``import numpy as np`` is replaced by the import; below it, it
    replaces the import: the engine reads the last binding."""
    above = ("def np(v):\n    return v\nimport numpy as np\nfrom numpy import sin\n\n\n"
             "def f(x):\n    return sin(x)\n")
    below = ("# (moved)\n#\nimport numpy as np\nfrom numpy import sin\ndef np(v):\n"
             "    return v\ndef f(x):\n    return sin(x)\n")
    assert key(above) != key(below)  # (f does not name np: the derivative's imports do)


def test_lines_added_above_move_the_spans_and_keep_the_key():
    """The derivative is moved, not derived again (``placement.py``)."""
    moved = TEXT.replace("\ndef square", "\n\n\ndef square")
    before, after = reads(TEXT), reads(moved)
    assert before.key == after.key
    # import, SCALE, g stay; square and f move two lines down
    assert before.spans == ((1, 1), (3, 3), (4, 4), (7, 8), (11, 12))
    assert after.spans == ((1, 1), (3, 3), (4, 4), (9, 10), (13, 14))


def test_a_line_added_inside_a_function_read_changes_the_key():
    assert key(TEXT) != key(TEXT.replace("    return v * v", "\n    return v * v"))
