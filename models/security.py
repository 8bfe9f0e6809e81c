"""Rate-limit counters and binding attempts: the database side of SPEC §8's abuse limits.

`hit`/`count`/`clear` are the limiter API; a Redis backend (REDIS_URL) can replace them later
with the same fixed-window semantics. Keys carry WeCom userids, never personal data.
"""

from __future__ import annotations

import enum
import functools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, BigId, UTCDateTime, utcnow
from models.direct import DirectStatement, connection_of

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class RateCounter(Base):
    """How many times `key` was hit in the fixed window starting at `window_start`."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class BindOutcome(enum.StrEnum):
    BOUND = "bound"
    MISMATCH = "mismatch"  # counts towards the lock
    TAKEN = "taken"  # right name and ID, but the worker is bound to another account
    LOCKED = "locked"  # refused without a look-up


class BindingAttempt(Base):
    """One 绑定 try by a WeCom account; `detail` holds worker ids only, never the typed data."""

    __tablename__ = "binding_attempts"
    __table_args__ = (Index(None, "userid", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    userid: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[str] = mapped_column(String(16))
    worker_id: Mapped[int | None] = mapped_column(nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def window_start(now: datetime, window: timedelta) -> datetime:
    """Start of the fixed window holding `now`, aligned to local midnight for `now`'s zone."""
    if now.tzinfo is None:
        raise ValueError("rate limits need an aware datetime")
    offset = now.utcoffset() or timedelta(0)
    wall = (now - EPOCH) + offset  # local wall-clock time since the epoch
    return EPOCH + (wall // window) * window - offset


@functools.cache
def _upsert(dialect: str) -> DirectStatement:
    """The counting upsert, built once per dialect and run on the driver (every query runs it:
    see models/direct.py); plain columns only."""
    ins = pg_insert(RateCounter) if dialect == "postgresql" else sqlite_insert(RateCounter)
    stmt = (
        ins.values(
            key=bindparam("key", type_=RateCounter.key.type),
            window_start=bindparam("window_start", type_=RateCounter.window_start.type),
            count=1,
        )
        .on_conflict_do_update(
            index_elements=["key", "window_start"], set_={"count": RateCounter.count + 1}
        )
        .returning(RateCounter.count)
    )
    return DirectStatement(stmt)


def hit(
    session: Session, key: str, window: timedelta, limit: int, *, now: datetime | None = None
) -> bool:
    """Count one event for `key`; True while this window's count is at most `limit`."""
    start = window_start(now or utcnow(), window)
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        params = {"key": key, "window_start": start}
        [(counted,)] = _upsert(dialect).execute(connection_of(session), params)
        return int(counted) <= limit
    else:  # portable fallback: not race-free, good enough for a single process
        row = session.get(RateCounter, (key, start))
        if row is None:
            session.add(RateCounter(key=key, window_start=start, count=1))
        else:
            row.count += 1
        session.flush()
    return count(session, key, window, now=now) <= limit


def count(session: Session, key: str, window: timedelta, *, now: datetime | None = None) -> int:
    """Hits of `key` in the current window."""
    start = window_start(now or utcnow(), window)
    value = session.scalar(
        select(RateCounter.count).where(RateCounter.key == key, RateCounter.window_start == start)
    )
    return int(value or 0)


def clear(session: Session, key: str) -> None:
    """Forget every window of `key` (e.g. failures after a successful binding)."""
    session.execute(delete(RateCounter).where(RateCounter.key == key))


def prune(session: Session, before: datetime) -> int:
    """Delete windows that started before `before`; returns how many."""
    result = session.execute(delete(RateCounter).where(RateCounter.window_start < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def attempts_since(session: Session, userid: str, since: datetime) -> list[BindingAttempt]:
    """An account's binding attempts since a moment, oldest first."""
    return list(
        session.scalars(
            select(BindingAttempt)
            .where(BindingAttempt.userid == userid, BindingAttempt.at >= since)
            .order_by(BindingAttempt.at, BindingAttempt.id)
        )
    )


__all__ = [
    "BindOutcome",
    "BindingAttempt",
    "RateCounter",
    "attempts_since",
    "clear",
    "count",
    "hit",
    "prune",
    "window_start",
]
