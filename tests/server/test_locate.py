"""Finding the function, statement, call or operator at a position."""

from __future__ import annotations

import ast

from tangent_lsp.server import locate

SOURCE = '''import numpy as np
from numpy import exp as e

SCALE = 2.0


@decorator
def loss(W, b, X, y):
    h = np.tanh(X @ W + b)
    r = (h - y).sum()
    if r > 0:
        r = -r
    return np.mean(e(r) * SCALE) + helper(r) + len(y) + W.T.sum()


def helper(v):
    return v


def plain(x):
    np = 3
    return np + x
'''
LINES = SOURCE.splitlines()


def at(needle: str, offset: int = 0, occurrence: int = 0) -> tuple[int, int]:
    index = -1
    for _ in range(occurrence + 1):
        index = SOURCE.index(needle, index + 1)
    index += offset
    line = SOURCE.count("\n", 0, index) + 1
    return line, index - (SOURCE.rfind("\n", 0, index) + 1)


def parsed() -> locate.Parsed:
    result = locate.parse(SOURCE)
    assert result is not None
    return result


def test_parse_tolerates_anything():
    for text in ["def f(:", "", "\0", "x = (" * 500, "def f(x):\n  return x\n y"]:
        result = locate.parse(text)
        assert result is None or isinstance(result.tree, ast.Module)
    assert locate.parse("def f(:") is None


def test_function_at_includes_decorators():
    p = parsed()
    assert locate.function_at(p, at("@decorator")).name == "loss"
    assert locate.function_at(p, at("r = -r")).name == "loss"
    assert locate.function_at(p, at("return v")).name == "helper"
    assert locate.function_at(p, at("SCALE = 2")) is None
    assert locate.function_at(p, (999, 0)) is None


def test_name_span_and_on_name():
    p = parsed()
    span = locate.name_span(p, p.function_named("loss"))
    assert span.start == at("loss(") and span.end == at("loss(", 4)
    assert locate.on_function_name(p, at("loss(", 2)).name == "loss"
    assert locate.on_function_name(p, at("loss(", 4)).name == "loss"  # just after the name
    assert locate.on_function_name(p, at("W, b, X")) is None


def test_statement_at_is_innermost():
    p = parsed()
    func = p.function_named("loss")
    assert ast.unparse(locate.statement_at(p, func, at("r = -r"))) == "r = -r"
    assert isinstance(locate.statement_at(p, func, at("if r > 0")), ast.If)
    assert locate.statement_at(p, func, at("def loss")) is None


def target(needle: str, offset: int = 0, occurrence: int = 0):
    p = parsed()
    point = at(needle, offset, occurrence)
    return locate.target_at(p, locate.function_at(p, point), point)


def test_targets():
    assert (target("np.tanh").key, target("np.tanh").kind) == ("numpy.tanh", "call")
    assert target("tanh").key == "numpy.tanh"
    assert target("e(r)").key == "numpy.exp"
    assert target("@ W").key == "numpy.matmul"
    assert target("+ b").key == "numpy.add"
    assert target("- y").key == "numpy.subtract"
    assert target("-r").key == "numpy.negative"
    assert target(".sum()", 1).key == "numpy.ndarray.sum"
    assert target(".sum()", 1).kind == "method"
    assert target("T.sum", 0).key == "numpy.ndarray.T"
    assert target("helper(r)").key == "__module__.helper"
    assert target("len(").key == "builtins.len"
    assert target("SCALE)") is None  # a module constant: nothing to show
    assert target("h = np") is None  # an assignment target
    assert target("mean").key == "numpy.mean"


def test_local_shadowing_numpy():
    p = parsed()
    func = p.function_named("plain")
    assert not locate.uses_numpy(p, func)
    assert locate.uses_numpy(p, p.function_named("loss"))
    assert not locate.uses_numpy(p, p.function_named("helper"))


def test_parameters_and_locals():
    p = parsed()
    func = p.function_named("loss")
    assert locate.parameters(func) == ["W", "b", "X", "y"]
    assert {"h", "r", "W"} <= locate.local_names(func)


