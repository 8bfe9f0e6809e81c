"""The composition root: the one place that knows every package and puts them together.

Everything the process runs is listed here, explicitly: the handlers' routers (in help and
fallback order), the job kinds, the renderers, the scheduled tasks and the warm-up steps.
A new channel or capability plugs in here (see docs/ARCHITECTURE.md); nothing registers
itself at import time, and a job kind nobody runs fails at start-up, not in the night.
This module and `bot/cli.py` are the only ones of `bot/` that may import `handlers` and
`reminders` (the import contract in pyproject.toml says so).
"""

from __future__ import annotations

from datetime import date

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.dispatcher import Dispatcher
from bot.jobs import JobFn
from bot.redis_support import build_redis
from bot.router import Router
from bot.services import KfHooks, Registry, Schedule, Services, Warmer
from bot.settings import Settings
from bot.wecom_crypto import CallbackCrypto
from domain.access import resolve_principal
from handlers import (
    binding,
    complaints,
    files,
    kf_channel,
    policy,
    quarterly,
    quarterly_summary,
    reminder_admin,
    worker_self,
)
from handlers import (
    help as help_command,
)
from handlers.ledger import (
    lifecycle,
    posts,
    project_edit,
    projects,
    reversal,
    summary,
    training,
    wages,
    work,
    workers,
)
from handlers.payroll import bank, exports, notice
from handlers.payroll import commands as payroll
from handlers.policy.kb import knowledge_base
from models import Worker, calendar, calendar_store
from models.project import configure_floors
from models.session import make_engine, make_sessionmaker
from reminders import catalog
from reminders import schedule as reminder_schedule
from web import mount as _mount_web

# Order matters only for help order; the policy router holds the one fallback.
ROUTERS: list[Router] = [
    help_command.router,
    projects.router,
    workers.router,
    work.router,
    wages.router,
    training.router,
    posts.router,
    reversal.router,
    summary.router,
    lifecycle.router,
    project_edit.router,
    payroll.router,
    notice.router,
    bank.router,
    exports.router,
    files.router,
    worker_self.router,
    binding.router,
    complaints.router,
    kf_channel.router,
    quarterly.router,
    quarterly_summary.router,
    reminder_admin.router,
    policy.router,
]

JOB_KINDS: dict[str, JobFn] = {
    files.JOB_KIND: files.import_file_job,
    quarterly_summary.JOB_KIND: quarterly_summary.summary_job,
    kf_channel.JOB_KIND: kf_channel.invite_job,
}

# The 微信客服 conversation: bot/kf.py pulls and sends, these answer.
KF_HOOKS = KfHooks(
    resolve=kf_channel.resolve_kf_principal,
    respond=kf_channel.respond,
    answer=kf_channel.KfAnswer,
    wording=kf_channel.kf_wording,
    text_of_tap=kf_channel.text_of_tap,
    welcome_menu=kf_channel.welcome_menu,
)

SCHEDULES: list[Schedule] = [reminder_schedule.schedule]


def _warm_policy(session: Session) -> None:
    knowledge_base(session).ask("以工代赈")


def _warm_principal(session: Session) -> None:
    resolve_principal(session, "")


def _warm_wages(session: Session) -> None:
    worker_self.wage_lines(session, Worker(id=0, name=""), date.today())  # noqa: DTZ011


def _warm_calendar(session: Session) -> None:
    this_year = date.today().year  # noqa: DTZ011
    calendar.warm(range(this_year, this_year + 2))  # a year's projection takes ~1 s
    calendar_store.sync(session, force=True)  # holidays loaded on another replica


# The statements every message runs, built (and the policy index loaded) before serving.
WARMERS: list[Warmer] = [_warm_policy, _warm_principal, _warm_wages, _warm_calendar]


def mount_pages(app: FastAPI) -> None:
    """The pages inside WeCom (web/), under /web/."""
    _mount_web(app)


def build_router() -> Router:
    """Every handler's commands under one root router."""
    root = Router("root")
    for router in ROUTERS:
        root.include(router)
    return root


def build_registry() -> Registry:
    return Registry(
        job_kinds=dict(JOB_KINDS),
        renderers=dict(catalog.RENDERERS),
        schedules=tuple(SCHEDULES),
        warmers=tuple(WARMERS),
        kf=KF_HOOKS,
    )


def build_services(settings: Settings, engine: Engine | None = None) -> Services:
    """The services of one process: database, router, dispatcher, crypto, registries, Redis."""
    configure_floors(special=settings.special_min_share)
    # a connection per concurrent callback, plus the outbox, job runner, scheduler and probes
    engine = engine or make_engine(settings.database_url, pool_size=settings.concurrency + 4)
    factory = make_sessionmaker(engine)
    router = build_router()
    dispatcher = Dispatcher(router, factory, settings, resolve=resolve_principal)
    services = Services(
        settings=settings,
        engine=engine,
        session_factory=factory,
        router=router,
        dispatcher=dispatcher,
        crypto=CallbackCrypto(settings),
        registry=build_registry(),
        redis=build_redis(settings.redis_url),
    )
    dispatcher.services = services
    return services
