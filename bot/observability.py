"""Operations: JSON logs with a request id and no personal data, Prometheus metrics, a middleware."""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

from models.privacy import mask_text

REQUEST_ID: ContextVar[str] = ContextVar("yigong_request_id", default="-")
# A mutable per-request note the route fills in (e.g. "duplicate"); the middleware reads it.
_NOTES: ContextVar[dict[str, str] | None] = ContextVar("yigong_request_notes", default=None)

# ID numbers (18 digits, last may be X; old 15-digit ones) and mainland mobile numbers.
_ID_RE = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_PHONE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_RID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

ASGIApp = Callable[..., Awaitable[None]]
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]

_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("x", 0, "x", 0, "x", None, None)).keys()
    | {"message", "asctime", "color_message", "taskName"}
)


# Log lines are English; Chinese in one came from a user (a name, a village, a message's
# text, an exception that quoted them), so it is dropped: logs carry no names.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff·"
_CJK_RE = re.compile(f"[{_CJK}]+")
# Every match of the ID and phone patterns holds 4 digits, maybe a blank or dash, 4 digits:
# a line without that and without Chinese (most log lines) skips the slower scans, in one.
_MAYBE_PERSONAL = re.compile(f"\\d{{4}}[- ]?\\d{{4}}|[{_CJK}]")


def redact(text: str) -> str:
    """Replace ID numbers and phone numbers with placeholders, and Chinese text with "…"."""
    if not _MAYBE_PERSONAL.search(text):
        return text
    return _CJK_RE.sub("…", _PHONE_RE.sub("[phone]", _ID_RE.sub("[id]", mask_text(text))))


class PersonalDataFilter(logging.Filter):
    """Redacts a record where it passes (message, arguments, exception text), for any handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_JSON = json.JSONEncoder(ensure_ascii=False, default=str)  # built once: dumps() builds one a call


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, safe extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or REQUEST_ID.get(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and key not in entry:
                entry[key] = value if isinstance(value, int | float | bool | None) else str(value)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc"] = record.exc_text
        return redact(_JSON.encode(entry))


class TextFormatter(logging.Formatter):
    """Human-readable lines for a terminal, with the same redaction."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return redact(super().format(record))


class RequestIdFilter(logging.Filter):
    """Stamps the request id on a record where it is created (before any queue or thread hop)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


def configure_logging(fmt: str | None = None, level: str | None = None) -> None:
    """Root logging to stderr, JSON unless `fmt`/YIGONG_LOG_FORMAT says "text"; idempotent."""
    fmt = (fmt or os.environ.get("YIGONG_LOG_FORMAT") or "json").lower()
    level = (level or os.environ.get("YIGONG_LOG_LEVEL") or "INFO").upper()
    handler = logging.StreamHandler()
    handler.setFormatter(TextFormatter() if fmt == "text" else JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler.addFilter(PersonalDataFilter())
    handler._yigong = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    ours = (JsonFormatter, TextFormatter)
    for old in [
        h for h in root.handlers if isinstance(h.formatter, ours) or getattr(h, "_yigong", False)
    ]:
        root.removeHandler(old)  # e.g. uvicorn's dictConfig of the same formatter: no doubled lines
    root.addHandler(handler)
    root.setLevel(level)
    # Fields no line of ours prints, each looked up on every record (the logging HOWTO's
    # "Optimization"): about a third of an access line's cost.
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    logging._srcfile = None  # no caller frame walk
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        lg.handlers.clear()
        lg.propagate = True
    # Our middleware logs each request without the query string; uvicorn's access log would not.
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per WeCom call is noise
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per job run is noise


def uvicorn_log_config(fmt: str = "json") -> dict[str, Any]:
    """A dictConfig for `uvicorn.run`, applied again in each worker process."""
    formatter = (
        "bot.observability.TextFormatter" if fmt == "text" else "bot.observability.JsonFormatter"
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": {"()": formatter}},
        "filters": {"rid": {"()": "bot.observability.RequestIdFilter"}},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["rid"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["default"], "level": "INFO"},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
        },
    }


# -- metrics ---------------------------------------------------------------------------------


class Metrics:
    """The process's counters; with PROMETHEUS_MULTIPROC_DIR set, shared by uvicorn workers."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.callbacks = Counter(
            "yigong_callbacks", "Callbacks answered, by outcome", ["outcome"], registry=r
        )
        self.reply_seconds = Histogram(
            "yigong_reply_seconds",
            "Time to answer a callback",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0),
            registry=r,
        )
        self.sends = Counter(
            "yigong_wecom_sends", "WeCom send attempts, by errcode", ["errcode"], registry=r
        )
        self.reminder_runs = Counter(
            "yigong_reminder_runs",
            "Reminder rule runs, by rule and outcome",
            ["rule", "outcome"],
            registry=r,
        )
        self.redis_errors = Counter(
            "yigong_redis_errors", "Redis calls that failed and fell back", ["op"], registry=r
        )
        self.inflight = Gauge(
            "yigong_inflight_requests",
            "HTTP requests being handled",
            registry=r,
            multiprocess_mode="livesum",
        )


