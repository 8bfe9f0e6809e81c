"""Reminder state: which daily runs finished, and which escalations were made (once each)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, UTCDateTime, utcnow


class ReminderRun(Base):
    """A finished daily run of every reminder rule; a missing day is caught up at start-up."""

    __tablename__ = "reminder_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    moment: Mapped[datetime] = mapped_column(UTCDateTime)
    holder: Mapped[str] = mapped_column(String(100), default="")
    queued: Mapped[int] = mapped_column(default=0)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Escalation(Base):
    """An escalation made once: (rule, project, subject) where subject is a period or a complaint.

    The day it was made drives that day's escalation digest; later days list it in the
    ordinary admin digest instead.
    """

    __tablename__ = "reminder_escalations"
    __table_args__ = (
        UniqueConstraint("rule", "project_id", "subject"),
        Index(None, "rule", "day"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    rule: Mapped[str] = mapped_column(String(40))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    subject: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
