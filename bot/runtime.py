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
    from bot.kf_api import KfApi
    from bot.kf_sender import KfSender

    client = services.extras.get("wecom") or WeComClient(services.settings, token_store(services))
    services.extras["wecom"] = client
    kf = KfSender(KfApi(client), services.session_factory)
    return WeComSender(client, on_attempt=record_send, kf=kf)


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


def sync_kf(services: Any) -> None:
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
        holder = services.extras.get("scheduler")
        if holder is not None:
            from datetime import datetime

            try:
                holder.scheduler.modify_job(
                    "outbox", next_run_time=datetime.now(services.settings.tz)
                )
            except Exception:
                log.debug("outbox not kicked", exc_info=True)


def start_background(services: Any) -> BackgroundScheduler:
    import importlib

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
    scheduler.add_job(
        sync_kf,
        "interval",
        seconds=1,
        args=[services],
        id="kf_sync",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
    )
    if services.settings.scheduler_enabled:
        for name in SCHEDULE_MODULES:
            importlib.import_module(name).schedule(scheduler, services)
    scheduler.start()
    services.extras["scheduler"] = _Shutdown(scheduler)
    return scheduler


def kick_kf_sync(services: Any) -> None:
    """Run the 微信客服 pull now rather than at the next tick."""
    from datetime import datetime

    holder = services.extras.get("scheduler")
    if holder is None:
        return
    try:
        holder.scheduler.modify_job("kf_sync", next_run_time=datetime.now(services.settings.tz))
    except Exception:  # not running (shutting down): the next start pulls
        log.debug("kf sync not kicked", exc_info=True)


class _Shutdown:
    def __init__(self, scheduler: BackgroundScheduler) -> None:
        self.scheduler = scheduler

    def close(self) -> None:
        self.scheduler.shutdown(wait=True)
