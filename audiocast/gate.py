"""A bound on requests in flight that several episodes share, each in its own thread and event loop.

``synthesize`` runs one event loop per episode; when a process makes several episodes at once (a
Dask worker's threads), an ``asyncio.Semaphore`` per episode would let each of them open ``jobs``
connections. A :class:`SharedGate` is one pool of ``jobs`` slots for all of them: a waiter parks a
future on its own loop, and a release hands the slot to the oldest waiter through that loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from types import TracebackType


class SharedGate:
    """An async semaphore of ``slots`` usable from any thread's event loop, first come first served."""

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError(f"a gate needs at least one slot, got {slots}")
        self.slots = slots
        self._free = slots
        self._lock = threading.Lock()
        self._waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = deque()
        self._closed = False
        self._holders: dict[asyncio.Task[object], asyncio.AbstractEventLoop] = {}
        """The tasks inside ``async with`` this gate, with their loops: ``close`` cancels them."""

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._closed:
                raise GateClosed("the build is stopping")
            if self._free and not self._waiters:
                self._free -= 1
                return
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append((loop, waiter))
        try:
            await waiter
        except asyncio.CancelledError:
            self._cancelled(loop, waiter)
            if self._closed:
                raise GateClosed("the build is stopping") from None
            raise

    def close(self) -> None:
        """Lend no more slots and end the requests holding one: every waiting and later ``acquire``
        raises ``GateClosed`` and every task inside ``async with`` is cancelled, so the episodes
        sharing the gate stop at once (a build being stopped)."""
        with self._lock:
            self._closed = True
            waiters, self._waiters = list(self._waiters), deque()
            holders = list(self._holders.items())
        for loop, waiter in waiters:
            if not loop.is_closed():
                loop.call_soon_threadsafe(waiter.cancel)
        for task, loop in holders:
            if not loop.is_closed():
                loop.call_soon_threadsafe(task.cancel)

    def release(self) -> None:
        with self._lock:
            while self._waiters:
                loop, waiter = self._waiters.popleft()
                if not loop.is_closed():
                    loop.call_soon_threadsafe(_grant, waiter, self)
                    return
            self._free += 1

    def _cancelled(self, loop: asyncio.AbstractEventLoop, waiter: asyncio.Future[None]) -> None:
        """A cancelled waiter leaves the queue; one cancelled after its slot was granted passes it on
        (when its future was cancelled before the grant ran, ``_grant`` does that)."""
        with self._lock:
            if (loop, waiter) in self._waiters:
                self._waiters.remove((loop, waiter))
                return
        if not waiter.cancelled():
            self.release()

    async def __aenter__(self) -> None:
        await self.acquire()
        task = asyncio.current_task()
        if task is not None:
            with self._lock:
                self._holders[task] = asyncio.get_running_loop()
                closed = self._closed
            if closed:  # closed between the grant and now: close() did not see this task
                await self.__aexit__(None, None, None)
                raise GateClosed("the build is stopping")

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            with self._lock:
                self._holders.pop(task, None)
        self.release()


class GateClosed(Exception):
    """A request asked a closed gate for a slot."""


def _grant(waiter: asyncio.Future[None], gate: SharedGate) -> None:
    """Runs on the waiter's loop: wake it, or pass the slot on when it was cancelled meanwhile."""
    if waiter.cancelled():
        gate.release()
    else:
        waiter.set_result(None)
