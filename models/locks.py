"""Per-worker and per-key locks held until the transaction ends, for rules that read then write.

PostgreSQL (READ COMMITTED) lets two transactions read the same balance and both write; the
rules "paid ≤ owed", "one day per worker and date", the binding-attempt limit and complaint
limits would then fail under concurrency. Every writer of such a rule takes these locks
*before* its reads: `SELECT … FOR UPDATE` on the worker rows (row locks, no shared lock-table
entries, so a 100,000-row import is fine), and transaction-scoped advisory locks for keys that
are not rows (a WeCom account). SQLite needs nothing: every transaction here starts with
`BEGIN IMMEDIATE` (models/session.py), which takes the database's single write lock first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import Select, select, text
from sqlalchemy.orm import Session

from models.direct import DirectStatement, flushed_connection, one_of
from models.people import Worker

CHUNK = 5000
S = TypeVar("S", bound=Select[Any])


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def lock_workers(session: Session, worker_ids: Iterable[int]) -> None:
    """Lock these workers' rows until commit, in id order (no deadlock between two batches)."""
    if not _is_postgres(session):
        return
    ids = sorted({int(i) for i in worker_ids})
    conn = flushed_connection(session)
    for i in range(0, len(ids), CHUNK):
        _LOCK_WORKERS.execute(conn, {"ids": ids[i : i + CHUNK]})


# On the driver, one statement text for any number of workers (models/direct.py).
_LOCK_WORKERS = DirectStatement(
    select(Worker.id).where(one_of(Worker.id, "ids")).order_by(Worker.id).with_for_update()
)


def locked(session: Session, stmt: S) -> S:
    """`stmt` with `FOR UPDATE` and fresh attributes on PostgreSQL (order it by id)."""
    if not _is_postgres(session):
        return stmt
    return stmt.with_for_update().execution_options(populate_existing=True)


def _key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a name (same on every replica)."""
    return int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
    )


def lock_key(session: Session, name: str) -> None:
    """A transaction-scoped lock on a name (e.g. `bind:<userid>`), for things that are no row."""
    if not _is_postgres(session):
        return
    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _key(name)})


__all__ = ["lock_key", "lock_workers", "locked"]
