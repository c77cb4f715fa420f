"""Run the benchmark suite: ``python -m benchmarks.run [--quick] [--out docs/benchmarks.md]``.

One process measures every column with interleaved rounds and reports
medians as ratios to the hand-written NumPy gradient. Every column's gradient
is checked against the hand-written one (``allclose``) before it is timed: a
column whose gradient differs shows "wrong", one that raises shows "fails".
BLAS (and PyTorch, and XLA) run on one thread unless ``--threads`` says
otherwise. See ``docs/benchmarks.md`` for the latest results.
"""

from __future__ import annotations

import os
import sys


def _threads_from_argv(argv) -> str:
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return "1"


# Thread counts must be fixed before NumPy (and its BLAS) is first imported. Run
# as a script this module comes first; imported (the smoke test), NumPy is
# already loaded and threadpoolctl, when installed, limits the threads instead.
THREADS = _threads_from_argv(sys.argv if __name__ == "__main__" else [])
if __name__ == "__main__":
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                 "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ[_var] = THREADS
    if THREADS == "1" and "intra_op_parallelism_threads" not in os.environ.get("XLA_FLAGS", ""):
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                                   " --xla_cpu_multi_thread_eigen=false"
                                   " intra_op_parallelism_threads=1").strip()
    os.environ.setdefault("TANGENT_DISK_CACHE", "0")  # tangent-ad: no cache across runs

import argparse  # noqa: E402
import contextlib  # noqa: E402
import datetime  # noqa: E402
import platform  # noqa: E402
import shlex  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

import numpy as np  # noqa: E402

from . import generation, memory  # noqa: E402
from .backends import Column, all_columns, to_numpy  # noqa: E402
from .problems import BY_NAME, PROBLEMS, Problem  # noqa: E402
from .timing import CLOCKS, interleaved  # noqa: E402

RTOL = 1e-6


@dataclass
class Cell:
    status: str            # "ok", "wrong", "fails", "skipped"
    checked: bool = False  # compared against the hand-written gradient before timing
    median: float | None = None
    samples: list[float] = field(default_factory=list)
    detail: str = ""


@dataclass
class SizeResult:
    size: str
    cells: dict[str, dict[str, Cell]]   # problem -> column -> cell
    shapes: dict[str, str]


@dataclass
class Results:
    columns: list[Column]
    sizes: list[SizeResult]
    generation: generation.Generation | None
    memory: list[memory.MemoryRow]
    meta: dict
    command: str


def _close(got: tuple, want: tuple) -> tuple[bool, str]:
    if len(got) != len(want):
        return False, f"{len(got)} gradients, expected {len(want)}"
    for i, (g, w) in enumerate(zip(got, want)):
        if np.shape(g) != np.shape(w):
            return False, f"gradient {i}: shape {np.shape(g)}, expected {np.shape(w)}"
        scale = max(1.0, float(np.max(np.abs(w))) if np.size(w) else 1.0)
        if not np.allclose(g, w, rtol=RTOL, atol=1e-9 * scale):
            err = float(np.max(np.abs(np.asarray(g, dtype=float) - w)))
            return False, f"gradient {i}: max abs error {err:.3g} (scale {scale:.3g})"
    return True, ""


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:160] if text else ''}"


def measure_problem(problem: Problem, size: str, columns: list[Column], rounds: int,
                    min_batch: float, clock: str = "cpu") -> dict[str, Cell]:
    args = problem.inputs(size)
    reference = to_numpy(problem.hand(*args))
    value = problem.func(*args)
    cells: dict[str, Cell] = {}
    calls = {}
    for column in columns:
        if not column.available:
            cells[column.key] = Cell("skipped", detail=column.reason)
            continue
        try:
            call = column.prepare(problem, args)
            result = call()
        except Exception as error:  # noqa: BLE001
            cells[column.key] = Cell("fails", checked=True, detail=_short(error))
            continue
        if column.is_gradient:
            ok, why = _close(to_numpy(result), reference)
        else:
            ok, why = bool(np.allclose(result, value)), "forward value differs"
        if not ok:
            cells[column.key] = Cell("wrong", checked=True, detail=why)
            continue
        cells[column.key] = Cell("ok", checked=True)
        calls[column.key] = call
    for key, (median, samples) in interleaved(calls, rounds, min_batch, CLOCKS[clock]).items():
        cells[key].median = median
        cells[key].samples = samples
    return cells


def _shape_text(args) -> str:
    return ", ".join("x".join(map(str, np.shape(a))) or "()" for a in args)


def _blas_info() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed (thread count set by environment variables)"
    parts = []
    for info in threadpool_info():
        words = [info.get("internal_api"), info.get("version"), info.get("architecture")]
        parts.append(" ".join(str(w) for w in words if w) + f" x{info.get('num_threads')}")
    return "; ".join(parts)


