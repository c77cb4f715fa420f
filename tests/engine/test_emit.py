"""The printer's own gast → ast conversion prints exactly what gast's converter does."""

import ast
import inspect

import gast
import pytest

from tangent_lsp.engine import DiffError, derive, emit
from tests.engine import test_control_flow, test_programs


def _functions(module):
    return [
        (module, name) for name, value in vars(module).items()
        if inspect.isfunction(value) and value.__module__ == module.__name__
        and not name.startswith(("test_", "_"))
    ]


@pytest.mark.parametrize("module,name", _functions(test_programs) + _functions(test_control_flow)[:20],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_fast_conversion_prints_what_gast_prints(module, name, monkeypatch):
    printed = []

    def both(node):
        fast = emit._to_ast(node)
        printed.append((ast.unparse(fast), ast.unparse(ast.fix_missing_locations(gast.gast_to_ast(node)))))
        return printed[-1][0]

    monkeypatch.setattr(emit, "to_source", both)
    try:
        derive(inspect.getsource(module), name)
    except DiffError:
        pytest.skip("not differentiable: nothing printed")  # not a test of this module
    assert printed
    for fast, reference in printed:
        assert fast == reference
