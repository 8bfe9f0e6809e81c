"""The FastAPI application: an app factory, thin routes, and the services wired at start-up."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import anyio
import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.dispatcher import Dispatcher, FeedResult
from bot.kf import is_kf_event, note_callback
from bot.observability import ObservabilityMiddleware, configure_logging, note, render_metrics
from bot.redis_support import build_redis
from bot.router import Router
from bot.settings import Settings
from bot.wecom_crypto import CallbackCrypto, CallbackRejected, reply_xml, to_incoming
from models import Worker
from models.session import make_engine, make_sessionmaker

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything built once at start-up; handlers reach it as `ctx.services`."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    router: Router
    dispatcher: Dispatcher
    crypto: CallbackCrypto
    extras: dict[str, Any] = field(default_factory=dict)
    limiter: anyio.CapacityLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.limiter = anyio.CapacityLimiter(self.settings.concurrency)

    def close(self) -> None:
        for extra in self.extras.values():
            closer = getattr(extra, "close", None) or getattr(extra, "shutdown", None)
            if callable(closer):
                try:
                    closer()
                except Exception:  # shutting down: log and go on
                    log.exception("error while closing %r", extra)
        self.engine.dispose()


def build_services(settings: Settings, engine: Engine | None = None) -> Services:
    from handlers import build_router

    # a connection per concurrent callback, plus the outbox, job runner, scheduler and probes
    engine = engine or make_engine(settings.database_url, pool_size=settings.concurrency + 4)
    factory = make_sessionmaker(engine)
    router = build_router()
    services = Services(
        settings=settings,
        engine=engine,
        session_factory=factory,
        router=router,
        dispatcher=Dispatcher(router, factory, settings),
        crypto=CallbackCrypto(settings),
    )
    services.dispatcher.services = services
    redis_support = build_redis(settings.redis_url)
    if redis_support is not None:
        services.extras["redis"] = redis_support
    return services


def create_app(
    settings: Settings,
    *,
    services: Services | None = None,
    background: bool = True,
    warm: bool = False,
) -> FastAPI:
    """Build the app. `background` starts the outbox drainer, job runner and scheduler;
    `warm` (the server process) loads the policy index and freezes the heap before serving."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        svc = services or build_services(settings)
        app.state.services = svc
        if warm:  # before the scheduler's threads start allocating
            await run_in_threadpool(warm_up, svc)
        if background:
            from bot.runtime import start_background

            start_background(svc)
        try:
            yield
        finally:
            svc.close()

    app = FastAPI(title="以工代赈助手", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.add_middleware(ObservabilityMiddleware)
    if services is not None:
        app.state.services = services

    def svc_of(request: Request) -> Services:
        return request.app.state.services  # type: ignore[no-any-return]

    def _params(request: Request, *names: str) -> list[str]:
        values = [request.query_params.get(n) for n in names]
        if any(v is None or v == "" for v in values):
            raise CallbackRejected(400, "missing query parameter")
        return [str(v) for v in values]

    @app.exception_handler(CallbackRejected)
    async def _rejected(_request: Request, exc: CallbackRejected) -> Response:
        log.warning("callback rejected: %s", exc.reason)
        return PlainTextResponse(exc.reason, status_code=exc.status)

    @app.get("/wecom/callback")
    async def verify_url(request: Request) -> Response:
        sig, ts, nonce, echostr = _params(request, "msg_signature", "timestamp", "nonce", "echostr")
        plain = svc_of(request).crypto.verify_url(sig, ts, nonce, echostr)
        return PlainTextResponse(plain)

    @app.post("/wecom/callback")
    async def callback(request: Request) -> Response:
        svc = svc_of(request)
        sig, ts, nonce = _params(request, "msg_signature", "timestamp", "nonce")
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > svc.settings.max_body_bytes:
            raise CallbackRejected(413, "body too large")
        body = await _read_limited(request, svc.settings.max_body_bytes)
        fields = svc.crypto.decrypt(body, sig, ts, nonce)
        if is_kf_event(fields):  # 微信客服: record the pull request, answer at once
            fresh = await anyio.to_thread.run_sync(
                note_callback, svc.session_factory, fields, limiter=svc.limiter
            )
            note("outcome", "kf_event" if fresh else "duplicate")
            if fresh:
                from bot.runtime import kick_kf_sync

                kick_kf_sync(svc)
            return Response(b"", media_type="text/plain")
        msg = to_incoming(fields)

        def render(reply: str) -> str:
            if not reply:
                return ""
            xml = reply_xml(msg.user_id, svc.settings.corp_id, reply, int(time.time()))
            return svc.crypto.encrypt_reply(xml, nonce, ts)

        def handle() -> FeedResult:
            replies = svc.extras.get("redis")
            if replies is not None:
                cached = replies.replies.get(msg.dedup_key)
                if cached is not None:  # answered and committed before: skip the database
                    return FeedResult(body=cached, duplicate=True)
            done = svc.dispatcher.feed(msg, render=render)
            if replies is not None:
                replies.replies.put(msg.dedup_key, done.body)
            return done

        # At most `concurrency` callbacks run at once; the rest wait their turn, in order.
        result = await anyio.to_thread.run_sync(handle, limiter=svc.limiter)
        if result.duplicate:
            note("outcome", "duplicate")
        elif result.crashed:
            note("outcome", "handler_error")  # answered 200 with an apology: a bug to look at
        return Response(result.body, media_type="application/xml" if result.body else "text/plain")

    @app.get("/healthz")
    async def healthz(request: Request) -> Response:
        svc = svc_of(request)

        def ping() -> str:
            with svc.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return "ok"

        try:
            db = await run_in_threadpool(ping)
        except Exception as exc:
            return JSONResponse(
                {"status": "error", "database": type(exc).__name__}, status_code=503
            )
        return JSONResponse({"status": "ok", "database": db, "sandbox": svc.settings.sandbox})

    @app.get("/metrics")
    async def metrics(request: Request) -> Response:
        body, content_type = await run_in_threadpool(
            render_metrics, svc_of(request).session_factory
        )
        return Response(body, media_type=content_type)

    return app


def warm_up(services: Services) -> None:
    """Do before the first callback what it would otherwise wait for, then freeze the heap.

    - open a connection for each callback slot (a new PostgreSQL connection costs ms);
    - build the policy index and compile the statements every message runs, in a
      transaction that is rolled back;
    - move the long-lived heap (the index, the router, SQLAlchemy's mappers: ~150,000
      objects) out of the garbage collector's sight: a full collection walked it in about
      80 ms, stalling every callback in flight; frozen, it sees only per-request garbage.
    """
    from handlers.access import resolve_principal
    from handlers.policy.kb import knowledge_base
    from handlers.worker_self import wage_lines

    try:
        held = [services.engine.connect() for _ in range(services.settings.concurrency)]
        for conn in held:
            conn.close()  # back to the pool, open
        with services.session_factory() as session:
            knowledge_base(session).ask("以工代赈")
            resolve_principal(session, "")
            wage_lines(session, Worker(id=0, name=""), date.today())  # noqa: DTZ011
            session.rollback()
    except Exception:  # the database may be down at start: the first messages pay instead
        log.warning("warm-up incomplete", exc_info=True)
    gc.collect()
    gc.freeze()


async def _read_limited(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise CallbackRejected(413, "body too large")
        chunks.append(chunk)
    return b"".join(chunks)


def app_from_env() -> FastAPI:
    """Factory for uvicorn (`bot.app:app_from_env`), one per worker process."""
    from bot.settings import get_settings

    configure_logging()
    return create_app(get_settings(), warm=True)
