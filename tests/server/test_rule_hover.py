"""The hover over a call or method (rule_hover.py) and the lines a statement's hover
shows (locate.statement_lines): plain functions, no server."""

from __future__ import annotations

import ast

from tangent_lsp.engine import derive
from tangent_lsp.server import locate
from tangent_lsp.server.rule_hover import rule_markdown

SOURCE = """import numpy as np


def helper(r):
    return r * 2.0


def f(x, W):
    h = np.tanh(W @ x)
    s = np.sign(h)
    hs = []
    hs.append(h * s)
    return np.sum(helper(hs[0]))
"""


def _target(needle: str, offset: int = 0):
    parsed = locate.parse(SOURCE)
    index = SOURCE.index(needle) + offset
    line = SOURCE.count("\n", 0, index)
    point = (line + 1, index - SOURCE.rfind("\n", 0, index) - 1)  # 1-based line
    return locate.target_at(parsed, locate.function_at(parsed, point), point), parsed


def test_a_rule_in_the_editor_mode_or_else_reverse_mode():
    target, parsed = _target("np.tanh")
    reverse = rule_markdown(target, "reverse", parsed)
    forward = rule_markdown(target, "forward", parsed)
    assert "numpy.tanh" in reverse and "numpy.tanh" in forward and reverse != forward
    assert rule_markdown(_target("@ x")[0], "forward", parsed) is not None


def test_why_there_is_no_rule():
    parsed = locate.parse(SOURCE)
    assert "numpy.sign" in rule_markdown(_target("np.sign")[0], "reverse", parsed)
    method = rule_markdown(_target(".append", 1)[0], "reverse", parsed)
    assert method is not None and "append" in method  # followed by the engine itself
    assert "helper" in rule_markdown(_target("helper(hs")[0], "reverse", parsed)


def test_statement_lines_are_the_functions_own():
    derivative = derive(SOURCE, "f", wrt="W")
    code = derivative.code.splitlines()
    helper, f = (n for n in ast.parse(SOURCE).body if isinstance(n, ast.FunctionDef))
    lines = locate.statement_lines(derivative, f.body[0])  # h = np.tanh(W @ x)
    assert code[lines[0] - 1].strip() == "# Grad of: h = np.tanh(W @ x)"
    assert "matmul_adjoint_a(" in code[lines[-1] - 1]
    assert locate.statement_lines(derivative, f.body[1]) == []  # np.sign: inactive
    # the callee's derivative maps lines of the callee: not read as the caller's line 5
    assert derivative.source_map.get(helper.body[0].lineno)
    assert locate.statement_lines(derivative, helper.body[0]) == []
