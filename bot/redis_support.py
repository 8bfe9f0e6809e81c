"""Optional Redis (REDIS_URL): recent replies in front of the DB check, rate limits, the token.

Redis is a cache and a coordinator, never the source of truth: every call falls back (to the
database, or to "not cached") when Redis is slow or down, and the bot works without it.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from bot.tokens import EPOCH, Fetch, MemoryTokenStore, Token, TokenStore
from models.base import utcnow

log = logging.getLogger(__name__)

PREFIX = "yigong:"
REPLY_TTL = 3600  # WeCom retries within seconds; an hour covers slow retries and restarts
_REDIS_ERRORS = (redis.RedisError, OSError)

_RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)
_INVALIDATE = (
    "if redis.call('hget', KEYS[1], 'token') == ARGV[1] then "
    "return redis.call('hset', KEYS[1], 'expires_at', '0') end return 0"
)


class RateLimiter(Protocol):
    """Fixed-window counters: `models.security` (the database) or `RedisRateLimiter`."""

    def hit(
        self, session: Any, key: str, window: timedelta, limit: int, *, now: datetime | None = None
    ) -> bool:
        """Count one event; True while within the limit."""
        ...

    def count(
        self, session: Any, key: str, window: timedelta, *, now: datetime | None = None
    ) -> int:
        """Events in the current window, without counting one."""
        ...

    def clear(self, session: Any, key: str) -> None:
        """Forget the key's counts (e.g. after a successful binding)."""
        ...


SOCKET_TIMEOUT = 0.25  # a healthy Redis answers in well under a millisecond
COOLDOWN = 15.0  # seconds a tripped breaker keeps every call away from Redis


def connect(url: str, *, timeout: float = SOCKET_TIMEOUT) -> redis.Redis:
    """A client with short timeouts: a slow Redis must not slow a callback."""
    return redis.Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        health_check_interval=30,
        retry=Retry(NoBackoff(), 0),  # no retries: the caller falls back at once
    )


class CircuitOpen(redis.ConnectionError):
    """Redis failed a moment ago: the call is refused at once, the caller falls back."""


class GuardedRedis:
    """A Redis client behind a circuit breaker.

    A Redis that accepts connections and never answers costs every call its socket
    timeout; several calls a callback would make each callback that much slower. After
    one failure, every call fails at once (CircuitOpen, a ConnectionError, so the usual
    fallbacks answer) for `cooldown` seconds; then one call may try Redis again.
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        cooldown: float = COOLDOWN,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._cooldown = cooldown
        self._clock = clock
        self._open_until = 0.0

    @property
    def is_open(self) -> bool:
        return self._clock() < self._open_until

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self.is_open:
            raise CircuitOpen("redis circuit open")
        try:
            return fn(*args, **kwargs)
        except _REDIS_ERRORS:
            self._open_until = self._clock() + self._cooldown  # and half-open after it
            raise

    def pipeline(self, *args: Any, **kwargs: Any) -> Any:
        return _GuardedPipeline(self, self._client.pipeline(*args, **kwargs))

    def close(self) -> None:
        self._client.close()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if not callable(attr):
            return attr
        return lambda *args, **kwargs: self.call(attr, *args, **kwargs)


class _GuardedPipeline:
    def __init__(self, guard: GuardedRedis, pipe: Any) -> None:
        self._guard = guard
        self._pipe = pipe

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        return self._guard.call(self._pipe.execute, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pipe, name)  # queued commands: no network until execute


def _failed(op: str, exc: BaseException) -> None:
    from bot.observability import get_metrics

    get_metrics().redis_errors.labels(op).inc()
    if not isinstance(exc, CircuitOpen):  # one line when it trips, not one per call
        log.warning("redis %s failed, falling back: %s", op, type(exc).__name__)


class RecentReplies:
    """Answered callbacks by dedup key → stored response body, checked before the database."""

    def __init__(self, client: redis.Redis, *, ttl: int = REPLY_TTL) -> None:
        self.client = client
        self.ttl = ttl

    def get(self, key: str) -> str | None:
        try:
            value = self.client.get(PREFIX + "reply:" + key)
        except _REDIS_ERRORS as exc:
            _failed("reply_get", exc)
            return None
        return None if value is None else bytes(value).decode()  # type: ignore[arg-type]

    def put(self, key: str, body: str) -> None:
        """Call only after the message's transaction committed."""
        try:
            self.client.set(PREFIX + "reply:" + key, body.encode(), ex=self.ttl)
        except _REDIS_ERRORS as exc:
            _failed("reply_put", exc)


class RedisRateLimiter:
    """`models.security.hit` on Redis: the same fixed windows, shared by every replica.

    When Redis fails, the database limiter counts instead, so a limit is never skipped.
    """

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def hit(
        self, session: Any, key: str, window: timedelta, limit: int, *, now: datetime | None = None
    ) -> bool:
        from models import security

        start = security.window_start(now or utcnow(), window)
        name = f"{PREFIX}rate:{key}:{int(start.timestamp())}"
        try:
            pipe = self.client.pipeline()
            pipe.incr(name)
            pipe.expire(name, int(window.total_seconds()) + 60)
            count = int(pipe.execute()[0])
        except _REDIS_ERRORS as exc:
            _failed("rate_hit", exc)
            return security.hit(session, key, window, limit, now=now)
        return count <= limit

    def count(
        self, session: Any, key: str, window: timedelta, *, now: datetime | None = None
    ) -> int:
        from models import security

        start = security.window_start(now or utcnow(), window)
        try:
            value = self.client.get(f"{PREFIX}rate:{key}:{int(start.timestamp())}")
        except _REDIS_ERRORS as exc:
            _failed("rate_count", exc)
            return security.count(session, key, window, now=now)
        return int(value or 0)

    def clear(self, session: Any, key: str) -> None:
        from models import security

        try:
            names = list(self.client.scan_iter(match=f"{PREFIX}rate:{key}:*", count=100))
            if names:
                self.client.delete(*names)
        except _REDIS_ERRORS as exc:
            _failed("rate_clear", exc)
        security.clear(session, key)  # a fallback may have counted there