@lru_cache(maxsize=1)
def get_metrics() -> Metrics:
    """The process-wide metrics, created on first use (never at import)."""
    return Metrics()


def record_send(errcode: int) -> None:
    """For the sender: one WeCom send attempt and its errcode (0 = ok)."""
    get_metrics().sends.labels(str(errcode)).inc()


def record_reminder_run(rule: str, outcome: str = "ok") -> None:
    """For the reminder runner: one run of one rule."""
    get_metrics().reminder_runs.labels(rule, outcome).inc()


def note(key: str, value: str) -> None:
    """Leave a note about the current request for the middleware (e.g. outcome=duplicate)."""
    notes = _NOTES.get()
    if notes is not None:
        notes[key] = value


class _OutboxDepth:
    """Collects outbox depth by status at scrape time, from the database."""

    def __init__(self, session_factory: Any) -> None:
        self.session_factory = session_factory

    def collect(self) -> Any:
        from sqlalchemy import func, select

        from models.messaging import OutboxMessage, OutboxStatus

        family = GaugeMetricFamily(
            "yigong_outbox_depth", "Outbox messages by status", labels=["status"]
        )
        counts = {
            s.value: 0 for s in (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED)
        }
        with self.session_factory() as session:
            rows = session.execute(
                select(OutboxMessage.status, func.count())
                .where(OutboxMessage.status.in_(list(counts)))
                .group_by(OutboxMessage.status)
            ).all()
        counts.update({str(status): int(n) for status, n in rows})
        for status, n in counts.items():
            family.add_metric([status], n)
        yield family


def render_metrics(session_factory: Any | None = None) -> tuple[bytes, str]:
    """The Prometheus exposition: this process's (or all workers') metrics plus outbox depth."""
    metrics = get_metrics()
    multiproc = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if multiproc:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        # prometheus_client's multiprocess module is unannotated
        multiprocess.MultiProcessCollector(registry, path=multiproc)  # type: ignore[no-untyped-call]
    else:
        registry = metrics.registry
    body = generate_latest(registry)
    if session_factory is not None:
        extra = CollectorRegistry()
        extra.register(_OutboxDepth(session_factory))
        try:
            body += generate_latest(extra)
        except Exception:  # the database is down: the counters are still worth scraping
            logging.getLogger(__name__).warning("outbox depth unavailable")
    return body, CONTENT_TYPE_LATEST


# -- middleware ------------------------------------------------------------------------------


class ObservabilityMiddleware:
    """Pure ASGI: request id, access log without query string or body, callback metrics."""

    def __init__(self, app: ASGIApp, callback_path: str = "/wecom/callback") -> None:
        self.app = app
        self.callback_path = callback_path
        self.log = logging.getLogger("yigong.access")
        self._by_outcome: dict[str, Any] = {}  # outcome -> its counter (labels() costs a lookup)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _request_id(scope)
        rid_token = REQUEST_ID.set(rid)
        notes: dict[str, str] = {}
        notes_token = _NOTES.set(notes)
        metrics = get_metrics()
        status = 500
        start = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        metrics.inflight.inc()
        try:
            await self.app(scope, receive, send_wrapper)
        except BaseException:
            status = 500
            raise
        finally:
            elapsed = time.perf_counter() - start
            metrics.inflight.dec()
            path = scope.get("path", "")
            if path == self.callback_path and scope.get("method") == "POST":
                outcome = notes.get("outcome") or _outcome(status)
                counter = self._by_outcome.get(outcome)
                if counter is None:
                    counter = self._by_outcome[outcome] = metrics.callbacks.labels(outcome)
                counter.inc()
                metrics.reply_seconds.observe(elapsed)
            if path != "/metrics":
                self.log.info(
                    "%s %s %s",
                    scope.get("method"),
                    path,
                    status,
                    extra={"status": status, "ms": round(elapsed * 1000, 1), "path": path},
                )
            _NOTES.reset(notes_token)
            REQUEST_ID.reset(rid_token)


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _RID_RE.match(candidate):
                return candidate
            break
    return uuid.uuid4().hex[:16]


def _outcome(status: int) -> str:
    if status < 400:
        return "ok"
    if status < 500:
        return f"rejected_{status}"
    return "error"
