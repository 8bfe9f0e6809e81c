"""Transport state kept in the database: callback replies, outbox, access tokens, jobs."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, UTCDateTime, utcnow
from models.privacy import mask_payload, mask_text


class InboundMessage(Base):
    """One processed callback, keyed by MsgId (events: sender+CreateTime+Event+key).

    The stored response body is returned byte for byte when WeCom retries.
    """

    __tablename__ = "inbound_messages"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    reply_text: Mapped[str] = mapped_column(Text, default="")
    response_body: Mapped[str] = mapped_column(Text, default="")


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    RECORDED = "recorded"  # sandbox: kept instead of sent
    FAILED = "failed"  # permanent


class OutboxMessage(Base):
    """A message owed to somebody; `dedup_key` makes a reminder owed exactly once."""

    __tablename__ = "outbox"
    __table_args__ = (Index(None, "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dedup_key: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    recipient: Mapped[str] = mapped_column(String(255), index=True)
    channel: Mapped[str] = mapped_column(String(16), default="app")  # app | webhook
    msgtype: Mapped[str] = mapped_column(String(20), default="text")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_errcode: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    rule: Mapped[str] = mapped_column(String(40), default="")


class AccessToken(Base):
    """The one access_token per corp+agent, shared by every process."""

    __tablename__ = "access_tokens"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    token: Mapped[str] = mapped_column(String(600), default="")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JobStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Base):
    """Work that outlives a callback (an Excel import, a chart): durable, run once."""

    __tablename__ = "jobs"
    __table_args__ = (Index(None, "status", "run_after"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    result: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Lease(Base):
    """A named lease for leader election where advisory locks are not available."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    until: Mapped[datetime] = mapped_column(UTCDateTime)


@event.listens_for(OutboxMessage, "before_insert")
def _mask_outbox(_mapper: Any, _conn: Any, row: OutboxMessage) -> None:
    """At rest as on the wire: queued messages keep no ID, card or phone number in clear."""
    row.payload = mask_payload(row.payload)


@event.listens_for(InboundMessage, "before_insert")
def _mask_reply(_mapper: Any, _conn: Any, row: InboundMessage) -> None:
    row.reply_text = mask_text(row.reply_text or "")


@event.listens_for(Job, "before_insert")
def _mask_job(_mapper: Any, _conn: Any, row: Job) -> None:
    row.payload = mask_payload(row.payload or {})  # e.g. a file named after an ID number