class LockTimeout(RuntimeError):
    """Another process held the refresh lock past `lock_seconds` while Redis kept answering.

    Deliberately not an OSError (as the built-in TimeoutError is), so that it is not taken
    for a Redis failure and answered from the fallback store.
    """


class RedisTokenStore:
    """The access_token in a Redis hash; one refresh at a time under a SET NX lock.

    Matches `bot.tokens.TokenStore`. The lock expires by itself, so a process that dies while
    calling gettoken blocks the others for `lock_seconds` at most. When Redis fails, `fallback`
    (the database store, from `token_store()`) serves the call instead, so sending never
    depends on Redis.
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        fallback: TokenStore | None = None,
        lock_seconds: float = 10.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.client = client
        self.fallback: TokenStore = fallback if fallback is not None else MemoryTokenStore()
        self.lock_seconds = lock_seconds
        self._clock = clock

    def _key(self, key: str) -> str:
        return f"{PREFIX}token:{key}"

    def _load(self, key: str) -> Token | None:
        """The token in Redis; raises on Redis errors."""
        raw: Any = self.client.hgetall(self._key(key))
        if not raw:
            return None
        value = raw.get(b"token", b"").decode()
        expires = datetime.fromtimestamp(float(raw.get(b"expires_at", b"0")), UTC)
        return Token(value, expires if expires.timestamp() > 0 else EPOCH)

    def load(self, key: str) -> Token | None:
        try:
            return self._load(key)
        except _REDIS_ERRORS as exc:
            _failed("token_load", exc)
            return self.fallback.load(key)

    def refresh(self, key: str, fetch: Fetch, *, is_fresh: Callable[[Token], bool]) -> Token:
        lock = f"{PREFIX}token-lock:{key}"
        owner = secrets.token_hex(8)
        deadline = time.monotonic() + self.lock_seconds
        try:
            while not self.client.set(lock, owner, nx=True, px=int(self.lock_seconds * 1000)):
                current = self._load(key)
                if current is not None and is_fresh(current):
                    return current  # another process refreshed while we waited
                if time.monotonic() > deadline:
                    raise LockTimeout("access_token refresh lock held too long")
                time.sleep(0.05)
        except _REDIS_ERRORS as exc:
            _failed("token_refresh", exc)
            return self.fallback.refresh(key, fetch, is_fresh=is_fresh)
        try:
            try:
                current = self._load(key)
            except _REDIS_ERRORS as exc:
                _failed("token_refresh", exc)
                return self.fallback.refresh(key, fetch, is_fresh=is_fresh)
            if current is not None and is_fresh(current):
                return current
            value, expires_in = fetch()
            token = Token(value, self._clock() + timedelta(seconds=expires_in))
            try:
                self.client.hset(
                    self._key(key),
                    mapping={"token": value, "expires_at": str(token.expires_at.timestamp())},
                )
                self.client.expire(self._key(key), int(expires_in) + 60)
            except _REDIS_ERRORS as exc:
                _failed("token_save", exc)  # the token is good: the caller keeps it in memory
            return token
        finally:
            try:
                self.client.eval(_RELEASE, 1, lock, owner)
            except _REDIS_ERRORS as exc:
                _failed("token_unlock", exc)  # the lock expires by itself

    def invalidate(self, key: str, token: str) -> None:
        """In Redis and in the fallback: the token may have come from either (rare, cheap)."""
        try:
            self.client.eval(_INVALIDATE, 1, self._key(key), token)
        except _REDIS_ERRORS as exc:
            _failed("token_invalidate", exc)
        self.fallback.invalidate(key, token)


@dataclass
class RedisSupport:
    """What the app keeps in `services.redis`."""

    client: redis.Redis
    replies: RecentReplies
    limiter: RedisRateLimiter

    def ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except _REDIS_ERRORS:
            return False

    def close(self) -> None:
        self.client.close()


def build_redis(url: str | None) -> RedisSupport | None:
    """Redis support for a REDIS_URL, or None; never fails at start-up (Redis may come later)."""
    if not url:
        return None
    client: Any = GuardedRedis(connect(url))
    return RedisSupport(
        client=client,
        replies=RecentReplies(client),
        limiter=RedisRateLimiter(client),
    )


def token_store(services: Any) -> TokenStore:
    """The shared token store for the WeCom client: Redis when configured, else the database.

    The Redis store falls back to the database whenever Redis fails.
    """
    from bot.tokens import DbTokenStore

    database = DbTokenStore(services.session_factory)
    support = services.redis
    if support is None:
        return database
    return RedisTokenStore(support.client, fallback=database)
