"""Background work inside `yigong serve`: outbox drainer, job runner and the scheduler.

APScheduler (3.x) runs every periodic task with fixed ids; tasks take the services object,
open their own sessions, and never share one with a request.
"""

from __future__ import annotations

import logging
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger(__name__)

# Modules that add scheduled jobs: each defines `schedule(scheduler, services) -> None`.
SCHEDULE_MODULES: list[str] = ["reminders.schedule"]


def make_sender(services: Any) -> Any:
    """The real WeCom sender (token shared via Redis or the database), or the sandbox recorder.

    The client is kept in `services.extras["wecom"]` for jobs that call the API (media download).
    """
    from bot.observability import record_send
    from bot.redis_support import token_store
    from bot.sender import RecordingSender, WeComSender
    from bot.wecom_api import WeComClient

    if services.settings.sandbox:
        return RecordingSender()
    client = services.extras.get("wecom") or WeComClient(services.settings, token_store(services))
    services.extras["wecom"] = client
    return WeComSender(client, on_attempt=record_send)


def drain_outbox(services: Any) -> None:
    from bot.outbox import drain

    try:
        drain(services.session_factory, services.extras["sender"])
    except Exception:
        log.exception("outbox drain failed")


def run_jobs(services: Any) -> None:
    from bot.jobs import run_pending

    try:
        run_pending(services.session_factory, services)
    except Exception:
        log.exception("job runner failed")


def sync_calendar(services: Any) -> None:
    from models.calendar_store import sync

    try:
        with services.session_factory() as session:
            sync(session)
    except Exception:
        log.exception("calendar sync failed")


def start_background(services: Any) -> BackgroundScheduler:
    import importlib
    from datetime import UTC, datetime

    services.extras["sender"] = make_sender(services)
    scheduler = BackgroundScheduler(timezone=services.settings.timezone)
    interval = services.settings.outbox_interval
    scheduler.add_job(
        drain_outbox,
        "interval",
        seconds=interval,
        args=[services],
        id="outbox",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        run_jobs,
        "interval",
        seconds=1,
        args=[services],
        id="jobs",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(  # holidays loaded on another replica (yigong calendar import)
        sync_calendar,
        "interval",
        seconds=60,
        args=[services],
        id="calendar-sync",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
    )
    if services.settings.scheduler_enabled:
        for name in SCHEDULE_MODULES:
            importlib.import_module(name).schedule(scheduler, services)
    scheduler.start()
    services.extras["scheduler"] = _Shutdown(scheduler)
    return scheduler


class _Shutdown:
    def __init__(self, scheduler: BackgroundScheduler) -> None:
        self.scheduler = scheduler

    def close(self) -> None:
        self.scheduler.shutdown(wait=True)
