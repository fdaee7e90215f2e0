"""SharedGate: one pool of request slots for episodes made at once, each in its own thread and event loop."""

from __future__ import annotations

import asyncio
import contextlib
import threading

import pytest

from audiocast.gate import GateClosed, SharedGate


class _Counter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0

    async def hold(self, gate: SharedGate, seconds: float) -> None:
        async with gate:
            with self.lock:
                self.now += 1
                self.most = max(self.most, self.now)
            await asyncio.sleep(seconds)
            with self.lock:
                self.now -= 1


def test_episodes_in_several_threads_share_one_pool_of_slots() -> None:
    gate, counter = SharedGate(3), _Counter()

    async def episode() -> None:
        async with asyncio.TaskGroup() as group:
            for _ in range(8):
                group.create_task(counter.hold(gate, 0.01))

    threads = [threading.Thread(target=asyncio.run, args=(episode(),)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert counter.most == 3  # reached, never passed, across the four loops
    assert gate._free == 3  # every slot came back


def test_a_cancelled_waiter_gives_its_slot_back() -> None:
    gate = SharedGate(1)

    async def scenario() -> None:
        await gate.acquire()
        waiter = asyncio.create_task(gate.acquire())
        await asyncio.sleep(0.01)
        gate.release()  # granted to the waiter, which is cancelled before it runs
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        await asyncio.wait_for(gate.acquire(), timeout=1)  # the slot was passed on, not lost

    asyncio.run(scenario())


def test_a_gate_needs_a_slot() -> None:
    with pytest.raises(ValueError, match="at least one slot"):
        SharedGate(0)


def test_a_closed_gate_ends_the_waiting_requests_and_refuses_new_ones() -> None:
    """A build being stopped closes its gate: the requests waiting in other threads end at once."""
    gate = SharedGate(1)
    outcomes: list[str] = []
    held, waiting = threading.Event(), threading.Event()

    async def holder() -> None:
        with contextlib.suppress(asyncio.CancelledError):  # closing cancels it too (the next test)
            async with gate:
                held.set()
                await asyncio.sleep(0.5)

    async def waiter() -> None:
        waiting.set()
        try:
            async with gate:
                outcomes.append("granted")
        except GateClosed:
            outcomes.append("closed")

    threads = [threading.Thread(target=asyncio.run, args=(holder(),))]
    threads[0].start()
    held.wait(5)
    threads.append(threading.Thread(target=asyncio.run, args=(waiter(),)))
    threads[1].start()
    waiting.wait(5)
    gate.close()
    threads[1].join(5)
    assert outcomes == ["closed"]  # not granted the holder's slot
    threads[0].join(5)
    with pytest.raises(GateClosed):
        asyncio.run(gate.acquire())


def test_closing_the_gate_cancels_the_requests_holding_a_slot() -> None:
    """Ctrl-C during a build with the online voice: a request in flight (here one that would take a
    minute) is cancelled at once, in its own thread's loop, and its slot goes back."""
    gate = SharedGate(2)
    outcomes: list[str] = []
    holding = threading.Event()

    async def request() -> None:
        try:
            async with gate:
                holding.set()
                await asyncio.sleep(60)
            outcomes.append("finished")
        except asyncio.CancelledError:
            outcomes.append("cancelled")

    thread = threading.Thread(target=asyncio.run, args=(request(),))
    thread.start()
    assert holding.wait(5)
    gate.close()
    thread.join(10)
    assert not thread.is_alive() and outcomes == ["cancelled"]
