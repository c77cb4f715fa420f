"""Interleaved timing: every column is timed in every round, medians over rounds.

Each column first gets a batch size (calls per sample) so that one sample
lasts at least ``min_batch`` seconds; then, round after round, each column runs
one batch, in an order rotated every round so no column always runs first or
right after a cache-hungry neighbour. The garbage collector is off inside a
batch (as in ``timeit``). The result is the median per-call time per column.

The default clock is the CPU time of the whole process (all its threads):
with BLAS, PyTorch and XLA on one thread that is the wall time of an idle
machine, but unlike wall time it does not count the time other processes held
the core, so it stays meaningful on a shared, loaded machine. ``clock="wall"``
(``--clock wall``) uses ``time.perf_counter`` instead.
"""

from __future__ import annotations

import gc
import statistics
import time
from typing import Callable


CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}


def _batch(call: Callable[[], object], number: int,
           clock: Callable[[], float] = time.process_time) -> float:
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = clock()
        for _ in range(number):
            call()
        return clock() - start
    finally:
        if enabled:
            gc.enable()


def calibrate(call: Callable[[], object], min_batch: float, max_number: int = 1 << 16,
              clock: Callable[[], float] = time.process_time) -> int:
    number = 1
    while True:
        elapsed = _batch(call, number, clock)
        if elapsed >= min_batch or number >= max_number:
            return number
        guess = int(number * min_batch / max(elapsed, 1e-9) * 1.1) + 1
        number = min(max_number, max(number * 2, guess))


def interleaved(
    calls: dict[str, Callable[[], object]], rounds: int, min_batch: float,
    clock: Callable[[], float] = time.process_time,
) -> dict[str, tuple[float, list[float]]]:
    """``{column: (median seconds per call, per-round samples)}``."""
    numbers = {key: calibrate(call, min_batch, clock=clock) for key, call in calls.items()}
    samples: dict[str, list[float]] = {key: [] for key in calls}
    keys = list(calls)
    for r in range(rounds):
        shift = r % len(keys) if keys else 0
        for key in keys[shift:] + keys[:shift]:
            samples[key].append(_batch(calls[key], numbers[key], clock) / numbers[key])
    return {key: (statistics.median(values), values) for key, values in samples.items()}


def median_time(call: Callable[[], object], repeats: int,
                clock: Callable[[], float] = time.process_time,
                budget: float | None = None) -> float:
    """Median time of up to ``repeats`` single calls (for generation times).

    The default clock is the process's CPU time: generation is single-threaded
    Python, and CPU time does not count the time another process held the core
    (wall time on a loaded machine can be twice as long). With ``budget``
    (seconds), slow calls are repeated fewer times, but at least 3 times.
    """
    times = []
    for _ in range(repeats):
        start = clock()
        call()
        times.append(clock() - start)
        if budget is not None and len(times) >= 3 and sum(times) > budget:
            break
    return statistics.median(times)
