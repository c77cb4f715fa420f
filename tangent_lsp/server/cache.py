"""Derivations off the event loop: cached, shared, cancellable, within a time budget.

    cache = DerivationCache(workers=2)
    value = await cache.get(key, compute, budget=2.0)   # compute() runs in a worker thread

* ``key`` is whatever identifies the result; the server uses
  (uri, document version, function, options). The same key is computed once;
  every request that wants it waits on the same job, and later requests get
  the cached result (or the cached exception, e.g. a DiffError).
* ``budget`` bounds the wait. On overrun ``get`` raises :class:`Overrun`, a
  clear message for the client; the cache remembers the overrun so a second
  request with the same budget answers at once instead of waiting again.
* Cancellation: when the last request waiting on a job is cancelled or gives up,
  the job is cancelled too. A job still queued is dropped; a job already running
  is interrupted by raising :class:`Interrupted` inside its worker thread
  (``PyThreadState_SetAsyncExc``: the engine is pure Python, so it stops at the
  next bytecode). A runaway derivation therefore never keeps a CPU busy for
  nobody.

Workers are daemon threads of our own rather than a ``ThreadPoolExecutor``, so
that an interrupt arriving late can be swallowed by the worker loop and never
kills a worker or lands in the next job, and so that exiting the process never
waits for a derivation.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ctypes
import queue
import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable

_QUEUED, _RUNNING, _STOPPING, _DONE = "queued", "running", "stopping", "done"


class Interrupted(BaseException):
    """Raised inside a worker thread to stop a derivation nobody waits for."""


class Stopped(Exception):
    """The outcome of a job that was stopped before it finished."""


class Overrun(Exception):
    """A computation did not finish within its time budget."""

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self.budget_ms = int(round(budget * 1000))
        super().__init__(f"took longer than the time budget ({self.budget_ms} ms)")


def _async_raise(thread_id: int, exc_type: type[BaseException] | None) -> None:
    """Schedule ``exc_type`` in another thread (None clears a pending one)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc_type) if exc_type else None
    )


class _Job:
    def __init__(self, compute: Callable[[], Any]) -> None:
        self.compute = compute
        self.future: concurrent.futures.Future = concurrent.futures.Future()
        self.lock = threading.Lock()
        self.state = _QUEUED
        self.thread: int | None = None
        self.waiters = 0
        self.overrun: float | None = None  # budget it overran, once abandoned on overrun
        self.awaitable: asyncio.Future | None = None  # the future as the event loop sees it


def _retrieve(future: asyncio.Future) -> None:
    """Mark an outcome as seen, so that an abandoned job never logs "never retrieved"."""
    if not future.cancelled():
        future.exception()


class WorkerPool:
    """Daemon worker threads whose running jobs can be interrupted."""

    def __init__(self, workers: int = 2, name: str = "tangent-derive") -> None:
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._loop, name=f"{name}-{i}", daemon=True)
            for i in range(max(1, workers))
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, job: _Job) -> None:
        self._queue.put(job)

    def stop(self, job: _Job) -> bool:
        """Drop ``job`` if queued, interrupt it if running. False once it has finished."""
        with job.lock:
            if job.state == _QUEUED:
                job.state = _DONE
                job.future.cancel()
                return True
            if job.state == _RUNNING and job.thread is not None:
                job.state = _STOPPING
                _async_raise(job.thread, Interrupted)
                return True
        return False

    def shutdown(self) -> None:
        for _ in self._threads:
            self._queue.put(None)

    def _loop(self) -> None:
        while True:
            try:
                job = self._queue.get()
                if job is None:
                    return
                self._run(job)
            except Interrupted:  # arrived after its job ended: nothing left to stop
                continue

    def _run(self, job: _Job) -> None:
        with job.lock:
            if job.state != _QUEUED or not job.future.set_running_or_notify_cancel():
                return
            job.state = _RUNNING
            job.thread = threading.get_ident()
        outcome: tuple[bool, Any] | None = None
        compute, job.compute = job.compute, None  # let the inputs go once computed
        try:
            outcome = (True, compute())
        except Interrupted:
            outcome = None
        except Exception as error:  # DiffError, or an engine bug: the caller decides
            outcome = (False, error)
        finally:
            with job.lock:
                job.state = _DONE
                _async_raise(threading.get_ident(), None)  # drop an interrupt still pending
        if outcome is None:
            job.future.set_exception(Stopped())
        elif outcome[0]:
            job.future.set_result(outcome[1])
        else:
            job.future.set_exception(outcome[1])


