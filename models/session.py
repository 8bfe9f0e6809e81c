"""Engine and session factory; nothing is created at import time."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, *, pool_size: int = 10, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout.

    On a server database `pool_size` connections stay open (the server sizes it to its
    concurrency plus its background tasks); up to 20 more open for bursts.
    """
    # Error messages and logs never carry bound parameters: they are names, ID hashes and
    # message text (SPEC §8). The statement itself is enough to debug.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
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
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        if ":memory:" not in url:
            _one_writer_at_a_time(engine, timeout=30)

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # IMMEDIATE: take the write lock up front instead of failing on a lock upgrade.
            # Straight to the driver: SQLAlchemy's statement machinery cost more than BEGIN.
            try:
                conn.connection.driver_connection.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:  # e.g. locked past the busy timeout: as SQLAlchemy's
                raise OperationalError("BEGIN IMMEDIATE", None, exc) from exc

        return engine
    if url.startswith("postgresql") and "connect_timeout" not in make_url(url).query:
        # A blackholed server fails in seconds, not after the kernel's minutes-long TCP retries.
        kwargs["connect_args"] = {"connect_timeout": 5, **kwargs.get("connect_args", {})}
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", pool_size)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


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
        if info is not None and not info.get("writer_lock") and lock.acquire(timeout=timeout):
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
