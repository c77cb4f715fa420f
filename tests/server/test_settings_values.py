"""Settings parsing: shapes editors send, bad values ignored with a warning."""

from __future__ import annotations

from tangent_lsp.server.settings import Settings, update


def test_defaults():
    s = Settings()
    assert (s.mode, s.optimize, s.code_lens, s.time_budget_ms) == ("reverse", True, True, 5000)
    assert s.time_budget == 5.0


def test_flat_and_sectioned():
    raw = {"mode": "forward", "optimize": False, "codeLens": False, "timeBudgetMs": 250}
    for shape in (raw, {"tangent": raw}, {"tangent-lsp": raw}, {"tangentLsp": raw}):
        s, warnings = update(Settings(), shape)
        assert warnings == []
        assert s == Settings(mode="forward", optimize=False, code_lens=False, time_budget_ms=250)


def test_partial_update_keeps_the_rest():
    s, _ = update(Settings(optimize=False), {"codeLens": False})
    assert s == Settings(optimize=False, code_lens=False)


def test_bad_values():
    s, warnings = update(Settings(), {"mode": "up", "optimize": "yes", "codeLens": 1,
                                      "timeBudgetMs": -5})
    assert s == Settings()
    assert len(warnings) == 4
    s, warnings = update(Settings(), {"timeBudgetMs": True})
    assert s == Settings() and warnings


def test_nothing():
    for raw in (None, [], "x", 3, {}):
        assert update(Settings(), raw) == (Settings(), [])


def test_budget_is_clamped():
    assert update(Settings(), {"timeBudgetMs": 0.2})[0].time_budget_ms == 1
    assert update(Settings(), {"timeBudgetMs": 10**9})[0].time_budget_ms == 600_000
