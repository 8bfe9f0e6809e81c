"""Engine and session factory; nothing is created at import time."""

from __future__ import annotations

import sqlite3
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


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session
