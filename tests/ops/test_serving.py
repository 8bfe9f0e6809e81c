"""How a server process serves: callbacks at most `YIGONG_CONCURRENCY` at a time, a warm start."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bot.app import create_app
from bot.services import Services
from bot.settings import Settings
from bot.wiring import build_services
from handlers.policy import kb
from tests.builders import WeComUser


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()  # the test process goes on collecting as usual


def test_callbacks_beyond_the_limit_wait_their_turn(
    settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the lanes, as on PostgreSQL (on SQLite a callback runs on the loop while the writer is free)
    monkeypatch.setattr(Services, "inline_callbacks", property(lambda _self: False))
    svc = build_services(settings.model_copy(update={"concurrency": 2}), engine=engine)
    running, peak, lock = 0, 0, threading.Lock()
    feed = svc.dispatcher.feed

    def slow_feed(*args: Any, **kwargs: Any) -> Any:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        try:
            time.sleep(0.15)  # a slow database
            return feed(*args, **kwargs)
        finally:
            with lock:
                running -= 1

    svc.dispatcher.feed = slow_feed  # type: ignore[method-assign]
    with TestClient(create_app(svc.settings, services=svc, background=False)) as client:
        wecom = WeComUser(client, svc.settings)
        results: list[int] = []
        threads = [
            threading.Thread(target=lambda i=i: results.append(wecom.text(f"u-{i}", "帮助").status))
            for i in range(6)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert results == [200] * 6  # all answered …
    assert peak == 2  # … never more than two at once


def test_pool_holds_a_connection_per_concurrent_callback(settings: Settings, db_url: str) -> None:
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite has no server connections to pool")
    svc = build_services(settings.model_copy(update={"concurrency": 7}))
    try:
        assert svc.engine.pool.size() == 7 + 4  # type: ignore[attr-defined]
    finally:
        svc.engine.dispose()


def test_warm_start_loads_the_policy_index_and_freezes_the_heap(
    settings: Settings, engine: Engine, db_url: str, unfrozen: None
) -> None:
    # `engine` made the schema; the app gets its own engine, sized to its concurrency
    kb._cache = kb._Cache()  # as in a new process
    gc.unfreeze()
    svc = build_services(settings.model_copy(update={"concurrency": 3}))
    with TestClient(create_app(settings, services=svc, background=False, warm=True)) as client:
        assert kb._cache._by_db  # built before the first question arrives
        assert gc.get_freeze_count() > 10_000  # the long-lived heap is out of the collector's way
        if not db_url.startswith("sqlite"):
            assert svc.engine.pool.checkedin() >= 3  # type: ignore[attr-defined]  # one per slot
        reply = WeComUser(client, settings).text("u-warm", "劳务报酬占比有什么要求")
        assert "劳务报酬" in reply.text


def test_on_sqlite_a_callback_is_answered_on_the_loop_while_the_writer_is_free(
    settings: Settings, engine: Engine, db_url: str
) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL callbacks always run on the lanes")
    svc = build_services(settings, engine=engine)
    where: list[str] = []
    feed = svc.dispatcher.feed

    def noting_feed(*args: Any, **kwargs: Any) -> Any:
        where.append(threading.current_thread().name)
        return feed(*args, **kwargs)

    svc.dispatcher.feed = noting_feed  # type: ignore[method-assign]
    with TestClient(create_app(svc.settings, services=svc, background=False)) as client:
        loop_thread = client.portal.call(threading.current_thread)  # type: ignore[union-attr]
        assert "以工代赈助手可以" in WeComUser(client, svc.settings).text("u-loop", "帮助").text
    assert where == [loop_thread.name]  # no thread hop


def test_a_busy_sqlite_writer_never_stalls_the_server(
    settings: Settings, engine: Engine, db_url: str
) -> None:
    """While a background task holds SQLite's writer, a callback waits on a lane and the
    event loop goes on serving instead of waiting with it (here: a request that needs no
    database; on SQLite anything that does, /healthz too, waits for the writer)."""
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite's one writer")
    svc = build_services(settings, engine=engine)
    holding, healthy, release = threading.Event(), threading.Event(), threading.Event()

    def background_writer() -> None:
        with svc.engine.connect() as conn, conn.begin():  # e.g. a long import
            holding.set()
            release.wait(timeout=10)

    with TestClient(create_app(svc.settings, services=svc, background=False)) as client:
        writer = threading.Thread(target=background_writer)
        writer.start()
        assert holding.wait(timeout=5)
        answers: list[str] = []
        sender = threading.Thread(
            target=lambda: answers.append(WeComUser(client, svc.settings).text("u-b", "帮助").text)
        )
        sender.start()
        time.sleep(0.2)  # the callback has arrived and found the writer taken
        # answered while the writer is held: the loop is free
        assert client.get("/wecom/callback").status_code == 400
        healthy.set()
        assert not answers  # the callback is still waiting for the writer …
        release.set()
        sender.join(timeout=10)
        writer.join(timeout=10)
    assert healthy.is_set() and "以工代赈助手可以" in answers[0]  # … and then answered


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def _kill(url: str, pid: int) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    killer = create_engine(url, poolclass=NullPool)
    with killer.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
    killer.dispose()


def test_a_pooled_connection_is_tested_only_after_resting(
    settings: Settings, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No round trip per message for a connection just handed back; one that rested past
    IDLE_BEFORE_PING is tested first, and a dead one is replaced before anyone uses it."""
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite has no server connections to pool")
    from models import session as session_module

    engine = session_module.make_engine(settings.database_url, pool_size=1)
    pings: list[int] = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(1) or ping(c))
    try:
        first = _backend_pid(engine)
        for _ in range(5):
            assert _backend_pid(engine) == first
        assert pings == []  # busy: never tested
        _kill(settings.database_url, first)
        monkeypatch.setattr(session_module, "IDLE_BEFORE_PING", 0.0)  # it has now "rested"
        second = _backend_pid(engine)  # tested, found dead, replaced: no error reaches us
        assert second != first and pings
    finally:
        engine.dispose()


def test_a_message_on_a_connection_that_died_while_pooled_is_answered_once(
    settings: Settings, db_url: str
) -> None:
    """The backend under a pooled connection is killed between two messages: the next message
    fails on it, and the dispatcher runs it again on a fresh connection at once."""
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite has no server connections to pool")
    from sqlalchemy import func, select

    from bot.context import Incoming
    from models import InboundMessage

    svc = build_services(settings.model_copy(update={"concurrency": 1}))
    try:
        feed = svc.dispatcher.feed
        assert "以工代赈助手可以" in feed(Incoming("u-dead", "text", "帮助", msg_id="1")).chunks[0]
        pids = []
        for conn in list(svc.engine.pool._pool.queue):  # type: ignore[attr-defined]
            pids.append(conn.driver_connection.info.backend_pid)
        for pid in pids:
            _kill(settings.database_url, pid)
        again = feed(Incoming("u-dead", "text", "帮助", msg_id="2"))
        assert "以工代赈助手可以" in again.chunks[0] and not again.duplicate
        with svc.session_factory() as session:
            keys = session.scalar(select(func.count()).where(InboundMessage.user_id == "u-dead"))
        assert keys == 2  # each message once
    finally:
        svc.engine.dispose()
