"""Draining the outbox: claim due rows, deliver outside the claim, record, retry with backoff."""

from __future__ import annotations

import logging
import os
import socket
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.sender import Sender
from bot.wecom_api import ErrorKind, WeComError
from models.base import utcnow
from models.messaging import OutboxMessage, OutboxStatus
from models.session import transaction

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_TRIES = 5  # −1 and network errors
MAX_RATE_LIMITED_TRIES = 30  # 45009/45033, one a minute
RATE_LIMIT_DELAY = timedelta(seconds=60)


@dataclass(frozen=True)
class RateLimits:
    """WeCom's send limits per recipient (SPEC §7)."""

    member_per_minute: int = 30
    member_per_hour: int = 1000
    robot_per_minute: int = 20


@dataclass
class DrainStats:
    """What one drain did."""

    claimed: int = 0
    sent: int = 0
    recorded: int = 0
    retried: int = 0
    failed: int = 0
    postponed: int = 0  # held back by the per-recipient limits, not attempted


@dataclass
class OutboxSummary:
    """For admins: counts by status and the latest permanent failures."""

    counts: dict[str, int]
    oldest_pending_at: datetime | None
    recent_failures: list[dict[str, Any]] = field(default_factory=list)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def drain(
    session_factory: sessionmaker[Session],
    sender: Sender,
    *,
    now: datetime | None = None,
    limit: int = 100,
    worker_id: str | None = None,
    lease: timedelta = LEASE,
    limits: RateLimits | None = None,
) -> DrainStats:
    """Deliver due messages once each; safe to run from several processes at the same time."""
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("drain() needs an aware datetime")
    worker = worker_id or default_worker_id()
    stats = DrainStats()
    claimed = _claim(session_factory, now, limit, lease, limits or RateLimits(), stats)
    for msg in claimed:
        try:
            sender.deliver(msg)
        except WeComError as exc:
            _record_error(session_factory, msg, exc, now, stats, worker)
        except Exception as exc:
            # The token store (database, Redis) may be down for a moment; a bug is not. Either
            # way: a few tries with backoff, then FAILED and visible, and the queue goes on.
            log.exception(
                "outbox %s: unexpected error while delivering (worker %s)", msg.id, worker
            )
            # Only the type: admins see last_error in WeCom, and a database error's text
            # carries SQL and its parameters (names, message text). The log has the rest.
            internal = WeComError(0, f"internal error: {type(exc).__name__}", kind=ErrorKind.RETRY)
            _record_error(session_factory, msg, internal, now, stats, worker)
        else:
            status = sender.success_status
            _finish(
                session_factory, msg, now, status=status, sent_at=now, attempts=msg.attempts + 1
            )
            if status == OutboxStatus.RECORDED:
                stats.recorded += 1
            else:
                stats.sent += 1
    return stats


def _claim(
    factory: sessionmaker[Session],
    now: datetime,
    limit: int,
    lease: timedelta,
    limits: RateLimits,
    stats: DrainStats,
) -> list[OutboxMessage]:
    """Mark due rows SENDING with a lease; PostgreSQL skips rows another worker holds."""
    with transaction(factory) as session:
        query = (
            select(OutboxMessage)
            .where(_claimable(now))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        candidates = list(session.execute(query).scalars())
        usage = _recent_usage(session, {m.recipient for m in candidates}, now)
        claimed: list[OutboxMessage] = []
        for msg in candidates:
            later = _postpone_until(msg, usage, limits, now)
            # Conditional updates: a row another worker claimed meanwhile is left alone.
            guard = and_(OutboxMessage.id == msg.id, _claimable(now))
            if later is not None:
                session.execute(update(OutboxMessage).where(guard).values(next_attempt_at=later))
                stats.postponed += 1
                continue
            won = session.connection().execute(  # Core: the ORM's bulk-update path cost more
                update(OutboxMessage)
                .where(guard)
                .values(status=OutboxStatus.SENDING, claimed_until=now + lease)
                .execution_options(synchronize_session=False)
            )
            if won.rowcount == 1:
                usage[msg.recipient].minute += 1
                usage[msg.recipient].hour += 1
                claimed.append(msg)
        # Delivery happens after commit, on detached copies.
        session.expunge_all()
    for msg in claimed:
        msg.claimed_until = now + lease
    stats.claimed = len(claimed)
    return claimed


def _claimable(now: datetime) -> ColumnElement[bool]:
    """Due and pending, or claimed by a worker whose lease ran out."""
    return or_(
        and_(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        ),
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_until < now),
    )


@dataclass
class _Usage:
    minute: int = 0
    hour: int = 0
    oldest_in_hour: datetime | None = None


class _UsageMap(dict[str, _Usage]):
    def __missing__(self, key: str) -> _Usage:
        value = self[key] = _Usage()
        return value


