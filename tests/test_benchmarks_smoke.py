"""Smoke test of the benchmark suite, so that it never rots. Timing is not asserted."""


import numpy as np
import pytest

from benchmarks import run
from benchmarks.memory import TapeList
from benchmarks.problems import PROBLEMS

CORE = "forward,hand,chain_rule,ours,autograd"


def _assert_all_checked(results, expect_ours_ok=True):
    gradient_columns = [c for c in results.columns if c.available and c.is_gradient]
    assert {c.key for c in gradient_columns} >= {"hand", "ours"}
    for size_result in results.sizes:
        assert set(size_result.cells) == {p.name for p in results_problems(results)}
        for problem, cells in size_result.cells.items():
            assert cells["hand"].status == "ok", (problem, cells["hand"].detail)
            for column in gradient_columns:
                cell = cells[column.key]
                # Every available column's gradient was compared with the hand-written one.
                assert cell.checked, (problem, column.key)
                assert cell.status in ("ok", "wrong", "fails"), (problem, column.key)
                if cell.status == "ok":
                    assert cell.median is not None and cell.median > 0
            if expect_ours_ok:
                assert cells["ours"].status == "ok", (problem, cells["ours"].detail)


def results_problems(results):
    names = set(results.sizes[0].cells)
    return [p for p in PROBLEMS if p.name in names]


def test_quick_run_checks_every_column(tmp_path):
    out = tmp_path / "benchmarks.md"
    results = run.run(["--quick", "--columns", CORE, "--out", str(out), "--no-chart"])
    _assert_all_checked(results)
    text = out.read_text()
    for problem in PROBLEMS:
        assert f"| {problem.name} |" in text
    assert "geometric mean" in text
    # Generation: every problem derived, the synthetic series checked numerically.
    assert all("derive" in row and "grad" in row for row in results.generation.rows)
    assert all(row.get("checked") for row in results.generation.growth)
    assert all(row["parse_output"] > 0 for row in results.generation.growth)
    assert "| gast.parse of it | derive / parse |" in text
    # Tape memory of the loop problems was measured and the instrumented gradient was right.
    assert {row.problem for row in results.memory} == {"rnn", "while"}
    for row in results.memory:
        assert not row.error and row.checked
        assert row.ours["pushes"] > 0 and row.hand["owned"] > 0


def test_optional_columns_are_checked_when_installed():
    """JAX, PyTorch and tangent-ad, when importable, on two problems (one of them a loop);
    without them the run still checks autograd and ours."""
    results = run.run(["--quick", "--problems", "logistic,while", "--no-generation",
                       "--no-memory", "--no-chart", "--rounds", "1"])
    _assert_all_checked(results)


HAND_WRITTEN = [(p, "hand") for p in PROBLEMS] + [
    (p, "chain_rule") for p in PROBLEMS if p.chain_rule is not None
]


@pytest.mark.parametrize(
    "problem, which", HAND_WRITTEN, ids=lambda item: getattr(item, "name", item)
)
def test_hand_written_gradients_match_finite_differences(problem, which):
    args = problem.inputs("tiny")
    hand = getattr(problem, which)(*args)
    assert len(hand) == len(problem.wrt)
    rng = np.random.default_rng(3)
    for k, i in enumerate(problem.wrt):
        x = np.asarray(args[i], dtype=float)
        v = rng.standard_normal(x.shape)
        eps = 1e-6
        plus = list(args)
        minus = list(args)
        plus[i], minus[i] = x + eps * v, x - eps * v
        fd = (problem.func(*plus) - problem.func(*minus)) / (2 * eps)
        assert np.isclose(np.sum(hand[k] * v), fd, rtol=1e-5, atol=1e-6), problem.name


def test_tape_list_counts_distinct_arrays_once():
    tape = TapeList()
    a = np.zeros(10)
    tape.append(a)
    tape.append(a)
    tape.append(a[2:])
    tape.append(None)
    assert tape.summary()["owned"] == a.nbytes
    assert tape.summary()["views"] == a[2:].nbytes
    tape.pop()
    tape.pop()
    tape.pop()
    tape.pop()
    assert tape._owned == 0 and tape._views == 0


def test_the_instruction_count_driver_calls_each_column():
    """`scripts/gradient_instructions.sh` runs `python -m benchmarks.calls` under valgrind:
    every column of every problem must run there (a smoke test, not a measure)."""
    from benchmarks import calls

    for problem in PROBLEMS:
        for column in calls.COLUMNS:
            calls.main([problem.name, column, "1", "tiny"])
