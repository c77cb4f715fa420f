"""What the hover over a call or a method says: the derivative rule the engine applies to
it, or why there is none. No LSP types here."""

from __future__ import annotations

from tangent_lsp.engine import DiffError
from tangent_lsp.engine.parse import parse_module
from tangent_lsp.engine.resolve import StaticResolver
from tangent_lsp.engine.templates import RuleLibrary, library

from . import hover as hover_text
from . import locate


# methods of lists and dicts, which the engine follows itself (no rule for them)
_CONTAINER_METHODS = frozenset(("append", "pop", "values", "items", "keys", "get"))


def rule_markdown(
    target: locate.Target, mode: str, parsed: locate.Parsed | None = None,
    path: str | None = None,
) -> str | None:
    """The hover of a call or method: its derivative rule in ``mode`` (reverse mode's if it
    has no tangent rule), or why there is none; a function imported from the project
    (``path``'s neighbours) is differentiated from its source instead."""
    if target.kind == "method" and target.shown.strip(".()") in _CONTAINER_METHODS:
        return hover_text.container_method(target.shown)
    module = locate.imported_from(parsed, target.shown, path) if parsed and target.kind == "call" else None
    if module is not None:
        return hover_text.project_function(target.shown, module)

    rules = _rules(parsed, path)
    table = rules.tangents if mode == "forward" else rules.adjoints
    if target.key is not None and target.key not in table:
        mode, table = "reverse", rules.adjoints
    if target.key is not None and target.key in table:
        template = table[target.key]
        return hover_text.rule(target.key, target.shown, template.result, template.params,
                               template.text, template.vararg, mode)
    if target.key is not None and target.key in rules.nondifferentiable:
        return hover_text.nondifferentiable(target.key, target.shown)
    if target.key is not None and target.key.startswith("__module__."):
        return hover_text.user_function(target.shown) if target.kind == "call" else None
    if target.kind in ("call", "method"):
        return hover_text.no_rule(target.key, target.shown)
    return None


def _rules(parsed: locate.Parsed | None, path: str | None) -> RuleLibrary:
    """The built-in rules plus the document's own (``@adjoint(np.tanh)`` above the call),
    as the engine applies them; the built-in ones alone when those cannot be read."""
    rules = library()
    if parsed is None:
        return rules
    try:
        module = parse_module(parsed.text, path)
        return rules.with_module(module, StaticResolver(module))
    except (DiffError, ValueError, SyntaxError):
        return rules