def _recent_usage(session: Session, recipients: set[str], now: datetime) -> _UsageMap:
    """Messages sent (or in flight) to each recipient in the last minute and hour."""
    usage = _UsageMap()
    if not recipients:
        return usage
    minute_ago, hour_ago = now - timedelta(minutes=1), now - timedelta(hours=1)
    sent = OutboxMessage.status == OutboxStatus.SENT
    in_flight = and_(
        OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_until >= now
    )
    rows = session.execute(
        select(
            OutboxMessage.recipient,
            func.sum(case((or_(in_flight, OutboxMessage.sent_at > minute_ago), 1), else_=0)),
            func.count(),
            func.min(OutboxMessage.sent_at),
        )
        .where(
            OutboxMessage.recipient.in_(recipients),
            or_(in_flight, and_(sent, OutboxMessage.sent_at > hour_ago)),
        )
        .group_by(OutboxMessage.recipient)
    )
    for recipient, minute, hour, oldest in rows:
        usage[recipient] = _Usage(int(minute or 0), int(hour or 0), oldest)
    return usage


def _postpone_until(
    msg: OutboxMessage, usage: _UsageMap, limits: RateLimits, now: datetime
) -> datetime | None:
    """When a send would exceed WeCom's per-recipient limits, the moment to try instead."""
    used = usage[msg.recipient]
    if msg.channel == "webhook":
        return now + RATE_LIMIT_DELAY if used.minute >= limits.robot_per_minute else None
    if used.hour >= limits.member_per_hour:
        oldest = used.oldest_in_hour or now
        return max(oldest + timedelta(hours=1), now + RATE_LIMIT_DELAY)
    if used.minute >= limits.member_per_minute:
        return now + RATE_LIMIT_DELAY
    return None


def _record_error(
    factory: sessionmaker[Session],
    msg: OutboxMessage,
    exc: WeComError,
    now: datetime,
    stats: DrainStats,
    worker: str,
) -> None:
    attempts = msg.attempts + 1
    payload = msg.payload
    if exc.parts_sent > int(payload.get("parts_sent", 0)):
        payload = {**payload, "parts_sent": exc.parts_sent}  # resume after the delivered parts
    if exc.kind is ErrorKind.RATE_LIMIT and attempts < MAX_RATE_LIMITED_TRIES:
        delay: timedelta | None = RATE_LIMIT_DELAY
    elif exc.kind in (ErrorKind.RETRY, ErrorKind.TOKEN) and attempts < MAX_TRIES:
        delay = timedelta(seconds=2**attempts)
    else:
        delay = None
    if delay is not None:
        _finish(
            factory,
            msg,
            now,
            status=OutboxStatus.PENDING,
            attempts=attempts,
            next_attempt_at=now + delay,
            last_errcode=exc.errcode or None,
            last_error=exc.describe(),
            payload=payload,
        )
        stats.retried += 1
        log.warning(
            "outbox %s: WeCom %s errcode %s, retry %d in %ss (worker %s)",
            msg.id,
            exc.endpoint,
            exc.errcode,
            attempts,
            int(delay.total_seconds()),
            worker,
        )
        return
    _finish(
        factory,
        msg,
        now,
        status=OutboxStatus.FAILED,
        attempts=attempts,
        last_errcode=exc.errcode or None,
        last_error=exc.describe(),
        payload=payload,
    )
    stats.failed += 1
    # No recipient or content in the log: ids and the operator's fix only.
    log.error(
        "outbox %s failed permanently after %d attempt(s): errcode %s (%s). %s",
        msg.id,
        attempts,
        exc.errcode,
        exc.kind,
        exc.hint or exc.errmsg,
    )


def _finish(
    factory: sessionmaker[Session], msg: OutboxMessage, now: datetime, **values: Any
) -> None:
    """Record an outcome, only while this worker still holds the claim."""
    values.setdefault("claimed_until", None)
    with transaction(factory) as session:
        result = session.connection().execute(  # Core: the ORM's bulk-update path cost more
            update(OutboxMessage)
            .where(
                OutboxMessage.id == msg.id,
                OutboxMessage.status == OutboxStatus.SENDING,
                OutboxMessage.claimed_until == msg.claimed_until,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            log.warning("outbox %s: claim lost before recording (lease too short?)", msg.id)


def outbox_summary(session: Session, *, recent: int = 10) -> OutboxSummary:
    """Counts by status, the oldest waiting message and the latest permanent failures."""
    counts = Counter(
        {
            str(status): int(n)
            for status, n in session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )
        }
    )
    oldest = session.execute(
        select(func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
        )
    ).scalar_one()
    failures = session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.id.desc())
        .limit(recent)
    ).scalars()
    return OutboxSummary(
        counts={s.value: counts.get(s.value, 0) for s in OutboxStatus},
        oldest_pending_at=oldest,
        recent_failures=[
            {
                "id": m.id,
                "recipient": m.recipient,
                "rule": m.rule,
                "msgtype": m.msgtype,
                "errcode": m.last_errcode,
                "error": m.last_error,
                "created_at": m.created_at,
            }
            for m in failures
        ],
    )


def summary_text(summary: OutboxSummary) -> str:
    """The summary as a short Chinese report for an admin."""
    c = summary.counts
    lines = [
        f"消息发送：待发 {c.get('pending', 0)}，发送中 {c.get('sending', 0)}，"
        f"已发 {c.get('sent', 0)}，沙箱记录 {c.get('recorded', 0)}，失败 {c.get('failed', 0)}"
    ]
    for f in summary.recent_failures:
        lines.append(f"#{f['id']} {f['rule'] or f['msgtype']} → {f['recipient']}：{f['error']}")
    return "\n".join(lines)
