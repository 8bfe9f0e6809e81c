"""Callback lanes: a fixed set of threads that handle callbacks, in arrival order.

Handling a message is blocking work (SQLAlchemy, sync drivers), so it leaves the event loop.
anyio's `to_thread.run_sync` with a `CapacityLimiter` did that at ~200 µs a round trip on an
idle machine; a plain queue read by long-lived threads, answered through
`call_soon_threadsafe`, costs ~120 µs and no per-call limiter or cancel-scope bookkeeping
(`bench/callback.py`). The queue is FIFO: when all lanes are busy, callbacks wait their turn.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)

_Work = tuple[
    asyncio.AbstractEventLoop, asyncio.Future[Any], contextvars.Context, Callable[[], Any]
]


class Lanes:
    """`size` threads, started on first use, stopped by `close()`."""

    def __init__(self, size: int, name: str = "callback") -> None:
        self.size = size
        self.name = name
        self._queue: queue.SimpleQueue[_Work | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    async def run(self, fn: Callable[[], T]) -> T:
        """Run `fn()` on a lane with this task's context vars (request id); await its result."""
        if not self._threads:
            self._start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put((loop, future, contextvars.copy_context(), fn))
        return await future

    def _start(self) -> None:
        with self._lock:
            while len(self._threads) < self.size:
                thread = threading.Thread(
                    target=self._serve, name=f"{self.name}-{len(self._threads)}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def _serve(self) -> None:
        while (work := self._queue.get()) is not None:
            loop, future, context, fn = work
            try:
                result = context.run(fn)
            except BaseException as exc:  # handed to the awaiting task, which re-raises it
                _settle(loop, future, exc, failed=True)
            else:
                _settle(loop, future, result, failed=False)

    def close(self) -> None:
        """Let queued work finish, then stop the threads."""
        with self._lock:
            threads, self._threads = self._threads, []
        for _ in threads:
            self._queue.put(None)
        for thread in threads:
            thread.join(timeout=10)


def _settle(
    loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any], value: Any, *, failed: bool
) -> None:
    def settle() -> None:
        if future.done():  # the request was cancelled (client gone): nobody waits
            return
        if failed:
            future.set_exception(value)
        else:
            future.set_result(value)

    try:
        loop.call_soon_threadsafe(settle)
    except RuntimeError:  # the loop closed while we worked (shutdown)
        log.debug("lane result dropped: event loop closed")
