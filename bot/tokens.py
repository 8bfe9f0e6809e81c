"""The one WeCom access_token per corp+agent, cached in memory and shared through a store."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, sessionmaker

from models.base import utcnow
from models.messaging import AccessToken
from models.session import transaction

log = logging.getLogger(__name__)

# gettoken: returns (access_token, expires_in seconds); raises WeComError.
Fetch = Callable[[], tuple[str, int]]
Clock = Callable[[], datetime]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
REFRESH_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True)
class Token:
    """An access_token and the moment WeCom stops accepting it."""

    value: str
    expires_at: datetime

    def fresh(self, now: datetime, margin: timedelta = REFRESH_MARGIN) -> bool:
        """True while the token is usable and not yet due for early refresh."""
        return bool(self.value) and self.expires_at - margin > now


class TokenStore(Protocol):
    """Where processes share the token (database now, Redis later)."""

    def load(self, key: str) -> Token | None:
        """The stored token, fresh or not; None when there is none."""
        ...

    def refresh(self, key: str, fetch: Fetch, *, is_fresh: Callable[[Token], bool]) -> Token:
        """Under the store's lock: re-read; keep a fresh token, else fetch, save and return it."""
        ...

    def invalidate(self, key: str, token: str) -> None:
        """Mark `token` unusable, unless it has been replaced already."""
        ...


class DbTokenStore:
    """Tokens in the `access_tokens` table.

    PostgreSQL: the row is locked with SELECT ... FOR UPDATE while gettoken runs, so one process
    refreshes and the others wait and then read its token. SQLite (one process by design): a
    process-wide lock plus a re-read after acquiring it.
    """

    _sqlite_lock = threading.Lock()  # SQLite deployments are one process; one lock for it

    def __init__(self, session_factory: sessionmaker[Session], *, clock: Clock = utcnow) -> None:
        self._factory = session_factory
        self._clock = clock
        self._dialect_name: str | None = None

    def load(self, key: str) -> Token | None:
        with self._factory() as session:
            row = session.get(AccessToken, key)
            return Token(row.token, row.expires_at) if row is not None else None

    def refresh(self, key: str, fetch: Fetch, *, is_fresh: Callable[[Token], bool]) -> Token:
        if self._dialect() == "postgresql":
            return self._refresh_locked_row(key, fetch, is_fresh)
        with self._sqlite_lock:
            return self._refresh_plain(key, fetch, is_fresh)

    def invalidate(self, key: str, token: str) -> None:
        with transaction(self._factory) as session:
            session.execute(
                update(AccessToken)
                .where(AccessToken.key == key, AccessToken.token == token)
                .values(expires_at=EPOCH)
            )

    def _dialect(self) -> str:
        if self._dialect_name is None:
            with self._factory() as session:
                self._dialect_name = session.get_bind().dialect.name
        return self._dialect_name

    def _refresh_locked_row(
        self, key: str, fetch: Fetch, is_fresh: Callable[[Token], bool]
    ) -> Token:
        with transaction(self._factory) as session:
            session.execute(
                pg_insert(AccessToken)
                .values(key=key, token="", expires_at=EPOCH)
                .on_conflict_do_nothing(index_elements=[AccessToken.key])
            )
            row = session.execute(
                select(AccessToken).where(AccessToken.key == key).with_for_update()
            ).scalar_one()
            current = Token(row.token, row.expires_at)
            if is_fresh(current):
                return current
            token = self._fetch(fetch)
            row.token, row.expires_at = token.value, token.expires_at
            return token

    def _refresh_plain(self, key: str, fetch: Fetch, is_fresh: Callable[[Token], bool]) -> Token:
        current = self.load(key)
        if current is not None and is_fresh(current):
            return current
        token = self._fetch(fetch)
        with transaction(self._factory) as session:
            session.merge(AccessToken(key=key, token=token.value, expires_at=token.expires_at))
        return token

    def _fetch(self, fetch: Fetch) -> Token:
        value, expires_in = fetch()
        return Token(value, self._clock() + timedelta(seconds=expires_in))


class MemoryTokenStore:
    """A store for one process without a database (tools, tests)."""

    def __init__(self, *, clock: Clock = utcnow) -> None:
        self._tokens: dict[str, Token] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def load(self, key: str) -> Token | None:
        return self._tokens.get(key)

    def refresh(self, key: str, fetch: Fetch, *, is_fresh: Callable[[Token], bool]) -> Token:
        with self._lock:
            current = self._tokens.get(key)
            if current is not None and is_fresh(current):
                return current
            value, expires_in = fetch()
            token = Token(value, self._clock() + timedelta(seconds=expires_in))
            self._tokens[key] = token
            return token

    def invalidate(self, key: str, token: str) -> None:
        with self._lock:
            current = self._tokens.get(key)
            if current is not None and current.value == token:
                self._tokens[key] = Token(current.value, EPOCH)


class AccessTokenManager:
    """Hands out a valid token: memory first, then the shared store, then gettoken."""

    def __init__(
        self,
        store: TokenStore,
        key: str,
        fetch: Fetch,
        *,
        clock: Clock = utcnow,
        margin: timedelta = REFRESH_MARGIN,
    ) -> None:
        self.store = store
        self.key = key
        self._fetch = fetch
        self._clock = clock
        self._margin = margin
        self._cached: Token | None = None
        self._lock = threading.Lock()

    def get(self) -> str:
        """A token valid for at least `margin`; at most one gettoken per expiry, shared."""
        cached = self._cached
        if cached is not None and self._is_fresh(cached):
            return cached.value
        with self._lock:
            cached = self._cached
            if cached is not None and self._is_fresh(cached):
                return cached.value
            stored = self.store.load(self.key)
            if stored is None or not self._is_fresh(stored):
                stored = self.store.refresh(self.key, self._logged_fetch, is_fresh=self._is_fresh)
            self._cached = stored
            return stored.value

    def invalidate(self, token: str) -> None:
        """Forget `token` (WeCom said 40001/40014/42001); the next get() refreshes."""
        with self._lock:
            if self._cached is not None and self._cached.value == token:
                self._cached = None
        self.store.invalidate(self.key, token)

    def _is_fresh(self, token: Token) -> bool:
        return token.fresh(self._clock(), self._margin)

    def _logged_fetch(self) -> tuple[str, int]:
        value, expires_in = self._fetch()
        log.info("access_token refreshed for %s (expires_in=%ss)", self.key, expires_in)
        return value, expires_in
