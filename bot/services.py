"""What the process builds once at start-up, typed: the composition root (`bot/wiring.py`)
fills it, the app, the background runner, jobs and handlers (`ctx.services`) read it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.lanes import Lanes

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from bot.dispatcher import Dispatcher
    from bot.jobs import JobFn
    from bot.redis_support import RedisSupport
    from bot.router import Router
    from bot.sender import Renderer, Sender
    from bot.settings import Settings
    from bot.wecom_crypto import CallbackCrypto

log = logging.getLogger(__name__)

Schedule = Callable[["BackgroundScheduler", "Services"], None]
Warmer = Callable[["Session"], None]


@dataclass(frozen=True)
class KfHooks:
    """The 微信客服 conversation's handler side (handlers/kf_channel.py), for bot/kf.py."""

    resolve: Callable[[Session, str], Any]  # a customer's principal: bound worker or guest
    respond: Callable[..., Any]  # (msg, ctx, dispatch) -> KfAnswer
    answer: Callable[[str], Any]  # a plain text answer
    wording: Callable[[str], str]  # a member's wording, reworded for a WeChat customer
    text_of_tap: Callable[[str], str | None]  # the command a menu tap stands for
    welcome_menu: Callable[..., Any]  # (session, principal, project) -> Menu


@dataclass(frozen=True)
class Registry:
    """The explicit lists the composition root builds; nothing registers itself on import."""

    job_kinds: Mapping[str, JobFn] = field(default_factory=dict)
    renderers: Mapping[str, Renderer] = field(default_factory=dict)
    schedules: Sequence[Schedule] = ()
    warmers: Sequence[Warmer] = ()  # run once before serving, in a rolled-back transaction
    kf: KfHooks | None = None  # the 微信客服 conversation (bot/kf.py)


@dataclass
class Services:
    """Everything built once at start-up; handlers reach it as `ctx.services`."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    router: Router
    dispatcher: Dispatcher
    crypto: CallbackCrypto
    registry: Registry = field(default_factory=Registry)
    redis: RedisSupport | None = None  # REDIS_URL set: shared limiter, token, recent replies
    wecom: Any = None  # the WeCom API client (media download); bot.wecom_api.WeComClient
    sender: Sender | None = None  # set when the background runner starts
    scheduler: BackgroundScheduler | None = None
    page_cache: dict[str, dict[Any, Any]] = field(default_factory=dict)  # web/: short-lived views
    lanes: Lanes = field(init=False)  # the threads callbacks are handled on

    def __post_init__(self) -> None:
        self.lanes = Lanes(self.settings.concurrency)

    @property
    def inline_callbacks(self) -> bool:
        """Callbacks may be handled on the event loop: a SQLite file, no Redis (bot/app.py)."""
        url = self.settings.database_url
        return url.startswith("sqlite") and ":memory:" not in url and self.redis is None

    def close(self) -> None:
        """Stop the scheduler (waiting for running tasks), then close clients and the pool."""
        closers: list[Callable[[], object]] = []
        if self.scheduler is not None:
            scheduler = self.scheduler
            closers.append(lambda: scheduler.shutdown(wait=True))
        for client in (self.wecom, self.redis):
            close = getattr(client, "close", None)
            if callable(close):
                closers.append(close)
        for closer in closers:
            try:
                closer()
            except Exception:  # shutting down: log and go on
                log.exception("error while closing %r", closer)
        self.scheduler = None
        self.lanes.close()
        self.engine.dispose()
