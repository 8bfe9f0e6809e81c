"""Callback lanes: handled off the event loop, in arrival order, errors and request ids kept."""

from __future__ import annotations

import asyncio
import threading
import time
from contextvars import ContextVar

import pytest

from bot.lanes import Lanes
from bot.settings import Settings

REQUEST: ContextVar[str] = ContextVar("request", default="-")


def test_one_lane_answers_in_arrival_order_off_the_loop() -> None:
    lanes = Lanes(1)
    seen: list[int] = []
    loop_thread = threading.get_ident()

    def work(i: int) -> int:
        assert threading.get_ident() != loop_thread  # blocking work never runs on the loop
        time.sleep(0.005 * (5 - i))  # the first is the slowest: order is not by duration
        seen.append(i)
        return i * i

    async def main() -> list[int]:
        return await asyncio.gather(*(lanes.run(lambda i=i: work(i)) for i in range(5)))

    try:
        assert asyncio.run(main()) == [0, 1, 4, 9, 16]
    finally:
        lanes.close()
    assert seen == [0, 1, 2, 3, 4]


def test_an_error_reaches_the_caller_and_the_lane_goes_on() -> None:
    lanes = Lanes(1)

    def fail() -> None:
        raise ValueError("bad row")

    async def main() -> str:
        with pytest.raises(ValueError, match="bad row"):
            await lanes.run(fail)
        return await lanes.run(lambda: "still here")

    try:
        assert asyncio.run(main()) == "still here"
    finally:
        lanes.close()


def test_the_work_sees_its_requests_context() -> None:
    lanes = Lanes(2)

    async def one(rid: str) -> str:
        REQUEST.set(rid)  # as the middleware sets the request id
        await asyncio.sleep(0)
        return await lanes.run(REQUEST.get)

    async def main() -> list[str]:
        return await asyncio.gather(*(one(f"r{i}") for i in range(6)))

    try:
        assert asyncio.run(main()) == [f"r{i}" for i in range(6)]
    finally:
        lanes.close()


def test_close_stops_the_threads() -> None:
    lanes = Lanes(3, name="lane-test")
    asyncio.run(lanes.run(lambda: None))
    assert sum(t.name.startswith("lane-test") for t in threading.enumerate()) == 3
    lanes.close()
    assert not any(t.name.startswith("lane-test") for t in threading.enumerate())


def test_sqlite_handles_one_callback_at_a_time_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YIGONG_CONCURRENCY", raising=False)
    assert Settings(DATABASE_URL="sqlite:///x.db").concurrency == 1  # one writer anyway
    assert Settings(DATABASE_URL="postgresql+psycopg://h/db").concurrency == 4
    monkeypatch.setenv("YIGONG_CONCURRENCY", "3")
    assert Settings(DATABASE_URL="sqlite:///x.db").concurrency == 3