class DerivationCache:
    """Results by key, computed once in a worker pool; all methods run on the event loop."""

    def __init__(self, workers: int = 2, max_entries: int = 256) -> None:
        self.pool = WorkerPool(workers)
        self.max_entries = max_entries
        self._jobs: OrderedDict[Hashable, _Job] = OrderedDict()
        self.computed = 0  # how many jobs were started (for tests and benchmarks)

    def peek(self, key: Hashable) -> Any:
        """The finished result for ``key`` (raises its exception), or KeyError."""
        job = self._jobs.get(key)
        if job is None or not job.future.done() or job.future.cancelled():
            raise KeyError(key)
        return job.future.result()

    async def get(self, key: Hashable, compute: Callable[[], Any],
                  budget: float | None = None) -> Any:
        """The value for ``key``, computing it with ``compute()`` in a worker if needed."""
        job = self._jobs.get(key)
        if job is not None:
            future = job.future
            finished = future.done() and not future.cancelled() and not isinstance(
                future.exception(), Stopped)
            if finished:
                self._jobs.move_to_end(key)
                return future.result()  # the cached value, or the cached exception
            if job.overrun is not None:
                if budget is not None and budget <= job.overrun:
                    raise Overrun(budget)
                job = None  # more patience this time: try again
            elif future.done():
                job = None  # stopped or cancelled: start afresh
        if job is None:
            job = _Job(compute)
            self._jobs[key] = job
            self.computed += 1
            self.pool.submit(job)
            self._evict()
        else:
            self._jobs.move_to_end(key)
        job.waiters += 1
        overran = False
        try:
            if job.awaitable is None:
                job.awaitable = asyncio.wrap_future(job.future)
                job.awaitable.add_done_callback(_retrieve)
            waiting = asyncio.shield(job.awaitable)
            if budget is None:
                return await waiting
            return await asyncio.wait_for(waiting, budget)
        except asyncio.TimeoutError:
            overran = True
            raise Overrun(budget) from None
        finally:
            job.waiters -= 1
            if job.waiters == 0 and not job.future.done():
                self.pool.stop(job)
                if overran:
                    job.overrun = budget
                elif self._jobs.get(key) is job:
                    del self._jobs[key]

    def forget(self, predicate: Callable[[Hashable], bool]) -> int:
        """Drop the entries whose key matches; stop their jobs if nobody waits."""
        dropped = 0
        for key in [k for k in self._jobs if predicate(k)]:
            job = self._jobs.pop(key)
            if job.waiters == 0 and not job.future.done():
                self.pool.stop(job)
            dropped += 1
        return dropped

    def forget_overruns(self, predicate: Callable[[Hashable], bool]) -> int:
        """Drop the remembered overruns of the entries whose key matches: a job that ran
        out of time under load is tried again once something changed."""
        return self.forget(lambda key: predicate(key) and self._jobs[key].overrun is not None)

    def _evict(self) -> None:
        while len(self._jobs) > self.max_entries:
            key, job = next(iter(self._jobs.items()))
            if job.waiters and len(self._jobs) <= 2 * self.max_entries:
                self._jobs.move_to_end(key)
                break
            self._jobs.pop(key)
            if job.waiters == 0 and not job.future.done():
                self.pool.stop(job)

    def shutdown(self) -> None:
        for job in self._jobs.values():
            if not job.future.done():
                self.pool.stop(job)
        self.pool.shutdown()
