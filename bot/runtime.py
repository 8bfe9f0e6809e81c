"""Background work inside `yigong serve`: outbox drainer, job runner and the scheduler.

APScheduler (3.x) runs every periodic task with fixed ids; tasks take the services object,
open their own sessions, and never share one with a request. The scheduled tasks of the
capabilities come from the registry the composition root built (`bot/wiring.py`).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from bot.sender import Sender
from bot.services import Services
from models.session import WalCheckpointer

log = logging.getLogger(__name__)


def make_sender(services: Services) -> Sender:
    """The real WeCom sender (token shared via Redis or the database), or the sandbox recorder.

    The client is kept in `services.wecom` for jobs that call the API (media download).
    """
    from bot.observability import record_send
    from bot.redis_support import token_store
    from bot.sender import RecordingSender, WeComSender
    from bot.wecom_api import WeComClient

    if services.settings.sandbox:
        return RecordingSender()
    from bot.kf_api import KfApi
    from bot.kf_sender import KfSender

    client = services.wecom or WeComClient(services.settings, token_store(services))
    services.wecom = client
    kf = KfSender(KfApi(client), services.session_factory)
    return WeComSender(client, on_attempt=record_send, renderers=services.registry.renderers, kf=kf)


def drain_outbox(services: Services) -> None:
    from bot.outbox import drain

    try:
        assert services.sender is not None
        drain(services.session_factory, services.sender)
    except Exception:
        log.exception("outbox drain failed")


def run_jobs(services: Services) -> None:
    from bot.jobs import run_pending

    try:
        run_pending(services.session_factory, services)
    except Exception:
        log.exception("job runner failed")


def sync_kf(services: Services) -> None:
    """Pull the 微信客服 messages announced by callbacks (bot/kf.py)."""
    from bot.kf import api_of, sync_pending

    api = api_of(services)
    if api is None:
        return
    try:
        stats = sync_pending(services, api)
    except Exception:
        log.exception("kf sync failed")
        return
    if stats.answered:  # answers are queued: send them now, not at the next outbox tick
        _kick(services, "outbox")


def _kick(services: Services, job_id: str) -> None:
    """Run a periodic task now rather than at its next tick."""
    from datetime import datetime

    if services.scheduler is None:
        return
    try:
        services.scheduler.modify_job(job_id, next_run_time=datetime.now(services.settings.tz))
    except Exception:  # not running (shutting down): the next start runs it
        log.debug("%s not kicked", job_id, exc_info=True)


def kick_kf_sync(services: Services) -> None:
    """Run the 微信客服 pull now rather than at the next tick."""
    _kick(services, "kf_sync")


def sync_calendar(services: Services) -> None:
    """Holidays loaded on another replica (`yigong calendar import`) reach this one."""
    from models.calendar_store import sync

    try:
        with services.session_factory() as session:
            sync(session)
    except Exception:
        log.exception("calendar sync failed")


def checkpoint_wal(checkpointer: WalCheckpointer) -> None:
    try:
        checkpointer.run()
    except sqlite3.Error:  # busy or locked: the next second tries again
        log.debug("WAL checkpoint skipped", exc_info=True)


def start_background(services: Services) -> BackgroundScheduler:
    """Check the registries against the queue, then start the periodic tasks."""
    from datetime import UTC, datetime

    from sqlalchemy.exc import SQLAlchemyError

    from bot.jobs import check_kinds
    from bot.retention import prune

    try:
        check_kinds(services.session_factory, services.registry.job_kinds)
    except SQLAlchemyError:  # the database may be down at start: the runner waits for it
        log.warning("could not check queued job kinds", exc_info=True)
    services.sender = make_sender(services)
    scheduler = BackgroundScheduler(timezone=services.settings.timezone)

    def every(job_id: str, task: Callable[[Any], None], arg: Any, **when: Any) -> None:
        # one run at a time, a missed run not made up twice; `_kick` finds them by id
        scheduler.add_job(task, "interval", args=[arg], id=job_id, replace_existing=True,
                          max_instances=1, coalesce=True, **when)  # fmt: skip

    every("outbox", drain_outbox, services, seconds=services.settings.outbox_interval)
    every("jobs", run_jobs, services, seconds=1)
    every("prune-replies", prune, services, minutes=15)
    every("kf_sync", sync_kf, services, seconds=1)
    # holidays loaded on another replica (yigong calendar import)
    every("calendar-sync", sync_calendar, services, seconds=60, next_run_time=datetime.now(UTC))
    checkpointer = WalCheckpointer(services.settings.database_url)
    if checkpointer.path is not None:  # SQLite: the log goes into the database here, not in commits
        every("wal-checkpoint", checkpoint_wal, checkpointer, seconds=1)
    if services.settings.scheduler_enabled:
        for add in services.registry.schedules:
            add(scheduler, services)
    scheduler.start()
    services.scheduler = scheduler
    return scheduler
