"""Generation time: how long it takes to produce a derivative.

All times are CPU time of this process (``time.process_time``), medians.

* Per problem: ours as ``derive(source, name, wrt=...)`` (text in, text out: what
  the editor pays), ours as ``grad(f)`` cold (read the live function's source,
  derive, compile; a fresh function object every time so the per-function
  cache misses), and tangent-ad's ``tangent.grad(f)`` with its in-memory cache
  cleared and its disk cache off. Medians of several repetitions in one warm
  process (rule templates already parsed), plus the one-off cost of the first
  derivation in a new process.
* Growth: ours on synthetic straight-line NumPy functions of 10, 50, 100 and
  200 statements, each derivative checked against central differences; and
  tangent-ad on the same functions (one repetition, stopped once it gets slow).
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field

import gast
import numpy as np

from .backends import fresh_copy
from .problems import Problem
from .timing import median_time

HEADER = "import numpy as np\n\n\n"

# Straight-line statements for the synthetic functions: {a} is the previous
# value, {b} the one three statements back. Values stay bounded.
_STATEMENTS = (
    "{a} * {b}",
    "np.sin({a}) + {b}",
    "np.tanh({a} * w)",
    "{a} - 0.5 * {b}",
    "np.cos({a}) * {b}",
    "np.exp(-{a} * {a}) + x",
    "0.5 * {a} + np.sin({b})",
    "np.sqrt({a} * {a} + 1.0)",
)


def problem_source(problem: Problem) -> str:
    return HEADER + problem.source


def synthetic_source(statements: int, name: str = "synthetic") -> str:
    """A function of ``x`` and ``w`` with ``statements`` statements (the last a return)."""
    lines = [f"def {name}(x, w):"]
    names = ["x", "w"]
    for i in range(statements - 1):
        a = names[-1]
        b = names[-3] if len(names) >= 3 else "x"
        lines.append(f"    v{i} = " + _STATEMENTS[i % len(_STATEMENTS)].format(a=a, b=b))
        names.append(f"v{i}")
    lines.append(f"    return np.sum({names[-1]})")
    return HEADER + "\n".join(lines) + "\n"


def _tangent_ad():
    os.environ.setdefault("TANGENT_DISK_CACHE", "0")
    try:
        import tangent
    except Exception as error:  # noqa: BLE001
        return None, f"{type(error).__name__}: {error}"
    return tangent, ""


def _tangent_ad_grad(tangent, func, wrt):
    tangent.clear_cache()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tangent.grad(fresh_copy(func), wrt=wrt)


@dataclass
class Generation:
    rows: list[dict] = field(default_factory=list)
    growth: list[dict] = field(default_factory=list)
    first_call: dict = field(default_factory=dict)
    tangent_ad_reason: str = ""


def per_problem(problems, repeats: int, use_tangent_ad: bool = True) -> tuple[list[dict], str]:
    import tangent_lsp

    tangent, reason = _tangent_ad() if use_tangent_ad else (None, "column not selected")
    rows = []
    for problem in problems:
        source = problem_source(problem)
        name, names = problem.func.__name__, problem.wrt_names
        row = {"problem": problem.name}
        try:
            row["derive"] = median_time(lambda: tangent_lsp.derive(source, name, wrt=names), repeats)
            row["grad"] = median_time(
                lambda: tangent_lsp.grad(fresh_copy(problem.func), wrt=problem.wrt), repeats
            )
        except Exception as error:  # noqa: BLE001
            row["ours_error"] = f"{type(error).__name__}: {error}"
        if tangent is not None:
            try:
                row["tangent_ad"] = median_time(
                    lambda: _tangent_ad_grad(tangent, problem.func, problem.wrt), repeats,
                    budget=2.0,
                )
            except Exception as error:  # noqa: BLE001
                row["tangent_ad_error"] = f"{type(error).__name__}: {str(error).splitlines()[0]}"
        rows.append(row)
    return rows, reason


def _load_module(source: str, directory: str, name: str):
    path = os.path.join(directory, f"{name}.py")
    with open(path, "w") as handle:
        handle.write(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _check_synthetic(module, derivative_code: str, imports: list[str]) -> bool:
    """The generated gradient against a central difference along a random direction."""
    namespace = dict(vars(module))
    exec("\n".join(imports) + "\n\n" + derivative_code, namespace)
    gradient = next(v for k, v in namespace.items() if k.startswith("dsynthetic"))
    rng = np.random.default_rng(1)
    x, w, v = rng.uniform(-1, 1, 5), rng.uniform(-1, 1, 5), rng.standard_normal(5)
    gx = gradient(x, w)
    eps = 1e-6
    fd = (module.synthetic(x + eps * v, w) - module.synthetic(x - eps * v, w)) / (2 * eps)
    return bool(np.isclose(np.dot(np.asarray(gx), v), fd, rtol=1e-5, atol=1e-7))


def growth(lengths, repeats: int, use_tangent_ad: bool = True,
           tangent_ad_budget: float = 20.0) -> list[dict]:
    import tangent_lsp

    tangent, _ = _tangent_ad() if use_tangent_ad else (None, "")
    rows = []
    tangent_slow = False
    with tempfile.TemporaryDirectory() as directory:
        for n in lengths:
            source = synthetic_source(n)
            row = {"statements": n}
            try:
                start = time.process_time()
                derivative = tangent_lsp.derive(source, "synthetic", wrt=("x",))
                once = time.process_time() - start
                # Long derivations get fewer repetitions (the first one counts as one).
                more = repeats - 1 if once < 0.5 else (2 if once < 5.0 else 0)
                times = [once] + [
                    median_time(lambda: tangent_lsp.derive(source, "synthetic", wrt=("x",)), 1)
                    for _ in range(more)
                ]
                row["derive"] = statistics.median(times)
                row["repeats"] = len(times)
                # A yardstick from the same run: reading the derivative's own text back into
                # the AST library the pipeline is built on, once (six stages each walk a tree
                # of that size at least once)
                row["parse_output"] = median_time(lambda: gast.parse(derivative.code), repeats)
                module = _load_module(source, directory, f"synthetic_{n}")
                row["checked"] = _check_synthetic(module, derivative.code, derivative.imports)
            except Exception as error:  # noqa: BLE001
                row["ours_error"] = f"{type(error).__name__}: {error}"
                module = _load_module(source, directory, f"synthetic_{n}")
            if tangent is not None and not tangent_slow:
                try:
                    start = time.process_time()
                    _tangent_ad_grad(tangent, module.synthetic, (0,))
                    row["tangent_ad"] = time.process_time() - start
                    tangent_slow = row["tangent_ad"] > tangent_ad_budget
                except Exception as error:  # noqa: BLE001
                    row["tangent_ad_error"] = f"{type(error).__name__}: {str(error).splitlines()[0]}"
            elif tangent is not None:
                row["tangent_ad_error"] = f"skipped (previous length took > {tangent_ad_budget:.0f} s)"
            rows.append(row)
    return rows


_FIRST_CALL = r"""
import json, sys, time
start = time.process_time()
import tangent_lsp
imported = time.process_time()
tangent_lsp.derive(sys.argv[1], sys.argv[2], wrt=tuple(sys.argv[3:]))
done = time.process_time()
print(json.dumps({"import": imported - start, "first_derive": done - imported}))
"""


def first_call(problem: Problem) -> dict:
    """Import time and first derivation in a fresh interpreter (rule templates not yet parsed)."""
    try:
        result = subprocess.run(
            [sys.executable, "-c", _FIRST_CALL, problem_source(problem), problem.func.__name__,
             *problem.wrt_names],
            capture_output=True, text=True, timeout=120, check=True,
        )
        data = json.loads(result.stdout.strip().splitlines()[-1])
        data["problem"] = problem.name
        return data
    except Exception as error:  # noqa: BLE001
        return {"problem": problem.name, "error": f"{type(error).__name__}: {error}"}


def run(problems, repeats: int, lengths, use_tangent_ad: bool = True) -> Generation:
    rows, reason = per_problem(problems, repeats, use_tangent_ad)
    result = Generation(rows=rows, tangent_ad_reason=reason)
    result.growth = growth(lengths, repeats, use_tangent_ad)
    result.first_call = first_call(problems[0])
    return result
