"""Server settings, from ``initializationOptions`` and ``workspace/didChangeConfiguration``.

Accepted shapes (camelCase keys, as editors send them)::

    {"mode": "reverse", "optimize": true, "codeLens": true, "timeBudgetMs": 5000}
    {"tangent": {...}}  or  {"tangent-lsp": {...}}  or  {"tangentLsp": {...}}

Unknown keys are ignored; a value of the wrong type is ignored with a warning,
keeping the previous value.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

SECTIONS = ("tangent", "tangent-lsp", "tangentLsp", "tangent_lsp")
MODES = ("reverse", "forward")
MIN_BUDGET_MS = 1
MAX_BUDGET_MS = 600_000


@dataclass(frozen=True)
class Settings:
    mode: str = "reverse"
    optimize: bool = True
    code_lens: bool = True
    time_budget_ms: int = 5000

    @property
    def time_budget(self) -> float:
        """The budget in seconds."""
        return self.time_budget_ms / 1000.0

    def to_json(self) -> dict[str, Any]:
        return {"mode": self.mode, "optimize": self.optimize, "codeLens": self.code_lens,
                "timeBudgetMs": self.time_budget_ms}


def section(raw: Any) -> dict[str, Any]:
    """The settings dictionary inside whatever the client sent."""
    if not isinstance(raw, dict):
        return {}
    for name in SECTIONS:
        if isinstance(raw.get(name), dict):
            return raw[name]
    return raw


def update(current: Settings, raw: Any) -> tuple[Settings, list[str]]:
    """``current`` with the values in ``raw`` applied, and warnings about bad values."""
    values = section(raw)
    changes: dict[str, Any] = {}
    warnings: list[str] = []
    if "mode" in values:
        mode = values["mode"]
        if mode in MODES:
            changes["mode"] = mode
        else:
            warnings.append(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    for key, attr in (("optimize", "optimize"), ("codeLens", "code_lens")):
        if key in values:
            value = values[key]
            if isinstance(value, bool):
                changes[attr] = value
            else:
                warnings.append(f"{key} must be true or false, not {value!r}")
    if "timeBudgetMs" in values:
        budget = values["timeBudgetMs"]
        if isinstance(budget, (int, float)) and not isinstance(budget, bool) and budget > 0:
            changes["time_budget_ms"] = int(min(max(budget, MIN_BUDGET_MS), MAX_BUDGET_MS))
        else:
            warnings.append(f"timeBudgetMs must be a positive number, not {budget!r}")
    return replace(current, **changes), warnings
