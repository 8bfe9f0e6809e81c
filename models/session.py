"""Engine and session factory; nothing is created at import time."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT = 30  # seconds a SQLite transaction waits for another process's writer


class WriterBusy(Exception):
    """SQLite's one writer is taken, and this caller asked not to wait for it."""


_NO_WAIT: ContextVar[bool] = ContextVar("yigong_sqlite_no_wait", default=False)


@contextmanager
def without_waiting() -> Iterator[None]:
    """Inside, beginning a SQLite transaction raises `WriterBusy` instead of waiting while
    another thread or process writes: for work on the event loop, which must never wait."""
    token = _NO_WAIT.set(True)
    try:
        yield
    finally:
        _NO_WAIT.reset(token)


def make_engine(url: str, *, pool_size: int = 10, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout.

    On a server database `pool_size` connections stay open (the server sizes it to its
    concurrency plus its background tasks); up to 20 more open for bursts.
    """
    # Error messages and logs never carry bound parameters: they are names, ID hashes and
    # message text (SPEC §8). The statement itself is enough to debug.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": BUSY_TIMEOUT})
        if ":memory:" not in url:
            kwargs.setdefault("pool_size", pool_size)  # file databases pool like a server's
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not pysqlite, emit BEGIN, so that SAVEPOINTs work.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
                # No checkpoint inside a commit: one in ~300 commits copied the log into the
                # database and synced it there, 25 ms that callback waited (and 1/3 of the
                # average commit). The server checkpoints every second in the background
                # (`WalCheckpointer`); a process's last connection checkpoints as it closes.
                cur.execute("PRAGMA wal_autocheckpoint=0")
                cur.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        if ":memory:" not in url:
            _one_writer_at_a_time(engine, timeout=BUSY_TIMEOUT)

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # IMMEDIATE: take the write lock up front instead of failing on a lock upgrade.
            # Straight to the driver: SQLAlchemy's statement machinery cost more than BEGIN.
            driver = conn.connection.driver_connection
            try:
                if _NO_WAIT.get():  # another process writing: say so at once, do not wait
                    _begin_now(driver)
                else:
                    driver.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:  # e.g. locked past the busy timeout: as SQLAlchemy's
                raise OperationalError("BEGIN IMMEDIATE", None, exc) from exc

        return engine
    if url.startswith("postgresql") and "connect_timeout" not in make_url(url).query:
        # A blackholed server fails in seconds, not after the kernel's minutes-long TCP retries.
        kwargs["connect_args"] = {"connect_timeout": 5, **kwargs.get("connect_args", {})}
    kwargs.setdefault("pool_size", pool_size)
    kwargs.setdefault("max_overflow", 20)
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_when_idle(engine)
    return engine


IDLE_BEFORE_PING = 1.0  # seconds a pooled connection may rest before it is tested on checkout


def _ping_when_idle(engine: Engine) -> None:
    """Test a pooled connection before use only when it has rested for a while.

    `pool_pre_ping` tests every checkout: a round trip per message, for the replica and for
    PostgreSQL, though a connection handed back a millisecond ago is as alive as it was then.
    A connection that dies in between (a server restart, a killed backend) fails its first
    statement instead; SQLAlchemy then discards it and every connection older than it, and the
    dispatcher runs that message again at once (`Dispatcher.feed`).
    """

    @event.listens_for(engine, "connect")
    def _fresh(_dbapi_conn: Any, record: Any) -> None:
        record.info["rested_since"] = time.monotonic()

    @event.listens_for(engine.pool, "checkin")
    def _rest(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info["rested_since"] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _test(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("rested_since")
        if since is not None and time.monotonic() - since < IDLE_BEFORE_PING:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("connection failed its test after resting") from exc
        if not alive:
            raise DisconnectionError("connection failed its test after resting")


def _begin_now(driver: sqlite3.Connection) -> None:
    driver.execute("PRAGMA busy_timeout=0")
    try:
        driver.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise WriterBusy from exc
        raise
    finally:
        driver.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT * 1000}")


WAL_SIZE_LIMIT = 64 * 1024 * 1024  # the log is cut back to this when it starts over


class WalCheckpointer:
    """Copies a SQLite database's write-ahead log into it, off the callbacks' path.

    Its own connection, outside the pool and SQLAlchemy's transactions: a PASSIVE checkpoint
    copies what no reader still needs and waits for nobody. Nothing to do on PostgreSQL.
    """

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.path = parsed.database if parsed.get_backend_name() == "sqlite" else None
        if self.path in ("", ":memory:"):
            self.path = None
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def run(self) -> tuple[int, int] | None:
        """One checkpoint: (frames in the log, frames copied), or None when not SQLite."""
        if self.path is None:
            return None
        with self._lock:
            if self._conn is None:
                self._conn = sqlite3.connect(
                    self.path, isolation_level=None, check_same_thread=False, timeout=1
                )
            busy, frames, copied = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            return int(frames), int(copied)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _one_writer_at_a_time(engine: Engine, timeout: float) -> None:
    """SQLite runs one transaction at a time (every BEGIN is IMMEDIATE). Threads of this
    process queue for it on a lock, woken the moment it is free, instead of in SQLite's busy
    handler, which sleeps 1, 2, 5 … 100 ms between tries: under 8 concurrent callbacks those
    sleeps were most of the p99 (bench/callback.py). Other processes still meet SQLite's own
    locking. The lock is held from BEGIN until the connection goes back to the pool."""
    lock = threading.Lock()

    @event.listens_for(engine, "begin")
    def _queue(conn: Any) -> None:
        # record_info: kept across an invalidated connection, so the lock is always released
        info = conn.connection.record_info
        if info is None or info.get("writer_lock"):
            return
        if _NO_WAIT.get():
            if not lock.acquire(blocking=False):
                raise WriterBusy
            info["writer_lock"] = True
        elif lock.acquire(timeout=timeout):
            info["writer_lock"] = True  # else: SQLite's busy timeout decides, as before

    @event.listens_for(engine.pool, "checkin")
    def _leave(_dbapi_conn: Any, record: Any) -> None:
        if record.record_info.pop("writer_lock", False):
            lock.release()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session
