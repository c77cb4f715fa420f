"""DerivationCache: computed once per key, off the loop, budgeted, cancellable."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from tangent_lsp.server.cache import DerivationCache, Overrun


def spin(stop_after: float, progress: list) -> str:
    """Pure-Python busy work that an interrupt can stop between bytecodes."""
    end = time.monotonic() + stop_after
    while time.monotonic() < end:
        progress.append(1)
        sum(range(100))
    return "finished"


@pytest.fixture
def cache():
    cache = DerivationCache(workers=2)
    yield cache
    cache.shutdown()


async def test_computed_once_and_shared(cache):
    calls = []

    def compute():
        calls.append(threading.current_thread().name)
        time.sleep(0.05)
        return 42

    results = await asyncio.gather(*(cache.get("k", compute, 5) for _ in range(5)))
    assert results == [42] * 5
    assert len(calls) == 1 and calls[0].startswith("tangent-derive")
    assert await cache.get("k", compute, 5) == 42
    assert len(calls) == 1


async def test_exceptions_are_cached(cache):
    calls = []

    def compute():
        calls.append(1)
        raise ValueError("no")

    for _ in range(2):
        with pytest.raises(ValueError):
            await cache.get("bad", compute, 5)
    assert calls == [1]


async def test_overrun_interrupts_and_is_remembered(cache):
    progress: list = []
    with pytest.raises(Overrun) as raised:
        await cache.get("slow", lambda: spin(30, progress), 0.1)
    assert raised.value.budget_ms == 100
    await asyncio.sleep(0.2)
    count = len(progress)
    await asyncio.sleep(0.2)
    assert len(progress) == count  # the worker stopped: nobody wanted the result
    started = time.monotonic()
    with pytest.raises(Overrun):
        await cache.get("slow", lambda: spin(30, progress), 0.1)
    assert time.monotonic() - started < 0.05  # remembered, no second wait
    # more patience: computed again
    assert await cache.get("slow", lambda: spin(0.05, []), 5) == "finished"


async def test_cancelled_waiter_stops_the_job(cache):
    progress: list = []
    task = asyncio.ensure_future(cache.get("c", lambda: spin(30, progress), None))
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.2)
    count = len(progress)
    await asyncio.sleep(0.2)
    assert len(progress) == count
    # the workers still work
    assert await cache.get("after", lambda: 7, 5) == 7


async def test_a_second_waiter_keeps_the_job_alive(cache):
    first = asyncio.ensure_future(cache.get("shared", lambda: spin(0.3, []), None))
    second = asyncio.ensure_future(cache.get("shared", lambda: "other", None))
    await asyncio.sleep(0.05)
    first.cancel()
    assert await second == "finished"


async def test_forget_and_eviction(cache):
    assert await cache.get(("a", 1), lambda: 1, 5) == 1
    assert cache.forget(lambda key: key[0] == "a") == 1
    assert await cache.get(("a", 1), lambda: 2, 5) == 2
    small = DerivationCache(workers=1, max_entries=2)
    try:
        for i in range(4):
            await small.get(i, lambda i=i: i, 5)
        assert len(small._jobs) == 2
    finally:
        small.shutdown()


async def test_many_interrupts_never_kill_workers(cache):
    for i in range(20):
        with pytest.raises(Overrun):
            await cache.get(("spin", i), lambda: spin(5, []), 0.01)
    assert await asyncio.gather(*(cache.get(("ok", i), lambda i=i: i, 5) for i in range(10))) \
        == list(range(10))


async def test_a_forgotten_overrun_is_tried_again(cache):
    """An overrun is remembered (asking again with the same budget answers at once), until
    something changes: the server forgets a document's overruns when it is edited."""
    calls: list = []

    def compute():
        calls.append(1)
        if len(calls) == 1:
            time.sleep(0.4)  # the first run is slow (a busy machine, a cold start)
        return "done"

    with pytest.raises(Overrun):
        await cache.get(("doc", "k"), compute, 0.1)
    with pytest.raises(Overrun):
        await cache.get(("doc", "k"), compute, 0.1)
    assert calls == [1]  # remembered: not run again
    assert cache.forget_overruns(lambda key: key[0] == "doc") == 1
    await asyncio.sleep(0.4)  # the interrupted first run has stopped
    assert await cache.get(("doc", "k"), compute, 1.0) == "done"
    assert len(calls) == 2
