"""Daily reminder ticks inside `yigong serve`: one leader per tick, catch-up after downtime.

The tick runs at settings.reminder_hour local time. Exactly one replica runs it: on
PostgreSQL the transaction holds `pg_try_advisory_xact_lock`, elsewhere SQLite's
BEGIN IMMEDIATE serialises writers. A finished day is recorded in `reminder_runs`; at
start-up a day with no record (after the reminder hour) is run at once.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.observability import record_reminder_run
from models import ReminderRun
from reminders.catalog import RULES
from reminders.engine import RunResult, run_rules

log = logging.getLogger(__name__)

LOCK_KEY = 0x59474F4E  # "YGON": the advisory lock of the daily reminder tick
JOB_ID = "reminders-daily"


@dataclass
class TickResult:
    ran: bool
    reason: str = ""
    result: RunResult | None = None


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _take_lock(session: Session) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return True  # SQLite: BEGIN IMMEDIATE already makes this transaction the only writer
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": LOCK_KEY}))


def run_once(factory: sessionmaker[Session], now: datetime, *, force: bool = False) -> TickResult:
    """Run every rule as of `now` unless this day already ran (force: run anyway)."""
    with factory() as session, session.begin():
        if not _take_lock(session):
            return TickResult(False, "another replica holds the reminder lock")
        day = now.date()
        if not force and session.scalar(select(ReminderRun.id).where(ReminderRun.day == day)):
            return TickResult(False, f"{day} already ran")
        result = run_rules(session, now, RULES)
        run = session.scalar(select(ReminderRun).where(ReminderRun.day == day))
        if run is None:
            session.add(
                ReminderRun(day=day, moment=now, holder=_holder(), queued=len(result.queued))
            )
        else:
            run.queued += len(result.queued)
        return TickResult(True, "", result)


def last_run_day(factory: sessionmaker[Session]) -> Any:
    with factory() as session:
        return session.scalar(select(func.max(ReminderRun.day)))


def tick(services: Any, now: datetime | None = None) -> TickResult:
    """The scheduled job: run the day's rules (once per day across replicas), then drain."""
    from bot.outbox import drain

    now = now or datetime.now(services.settings.tz)
    try:
        outcome = run_once(services.session_factory, now)
    except Exception:
        log.exception("reminder tick failed")
        record_reminder_run("all", "error")
        return TickResult(False, "error")
    if outcome.ran and outcome.result is not None:
        skipped = set(outcome.result.skipped_rules)
        for name in RULES:
            record_reminder_run(name, "skipped" if name in skipped else "ok")
        log.info("reminders %s: queued %s", now.isoformat(), outcome.result.by_rule())
        sender = services.sender
        if sender is not None:
            drain(services.session_factory, sender)
    return outcome


def catch_up(services: Any, now: datetime | None = None) -> TickResult | None:
    """If today's tick time has passed and today did not run, run it now.

    Runs at start-up and then hourly, so a day whose tick failed (the database was down at
    09:00) still runs once the database is back, not only at the next restart.
    """
    now = now or datetime.now(services.settings.tz)
    if now.hour < services.settings.reminder_hour:
        return None
    return tick(services, now)


def schedule(scheduler: BackgroundScheduler, services: Any) -> None:
    """Add the daily job (fixed id) and a one-off catch-up run at start-up."""
    scheduler.add_job(
        tick,
        "cron",
        hour=services.settings.reminder_hour,
        minute=0,
        args=[services],
        id=JOB_ID,
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=6 * 3600,
    )
    scheduler.add_job(
        catch_up, "date", args=[services], id=f"{JOB_ID}-catch-up", replace_existing=True
    )
    scheduler.add_job(
        catch_up,
        "interval",
        hours=1,
        args=[services],
        id=f"{JOB_ID}-retry",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
    )
