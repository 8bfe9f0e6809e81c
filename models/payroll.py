"""Payroll notices (公示): which pay sheet was made public, for how long, and by whom."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, UTCDateTime, utcnow


class PayrollNotice(Base):
    """A 公示 of one project's payroll for one period; the liaison is reminded when it ends."""

    __tablename__ = "payroll_notices"
    __table_args__ = (Index(None, "project_id", "period"), Index(None, "ends_on"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    period: Mapped[str] = mapped_column(String(7))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    workers: Mapped[int] = mapped_column(Integer)
    total_fen: Mapped[int] = mapped_column(BigInteger)
    channels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # complaint channels
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
