"""The tree helpers the passes share agree with each other."""

import collections

import gast
import pytest

from tangent_lsp.engine import syntax as S
from tangent_lsp.engine.dead_code import popped_lists

SOURCES = [
    "y = np.sin(x) * x + w[0, 1:3]",
    "a, (b, c) = f(x, k=y), z",
    "for i in range(n):\n    if x[i] > 0:\n        s = s + x[i] ** 2\n    else:\n        t = -s",
    "bx[i] += g * (1.0 - y)",
    "return {'a': [x, y], 'b': (z,)}",
    "h = tape.pop() + xs.pop() * ys.pop(0)",
]


@pytest.mark.parametrize("source", SOURCES)
def test_name_summary_is_the_four_separate_questions(source):
    tree = gast.parse(source if not source.startswith("return") else f"def f():\n    {source}")
    stmt = tree.body[0]
    loads, stores, size, pops = S.name_summary(stmt)
    assert loads == dict(collections.Counter(S.loaded_names(stmt)))
    assert pops == popped_lists(stmt)
    assert stores == set(S.stored_names(stmt))
    assert size == S.size(stmt)
