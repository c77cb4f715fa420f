"""Tape memory: what a gradient keeps alive between its forward and backward sweeps.

Generated code keeps the values its backward sweep needs on a plain list named
``tape`` (``tape = []``, ``tape.append(x)``, ``tape.pop()``). We compile the
generated source of ``derive(...).code`` with that list replaced by an
instrumented list, and record the peak of the bytes of the *distinct* arrays on
it (an array pushed twice counts once; a view of another array is counted
apart, as it owns no memory). The hand-written gradient is measured the same
way on its own list (``Problem.hand_tape``). As a cross-check independent of
the tape, ``tracemalloc`` gives each gradient's peak allocation above what
was allocated before the call (NumPy reports its buffers to tracemalloc).
"""

from __future__ import annotations

import inspect
import re
import tracemalloc
from dataclasses import dataclass

import numpy as np

from . import problems as problems_module
from .backends import to_numpy
from .problems import Problem


class TapeList(list):
    """A list that tracks the bytes of the distinct arrays it holds."""

    def __init__(self):
        super().__init__()
        self.counts: dict[int, int] = {}
        self.arrays: dict[int, np.ndarray] = {}
        self.pushes = 0
        self.peak_len = 0
        self.peak_owned = 0
        self.peak_views = 0
        self.peak_arrays = 0
        self._owned = 0
        self._views = 0

    @staticmethod
    def _arrays(value):
        if isinstance(value, np.ndarray):
            yield value
        elif isinstance(value, (list, tuple)):
            for item in value:
                yield from TapeList._arrays(item)

    def append(self, value):
        super().append(value)
        self.pushes += 1
        for array in self._arrays(value):
            key = id(array)
            if self.counts.get(key, 0) == 0:
                self.arrays[key] = array
                if array.base is None:
                    self._owned += array.nbytes
                else:
                    self._views += array.nbytes
            self.counts[key] = self.counts.get(key, 0) + 1
        self.peak_len = max(self.peak_len, len(self))
        if self._owned + self._views > self.peak_owned + self.peak_views:
            self.peak_arrays = sum(1 for c in self.counts.values() if c)
        self.peak_owned = max(self.peak_owned, self._owned)
        self.peak_views = max(self.peak_views, self._views)

    def pop(self, index=-1):
        value = super().pop(index)
        for array in self._arrays(value):
            key = id(array)
            self.counts[key] -= 1
            if self.counts[key] == 0:
                del self.counts[key]
                del self.arrays[key]
                if array.base is None:
                    self._owned -= array.nbytes
                else:
                    self._views -= array.nbytes
        return value

    def summary(self) -> dict:
        return {
            "owned": self.peak_owned, "views": self.peak_views, "pushes": self.pushes,
            "peak_len": self.peak_len, "arrays": self.peak_arrays,
        }


def _instrument(source: str, list_name: str) -> tuple[str, bool]:
    pattern = re.compile(rf"^(\s*){re.escape(list_name)} = \[\][ \t]*(#.*)?$", re.M)
    new, count = pattern.subn(rf"\1{list_name} = _TapeList(); _tapes.append({list_name})", source)
    return new, count > 0


def _compile(source: str, name: str, extra: dict) -> callable:
    namespace = dict(vars(problems_module))
    namespace.update(extra)
    exec(compile(source, f"<instrumented {name}>", "exec"), namespace)
    return namespace[name]


def instrumented_ours(problem: Problem):
    """Our generated gradient, compiled with an instrumented tape; (function, tapes, had_tape)."""
    import tangent_lsp

    source = "import numpy as np\n\n\n" + problem.source
    derivative = tangent_lsp.derive(source, problem.func.__name__, wrt=problem.wrt_names)
    code, had_tape = _instrument(derivative.code, "tape")
    tapes: list[TapeList] = []
    code = "\n".join(derivative.imports) + "\n\n" + code
    return _compile(code, derivative.name, {"_TapeList": TapeList, "_tapes": tapes}), tapes, had_tape


def instrumented_hand(problem: Problem):
    source = inspect.getsource(problem.hand)
    tapes: list[TapeList] = []
    had = False
    if problem.hand_tape:
        source, had = _instrument(source, problem.hand_tape)
    return _compile(source, problem.hand.__name__, {"_TapeList": TapeList, "_tapes": tapes}), tapes, had


def _tracemalloc_peak(call) -> int:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        call()
        _, peak = tracemalloc.get_traced_memory()
        return peak - before
    finally:
        tracemalloc.stop()


@dataclass
class MemoryRow:
    problem: str
    size: str
    shape: str
    ours: dict
    hand: dict
    ours_peak: int
    hand_peak: int
    checked: bool
    error: str = ""


def measure(problem: Problem, size: str) -> MemoryRow:
    import tangent_lsp

    args = problem.inputs(size)
    shape = " ".join("x".join(map(str, np.shape(args[i]))) for i in range(len(args)))
    reference = to_numpy(problem.hand(*args))
    try:
        ours_fn, ours_tapes, _ = instrumented_ours(problem)
        hand_fn, hand_tapes, _ = instrumented_hand(problem)
        ours_result = to_numpy(ours_fn(*args))
        hand_fn(*args)
        checked = all(np.allclose(a, b) for a, b in zip(ours_result, reference))
        ours = ours_tapes[0].summary() if ours_tapes else {"owned": 0, "views": 0, "pushes": 0,
                                                           "peak_len": 0, "arrays": 0}
        hand = hand_tapes[0].summary() if hand_tapes else {"owned": 0, "views": 0, "pushes": 0,
                                                           "peak_len": 0, "arrays": 0}
        gradient = tangent_lsp.grad(problem.func, wrt=problem.wrt)
        ours_peak = min(_tracemalloc_peak(lambda: gradient(*args)) for _ in range(3))
        hand_peak = min(_tracemalloc_peak(lambda: problem.hand(*args)) for _ in range(3))
        return MemoryRow(problem.name, size, shape, ours, hand, ours_peak, hand_peak, checked)
    except Exception as error:  # noqa: BLE001
        return MemoryRow(problem.name, size, shape, {}, {}, 0, 0, False,
                         f"{type(error).__name__}: {error}")


def run(problems, sizes) -> list[MemoryRow]:
    return [measure(p, size) for size in sizes for p in problems]