def test_imports():
    assert parsed().imports == {"np": "numpy", "e": "numpy.exp"}


def test_statement_text_is_the_statement_without_its_comment():
    p = locate.parse("def f(x):\n    a = x; b = x  # both\n    for i in range(2):  # twice\n"
                     "        y = g(x,  # first\n              x)\n")
    func = p.function_named("f")
    quoted = [locate.statement_text(p, s) for s in ast.walk(func) if isinstance(s, ast.stmt)][1:]
    assert quoted == ["a = x", "b = x", "for i in range(2):", "y = g(x,"]


def test_a_function_defined_again_is_found_by_its_last_definition():
    """Python binds a name to its last ``def``: that is the one derived, and the earlier
    one is no function anything is offered on."""
    text = "def f(x):\n    return x\n\n\ndef f(x):\n    return 2 * x\n"
    parsed = locate.parse(text)
    first, last = parsed.functions
    assert parsed.function_named("f") is last
    assert parsed.redefined(first) and not parsed.redefined(last)
    assert locate.function_at(parsed, (2, 4)) is None and locate.function_at(parsed, (6, 4)) is last


def test_the_keyword_of_a_one_line_if_is_the_if():
    text = "def g(x):\n    if x > 0: x = x * 2\n    return x\n"
    parsed = locate.parse(text)
    func = parsed.functions[0]
    assert isinstance(locate.statement_at(parsed, func, (2, 5)), ast.If)
    assert isinstance(locate.statement_at(parsed, func, (2, 15)), ast.Assign)


def test_a_block_with_a_syntax_error_is_left_out_of_a_repaired_parse():
    done = "import numpy as np\n\n\ndef loss(x):\n    return np.sum(x)\n\n\n"
    for typed in ("def other(x):\n    y = np.tanh(x", "def other(x):\n    y = (\n\n# a comment\n",
                  "def other(x", "@decorator\ndef other(x):\n    return x +"):
        assert locate.parse(done + typed) is None
        repaired = locate.parse_repaired(done + typed)
        assert [f.name for f in repaired.functions] == ["loss"]
        assert repaired.lines[:5] == done.split("\n")[:5]  # lines keep their numbers
        assert len(repaired.lines) == len(locate.split_lines(done + typed))
    middle = "def a(x):\n    return x\n\ndef b(x):\n    return (x\n\ndef c(x):\n    return x\n"
    assert [f.name for f in locate.parse_repaired(middle).functions] == ["a", "c"]
    assert locate.parse_repaired("    x = (\n") is None  # no top-level line to leave out


def test_a_function_typed_above_a_finished_one_leaves_the_finished_one():
    """`def f(x):` with no body yet is reported on the next def's line: that def was
    blanked (no hover on g while f is typed above it; hunt 34 bug 5)."""
    finished = "def g(x):\n    return np.sum(np.sin(x))\n"
    for text in ("import numpy as np\n\n\ndef f(x):\n    \n\n" + finished,
                 "import numpy as np\n\n\n" + finished + "\n\ndef f(x):\n    \n"):
        parsed = locate.parse_repaired(text)
        assert parsed is not None and parsed.function_named("g") is not None
        assert parsed.function_named("f") is None


def test_imports_follow_the_order_the_module_runs_in():
    """A later `def tanh` replaces `from numpy import tanh` (the hover showed NumPy's rule
    for the module's own function); a `try` block's import counts (hunt 34 bug 7)."""
    later_def = locate.parse("from numpy import tanh, sin\n\n\ndef tanh(v):\n    return v\n")
    assert later_def.imports == {"sin": "numpy.sin"}
    earlier_def = locate.parse("def tanh(v):\n    return v\n\n\nfrom numpy import tanh\n")
    assert earlier_def.imports == {"tanh": "numpy.tanh"}
    tried = locate.parse("try:\n    from numpy import cos\nexcept ImportError:\n    cos = None\n")
    assert tried.imports == {"cos": "numpy.cos"}
