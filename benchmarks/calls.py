"""Call one column's gradient of one problem N times, for an instruction count.

Timings on this machine vary by a third from run to run; instructions executed do not.
``scripts/gradient_instructions.sh`` runs this under valgrind (callgrind) twice, with N
calls and with none, and prints the difference per call for the hand-written, the
chain-rule and the generated gradient: a deterministic A/B measure of the generated
code's overhead at small sizes (the generated function is made before the calls start,
so generation is not counted).

    python -m benchmarks.calls <problem> <column> <calls> [size]
"""

from __future__ import annotations

import gc
import sys

from . import backends
from .problems import PROBLEMS

COLUMNS = {"hand": backends._hand, "chain_rule": backends._chain_rule, "ours": backends._ours}


def main(argv: list[str]) -> None:
    name, column, calls = argv[0], argv[1], int(argv[2])
    size = argv[3] if len(argv) > 3 else "small"
    problem = next(p for p in PROBLEMS if p.name == name)
    args = problem.inputs(size)
    runs = {key: prepare(problem, args) for key, prepare in COLUMNS.items()}
    for run in runs.values():  # every column prepared and warm in every process
        run()
        run()
    run = runs[column]
    gc.disable()  # a collection would land in one process's count and not the other's
    try:
        for _ in range(calls):
            run()
    finally:
        gc.enable()


if __name__ == "__main__":
    main(sys.argv[1:])
