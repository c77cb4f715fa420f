"""The rule files themselves: every name a template reads is one it can resolve.

A template's free name that is neither a parameter, a local, ``d``, numpy, a runtime
helper the rule file imports, nor a builtin is printed into the derivative as it is,
where it raises NameError only when that rule runs (``reduced_count`` used by the var
tangent without an import did).
"""

import builtins

import gast
import pytest

from tangent_lsp.engine.templates import library


def _templates():
    rules = library()
    seen = {}
    for table in (rules.adjoints, rules.tangents):
        for template in table.values():
            seen[id(template)] = template
    return sorted(seen.values(), key=lambda t: (t.source_file, t.node.lineno))


def _unresolved(template) -> set[str]:
    bound = {"d", template.result, *template.params, *template.helpers, *template.numpy_names}
    if template.vararg:
        bound.add(template.vararg)
    reads = set()
    for node in (n for stmt in template.node.body for n in gast.walk(stmt)):
        if isinstance(node, gast.Name):
            if isinstance(node.ctx, gast.Load):
                reads.add(node.id)
            else:
                bound.add(node.id)
    return {name for name in reads - bound if not hasattr(builtins, name)}


TEMPLATES = _templates()


def test_the_library_has_templates():
    assert len(TEMPLATES) > 300


@pytest.mark.parametrize(
    "template", TEMPLATES, ids=lambda t: f"{t.source_file.rsplit('/', 1)[-1]}:{t.node.name}"
)
def test_every_name_a_template_reads_resolves(template):
    assert _unresolved(template) == set()


def test_every_template_is_a_body_the_engine_expands():
    assert [t.node.name for t in TEMPLATES if t.problem is not None] == []
