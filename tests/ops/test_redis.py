"""Redis, when configured: replies cached in front of the database, rate limits, the token."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session, sessionmaker

import models
from bot.app import create_app
from bot.observability import get_metrics
from bot.outbox import drain
from bot.redis_support import (
    RecentReplies,
    RedisRateLimiter,
    RedisTokenStore,
    build_redis,
    connect,
    token_store,
)
from bot.sender import WeComSender
from bot.services import Services
from bot.settings import Settings
from bot.tokens import AccessTokenManager, DbTokenStore, MemoryTokenStore
from bot.wecom_api import WeComClient
from bot.wiring import build_services
from models import AccessToken, OutboxMessage, OutboxStatus
from models.base import utcnow
from tests.builders import WeComUser
from tests.fake_wecom import FakeWeCom, offline_http

REDIS_URL = os.environ.get("YIGONG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url() -> str:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI and {REDIS_URL} is unreachable")
        pytest.skip(f"no Redis at {REDIS_URL}")
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def redis_app(settings: Settings, engine: Engine, redis_url: str) -> Iterator[TestClient]:
    svc = build_services(settings.model_copy(update={"redis_url": redis_url}), engine=engine)
    with TestClient(create_app(svc.settings, services=svc, background=False)) as client:
        yield client
    svc.redis.close()


def test_repeat_is_answered_from_redis_before_the_database(
    redis_app: TestClient, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    wecom = WeComUser(redis_app, settings)
    msg_id = str(uuid.uuid4().int >> 65)
    first = wecom.text("u-redis", "帮助", msg_id=msg_id)
    assert first.status == 200 and first.text
    with session_factory() as session, session.begin():
        session.execute(delete(models.InboundMessage))  # only Redis remembers it now
    again = wecom.text("u-redis", "帮助", msg_id=msg_id)
    assert again.response.content == first.response.content
    with session_factory() as session:
        assert (
            session.get(models.InboundMessage, f"msg:{msg_id}:u-redis") is None
        )  # no second write


def test_bot_works_when_redis_is_down(
    settings: Settings, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    svc = build_services(
        settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"}), engine=engine
    )
    with TestClient(create_app(svc.settings, services=svc, background=False)) as client:
        wecom = WeComUser(client, settings)
        first = wecom.text("u-down", "帮助", msg_id="88800000000001")
        again = wecom.text("u-down", "帮助", msg_id="88800000000001")
    assert first.status == again.status == 200
    assert again.response.content == first.response.content  # the database deduplicated
    with session_factory() as session:
        assert session.get(models.InboundMessage, "msg:88800000000001:u-down") is not None


def test_recent_replies_round_trip(redis_client: redis.Redis) -> None:
    replies = RecentReplies(redis_client, ttl=30)
    key = f"msg:{uuid.uuid4().hex}"
    assert replies.get(key) is None
    replies.put(key, "")
    assert replies.get(key) == ""  # an empty 200 is an answer too
    replies.put(key, "<xml>密文</xml>")
    assert replies.get(key) == "<xml>密文</xml>"


def test_rate_limiter_shares_windows_and_falls_back(
    redis_client: redis.Redis, session: Session
) -> None:
    limiter = RedisRateLimiter(redis_client)
    key = f"bind:{uuid.uuid4().hex}"
    window = timedelta(hours=1)
    assert [limiter.hit(session, key, window, 3) for _ in range(5)] == [
        True,
        True,
        True,
        False,
        False,
    ]
    assert limiter.count(session, key, window) == 5
    limiter.clear(session, key)
    assert limiter.count(session, key, window) == 0
    session.commit()
    down = RedisRateLimiter(connect("redis://127.0.0.1:1/0", timeout=0.2))
    with session.begin():
        assert [down.hit(session, key, window, 1) for _ in range(2)] == [
            True,
            False,
        ]  # the DB counted


def test_token_refreshed_once_across_processes(redis_client: redis.Redis) -> None:
    key = f"corp:{uuid.uuid4().hex}"
    calls: list[int] = []

    def fetch() -> tuple[str, int]:
        calls.append(1)
        time.sleep(0.2)  # a slow gettoken: the others must wait, not call it too
        return f"tok-{len(calls)}", 7200

    managers = [AccessTokenManager(RedisTokenStore(redis_client), key, fetch) for _ in range(6)]
    got: list[str] = []
    threads = [threading.Thread(target=lambda m=m: got.append(m.get())) for m in managers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1] and set(got) == {"tok-1"}
    managers[0].invalidate("tok-1")
    assert managers[1].get() == "tok-1"  # its memory copy is still good until it fails itself
    assert AccessTokenManager(RedisTokenStore(redis_client), key, fetch).get() == "tok-2"
    redis_client.delete(f"yigong:token:{key}")


def _redis_errors(op: str) -> float:
    value = get_metrics().registry.get_sample_value("yigong_redis_errors_total", {"op": op})
    return value or 0.0


def test_messages_are_sent_with_the_database_token_when_redis_is_down(
    fake_wecom: FakeWeCom, db_url: str, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    svc = build_services(
        fake_wecom.settings(database_url=db_url, redis_url="redis://127.0.0.1:1/0"), engine=engine
    )
    store = token_store(svc)
    assert isinstance(store, RedisTokenStore) and isinstance(store.fallback, DbTokenStore)
    ops = ("token_load", "token_refresh", "token_invalidate")
    before = {op: _redis_errors(op) for op in ops}
    client = WeComClient(svc.settings, store, http=offline_http())

    def queue(text: str) -> int:
        with session_factory.begin() as session:
            row = OutboxMessage(
                recipient="zhangsan", channel="app", msgtype="text", payload={"content": text}
            )
            session.add(row)
            session.flush()
            return row.id

    try:
        sender = WeComSender(client)
        ids = [queue("一")]
        assert drain(session_factory, sender).sent == 1  # load and refresh fell back to the DB
        first_token = client.get_token()
        fake_wecom.expire_tokens()
        ids.append(queue("二"))
        assert drain(session_factory, sender).sent == 1  # 42001: invalidated in the DB, refreshed
        token = client.get_token()
    finally:
        client._http.close()
        svc.redis.close()
    assert fake_wecom.texts("zhangsan") == ["一", "二"] and fake_wecom.token_calls == 2
    assert token != first_token
    with session_factory() as session:
        for msg_id in ids:
            sent = session.get(OutboxMessage, msg_id)
            assert sent is not None and sent.status == OutboxStatus.SENT
        saved = session.get(AccessToken, f"{fake_wecom.corp_id}:{fake_wecom.agent_id}")
        assert saved is not None and saved.token == token  # shared through the database
    assert all(_redis_errors(op) > before[op] for op in ops)  # each fallback was counted


def test_invalidate_reaches_a_token_the_fallback_handed_out(redis_client: redis.Redis) -> None:
    # Redis refusing writes (full, noeviction) sends refresh to the fallback while reads work:
    # the rejected token lives only there, and must not stay "fresh" there.
    key = f"corp:{uuid.uuid4().hex}"
    fallback = MemoryTokenStore()
    fallback.refresh(key, lambda: ("tok-db", 7200), is_fresh=lambda t: False)
    store = RedisTokenStore(redis_client, fallback=fallback)
    store.invalidate(key, "tok-db")
    stored = fallback.load(key)
    assert stored is not None and not stored.fresh(utcnow())


def test_token_store_without_redis_is_the_database(services: Services) -> None:
    assert isinstance(token_store(services), DbTokenStore)


def test_build_redis_without_url() -> None:
    assert build_redis(None) is None


class _Blackhole:
    """A "Redis" that accepts connections and never answers; counts the connections."""

    def __init__(self) -> None:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.held: list[object] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            self.held.append(conn)  # open, silent

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()  # type: ignore[attr-defined]


def test_a_hanging_redis_is_skipped_by_the_circuit_breaker(
    settings: Settings, engine: Engine
) -> None:
    hole = _Blackhole()
    svc = build_services(
        settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{hole.port}/0"}),
        engine=engine,
    )
    try:
        with TestClient(create_app(svc.settings, services=svc, background=False)) as client:
            wecom = WeComUser(client, settings)
            replies = [wecom.text(f"u-hang-{i}", "帮助") for i in range(10)]
        assert all(r.status == 200 and r.text for r in replies)
        # without the breaker: a connection (and a 0.25 s timeout) per Redis call, two or
        # more per callback; with it, the first failure keeps the rest away from Redis
        assert hole.connections <= 2, hole.connections
        assert svc.redis.client.is_open
    finally:
        svc.redis.close()
        hole.close()
