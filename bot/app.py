"""The FastAPI application: an app factory, thin routes, and the services wired at start-up."""

from __future__ import annotations

import gc
import logging
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy import text
from starlette.requests import ClientDisconnect

from bot.dispatcher import FeedResult
from bot.kf import is_kf_event, note_callback
from bot.observability import ObservabilityMiddleware, configure_logging, note, render_metrics
from bot.services import Services
from bot.settings import Settings
from bot.wecom_crypto import CallbackRejected, reply_xml, to_incoming
from models.session import WriterBusy, without_waiting

log = logging.getLogger(__name__)

SWITCH_INTERVAL = 0.001  # seconds; see app_from_env


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
        if services is not None:
            svc = services
        else:
            from bot.wiring import build_services  # the composition root

            svc = build_services(settings)
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

    async def callback(request: Request) -> Response:
        svc = svc_of(request)
        sig, ts, nonce = _params(request, "msg_signature", "timestamp", "nonce")
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > svc.settings.max_body_bytes:
            raise CallbackRejected(413, "body too large")
        body = await _read_limited(request, svc.settings.max_body_bytes)
        fields = svc.crypto.decrypt(body, sig, ts, nonce)
        if is_kf_event(fields):  # 微信客服: record the pull request, answer at once
            fresh = await svc.lanes.run(lambda: note_callback(svc.session_factory, fields))
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
            replies = svc.redis
            if replies is not None:
                cached = replies.replies.get(msg.dedup_key)
                if cached is not None:  # answered and committed before: skip the database
                    return FeedResult(body=cached, duplicate=True)
            done = svc.dispatcher.feed(msg, render=render)
            if replies is not None:
                replies.replies.put(msg.dedup_key, done.body)
            return done

        result = await _handle_callback(svc, handle)
        if result.duplicate:
            note("outcome", "duplicate")
        elif result.crashed:
            note("outcome", "handler_error")  # answered 200 with an apology: a bug to look at
        return Response(result.body, media_type="application/xml" if result.body else "text/plain")

    # A plain Starlette route: FastAPI's parameter solving and validation buy nothing for an
    # encrypted body and cost ~0.1 ms a callback (bench/callback.py).
    app.add_route("/wecom/callback", callback, methods=["POST"], include_in_schema=False)

    # -- pages inside WeCom (issue 17): /web/… ---------------------------------------------
    from bot.wiring import mount_pages  # the composition root knows the pages

    mount_pages(app)

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


async def _handle_callback(svc: Services, handle: Callable[[], FeedResult]) -> FeedResult:
    """On SQLite, right here on the event loop when the database's one writer is free: no
    thread hop and no handing the interpreter lock back and forth at every statement, which
    kept a callback thread waiting longer than it worked (bench/callback.py). SQLite runs one
    write transaction at a time, so a lane would only have queued it; chat handlers do no
    network I/O (files are downloaded by jobs). When another thread or process is writing,
    the callback waits on a lane instead: the loop itself never waits. On PostgreSQL, or
    with Redis (network calls), always a lane: at most `concurrency` at once, in order."""
    if svc.inline_callbacks:
        try:
            with without_waiting():
                return handle()
        except WriterBusy:
            pass  # nothing was committed, and feed is idempotent: again on a lane, waiting its turn
    return await svc.lanes.run(handle)


def warm_up(services: Services) -> None:
    """Do before the first callback what it would otherwise wait for, then freeze the heap.

    - open a connection for each callback slot (a new PostgreSQL connection costs ms);
    - build the policy index and compile the statements every message runs, in a
      transaction that is rolled back;
    - move the long-lived heap (the index, the router, SQLAlchemy's mappers: ~150,000
      objects) out of the garbage collector's sight: a full collection walked it in about
      80 ms, stalling every callback in flight; frozen, it sees only per-request garbage.
    """
    try:
        held = [services.engine.connect() for _ in range(services.settings.concurrency)]
        for conn in held:
            conn.close()  # back to the pool, open
        with services.session_factory() as session:
            for warm in services.registry.warmers:
                warm(session)
            session.rollback()
    except Exception:  # the database may be down at start: the first messages pay instead
        log.warning("warm-up incomplete", exc_info=True)
    gc.collect()
    gc.freeze()


async def _read_limited(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise CallbackRejected(413, "body too large")
            chunks.append(chunk)
    except ClientDisconnect:  # the client left mid-body: nothing to answer, no traceback
        raise CallbackRejected(400, "client disconnected before the body ended") from None
    return b"".join(chunks)


def app_from_env() -> FastAPI:
    """Factory for uvicorn (`bot.app:app_from_env`), one per worker process."""
    from bot.settings import get_settings

    configure_logging()
    # The event loop (HTTP, crypto) and the callback thread take turns on the GIL at every
    # database call; a thread waiting for it waits up to this interval (Python's default is
    # 5 ms). 1 ms: +50% callbacks per second at 8 clients (bench/callback.py, docs/DEPLOY.md).
    sys.setswitchinterval(SWITCH_INTERVAL)
    return create_app(get_settings(), warm=True)
