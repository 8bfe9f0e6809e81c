"""Quarterly dispatch reports (季度调度), wage complaints (欠薪反映) and the audit log."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    bindparam,
    event,
    insert,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, BigId, UTCDateTime, utcnow
from models.direct import DirectStatement, connection_of
from models.privacy import mask_payload, mask_text


class QuarterlyReport(Base):
    """A liaison's quarterly report; the latest per (project, quarter) counts."""

    __tablename__ = "quarterly_reports"
    __table_args__ = (Index(None, "project_id", "quarter"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    quarter: Mapped[str] = mapped_column(String(7))  # 2026Q4
    progress: Mapped[int] = mapped_column(SmallInteger)
    problems: Mapped[str] = mapped_column(Text, default="")
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    submitted_by: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    channel: Mapped[str] = mapped_column(String(16), default="chat")


class ComplaintStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class WageComplaint(Base):
    """A worker's 未收到 for a pay period; routed to liaisons, escalated after 7 days."""

    __tablename__ = "wage_complaints"
    __table_args__ = (
        Index(None, "status", "created_at"),
        # one open complaint per (project, worker, month), even when two arrive at once
        Index(
            "uq_wage_complaints_open",
            "project_id",
            "worker_id",
            "period",
            unique=True,
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(16), default=ComplaintStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    resolution: Mapped[str] = mapped_column(Text, default="")

    @property
    def number(self) -> str:
        return f"F-{self.id:06d}"


class AuditLog(Base):
    """Append-only record of writes, exports and security events (no personal data in clear)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "actor", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


@event.listens_for(AuditLog, "before_insert")
def _mask_audit(_mapper: Any, _conn: Any, row: AuditLog) -> None:
    """An audit row keeps ids and codes; a typed number (a file's name, say) goes in masked."""
    row.subject, row.detail = _masked(row.subject, row.detail)


def _masked(subject: str | None, detail: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
    return mask_text(subject or ""), mask_payload(detail or {})


_AUDIT = DirectStatement(
    insert(AuditLog.__table__).values(  # type: ignore[arg-type]
        {
            name: bindparam(name, type_=AuditLog.__table__.c[name].type)
            for name in ("at", "actor", "channel", "action", "subject", "detail")
        }
    )
)


def write_audit(
    session: Session, actor: str, channel: str, action: str, subject: str, detail: dict[str, Any]
) -> None:
    """Append an audit row now, on the driver (a chat message's hot path; models/direct.py),
    masked as `_mask_audit` masks one added through the session."""
    subject, detail = _masked(subject, detail)
    _AUDIT.execute(
        connection_of(session),
        {
            "at": utcnow(),
            "actor": actor,
            "channel": str(channel),
            "action": action,
            "subject": subject,
            "detail": detail,
        },
    )
