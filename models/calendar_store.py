"""Holidays and 调休 workdays loaded from the State Council notice, shared by every replica.

The rows live in `calendar_days`; each process keeps a copy in `models.calendar` and
re-reads it when the table changed (a cheap count/max check, at most once a minute).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import Boolean, Date, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models import calendar
from models.base import Base, UTCDateTime, utcnow

SYNC_EVERY = 60.0  # seconds between checks of the table in one process


class CalendarDay(Base):
    """A holiday (workday False) or a make-up working day (True) of a loaded year."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(40), default="")
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    loaded_by: Mapped[str] = mapped_column(String(64), default="")


_state: dict[str, object] = {"signature": None, "checked": 0.0}


def sync(session: Session, *, force: bool = False) -> bool:
    """Bring this process's copy up to date with the table; True when it changed."""
    now = time.monotonic()
    if not force and now - float(_state["checked"]) < SYNC_EVERY:  # type: ignore[arg-type]
        return False
    _state["checked"] = now
    count, latest = session.execute(select(func.count(), func.max(CalendarDay.loaded_at))).one()
    signature = (int(count or 0), latest)
    if signature == _state["signature"]:
        return False
    rows = session.execute(select(CalendarDay.day, CalendarDay.workday)).all()
    calendar.set_loaded_days({d: bool(w) for d, w in rows})
    _state["signature"] = signature
    return True


def replace_years(
    session: Session, days: Mapping[date, tuple[bool, str]], *, actor: str, now: datetime
) -> list[int]:
    """Store a notice's days, replacing whatever was loaded for the same years."""
    years = sorted({d.year for d in days})
    for y in years:
        session.execute(
            delete(CalendarDay).where(
                CalendarDay.day >= date(y, 1, 1), CalendarDay.day <= date(y, 12, 31)
            )
        )
    session.add_all(
        CalendarDay(day=d, workday=w, name=n[:40], loaded_at=now, loaded_by=actor)
        for d, (w, n) in sorted(days.items())
    )
    session.flush()
    return years