@contextlib.contextmanager
def _thread_limit(threads: int):
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=threads):
        yield


def run(argv=None) -> Results:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: tiny inputs, few rounds, short growth series")
    parser.add_argument("--out", help="write the Markdown report here (default: "
                        "docs/benchmarks.md, or nothing with --quick); the chart goes "
                        "next to it as .png")
    parser.add_argument("--sizes", help="comma-separated from tiny,small,medium "
                        "(default small,medium; tiny with --quick)")
    parser.add_argument("--problems", help="comma-separated problem names (default all)")
    parser.add_argument("--columns", help="comma-separated column keys (default all available): "
                        "forward,hand,chain_rule,ours,autograd,jax,jax_jit,torch,tangent_ad")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 15, quick 3)")
    parser.add_argument("--threads", type=int, default=int(THREADS),
                        help="BLAS/torch/XLA threads (default 1)")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="cpu",
                        help="cpu: process CPU time, robust on a loaded machine (default); "
                        "wall: time.perf_counter")
    parser.add_argument("--no-generation", action="store_true")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--no-chart", action="store_true")
    args = parser.parse_args(argv)

    quick = args.quick
    sizes = args.sizes.split(",") if args.sizes else (["tiny"] if quick else ["small", "medium"])
    problems = [BY_NAME[n] for n in args.problems.split(",")] if args.problems else list(PROBLEMS)
    rounds = args.rounds or (3 if quick else 15)
    min_batch = 0.0005 if quick else 0.02
    out = args.out or (None if quick else "docs/benchmarks.md")

    columns = all_columns(args.columns.split(",") if args.columns else None)
    for column in columns:
        if not column.available:
            print(f"[benchmarks] column {column.title!r} unavailable: {column.reason}",
                  file=sys.stderr)
    if any(c.key == "torch" and c.available for c in columns):
        import torch
        torch.set_num_threads(args.threads)

    started = time.perf_counter()
    load_before = _load()
    size_results = []
    with _thread_limit(args.threads):
        for size in sizes:
            cells, shapes = {}, {}
            for problem in problems:
                shapes[problem.name] = _shape_text(problem.inputs(size))
                cells[problem.name] = measure_problem(problem, size, columns, rounds, min_batch,
                                                      args.clock)
                print(f"[benchmarks] {size:6s} {problem.name:14s} " + "  ".join(
                    f"{k}={_cell_text(c, cells[problem.name]['hand'])}"
                    for k, c in cells[problem.name].items()), file=sys.stderr)
            size_results.append(SizeResult(size, cells, shapes))

        gen = None
        if not args.no_generation:
            use_tad = any(c.key == "tangent_ad" and c.available for c in columns)
            lengths = (10, 20) if quick else (10, 50, 100, 200)
            gen = generation.run(problems, repeats=1 if quick else 11, lengths=lengths,
                                 use_tangent_ad=use_tad)
            if not use_tad:
                gen.tangent_ad_reason = next(
                    (c.reason for c in columns if c.key == "tangent_ad"), "column not selected")
        mem = []
        if not args.no_memory:
            mem_problems = [BY_NAME[n] for n in ("rnn", "while") if n in BY_NAME]
            mem = memory.run(mem_problems, sizes)

    meta = {
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "threads": args.threads,
        "blas": _blas_info(),
        "rounds": rounds,
        "min_batch": min_batch,
        "seconds": time.perf_counter() - started,
        "clock": args.clock,
        "revision": _engine_revision(),
        "load": f"{load_before} at the start, {_load()} at the end",
    }
    command = "python -m benchmarks.run" + (" " + shlex.join(argv) if argv else "")
    results = Results(columns, size_results, gen, mem, meta, command)

    from .report import chart, markdown

    text = markdown(results)
    print(text)
    if out:
        os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
        with open(out, "w") as handle:
            handle.write(text)
        print(f"[benchmarks] wrote {out}", file=sys.stderr)
        if not args.no_chart:
            png = os.path.splitext(out)[0] + ".png"
            message = chart(results, png)
            print(f"[benchmarks] {message}", file=sys.stderr)
    return results


def _engine_revision() -> str:
    import subprocess

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, text=True,
                              capture_output=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "tangent_lsp"], cwd=root,
                               text=True, capture_output=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (head or "unknown") + (" with uncommitted engine changes" if dirty else "")


def _load() -> str:
    try:
        return "%.1f" % os.getloadavg()[0]
    except OSError:
        return "?"


def _cell_text(cell: Cell, hand: Cell) -> str:
    if cell.status != "ok":
        return cell.status
    if cell.median is None or hand.median is None:
        return "ok"
    return f"{cell.median / hand.median:.2f}x"


def main(argv=None) -> int:
    run(sys.argv[1:] if argv is None else argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
