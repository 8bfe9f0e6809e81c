"""Outbound delivery of one outbox row: the real WeCom sender and the sandbox recorder."""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from bot.text import split_utf8
from bot.tokens import DbTokenStore, TokenStore
from bot.wecom_api import WeComClient, WeComError
from models.messaging import OutboxMessage, OutboxStatus
from models.privacy import mask_payload

log = logging.getLogger(__name__)

APP_TEXT_LIMIT = 2048  # text and markdown app messages, UTF-8 bytes
ROBOT_TEXT_LIMIT = 2048
ROBOT_MARKDOWN_LIMIT = 4096
MEDIA_TYPES = frozenset({"image", "file", "voice", "video"})
INLINE_DATA_KEYS = ("png_base64", "data_base64")
# A payload may name a renderer instead of carrying bytes ({"render": name, "args": {...}}):
# the file is drawn when it is sent, so slow work (a chart) stays out of the reminder tick.
# The renderers are given to the sender by the composition root (`bot/wiring.py`).
Renderer = Callable[[dict[str, Any]], bytes]
# On every app message (the first try included: a process may die after WeCom took the
# message and before the row was marked sent), ask WeCom to drop an identical copy sent
# again within the interval. The interval is fixed so that a re-send compares against it.
DUPLICATE_CHECK = {"enable_duplicate_check": 1, "duplicate_check_interval": 1800}


class Sender(Protocol):
    """Delivers one outbox row or raises WeComError; the outbox records the outcome."""

    success_status: ClassVar[str]  # what a delivered row becomes: sent, or recorded (sandbox)

    def deliver(self, msg: OutboxMessage) -> None: ...


class WeComSender:
    """Sends through WeCom: app messages to members, markdown/text to group robots."""

    success_status: ClassVar[str] = OutboxStatus.SENT

    def __init__(
        self,
        client: WeComClient,
        *,
        on_attempt: Callable[[int], None] | None = None,
        renderers: Mapping[str, Renderer] | None = None,
        kf: Sender | None = None,
    ) -> None:
        self.client = client
        self.renderers: Mapping[str, Renderer] = renderers or {}
        self.on_attempt = on_attempt  # metrics hook: errcode of each delivery (0 = ok)
        self.kf = kf  # 微信客服 rows (bot/kf_sender.py): window and budget rules of their own

    def deliver(self, msg: OutboxMessage) -> None:
        try:
            if msg.channel == "kf":
                if self.kf is None:
                    raise WeComError(40008, "no 微信客服 sender configured", endpoint="kf/send_msg")
                self.kf.deliver(msg)
            elif msg.channel == "webhook":
                self._deliver_robot(msg)
            else:
                self._deliver_app(msg)
        except WeComError as exc:
            self._note(exc.errcode)
            raise
        self._note(0)

    def _note(self, errcode: int) -> None:
        if self.on_attempt is not None:
            self.on_attempt(errcode)

    def _deliver_app(self, msg: OutboxMessage) -> None:
        payload = mask_payload(dict(msg.payload))  # the last step before WeCom
        options = DUPLICATE_CHECK
        if msg.msgtype in ("text", "markdown"):
            parts = split_utf8(str(payload.get("content", "")), APP_TEXT_LIMIT)
            repeated = {p for i, p in enumerate(parts) if p in parts[:i]}
            _send_parts(
                parts,
                int(payload.get("parts_sent", 0)),
                # a part equal to an earlier part of the same message would be dropped as
                # a duplicate: those (rare) go without the check
                lambda part: self.client.send_app_message(
                    msg.recipient,
                    msg.msgtype,
                    {"content": part},
                    options=None if part in repeated else options,
                ),
            )
            return
        body = _body(msg.msgtype, payload)
        if msg.msgtype in MEDIA_TYPES and "media_id" not in body:
            data, filename = _inline_media(msg.msgtype, body, self.renderers)
            body = {"media_id": self.client.upload_media(msg.msgtype, filename, data)}
        self.client.send_app_message(msg.recipient, msg.msgtype, body, options=options)

    def _deliver_robot(self, msg: OutboxMessage) -> None:
        payload = mask_payload(dict(msg.payload))  # the last step before WeCom
        if msg.msgtype in ("text", "markdown"):
            limit = ROBOT_MARKDOWN_LIMIT if msg.msgtype == "markdown" else ROBOT_TEXT_LIMIT
            parts = split_utf8(str(payload.get("content", "")), limit)
            extra = {k: v for k, v in payload.items() if k not in ("content", "parts_sent")}
            _send_parts(
                parts,
                int(payload.get("parts_sent", 0)),
                lambda part: self.client.webhook_send(
                    msg.recipient, {"msgtype": msg.msgtype, msg.msgtype: {"content": part, **extra}}
                ),
            )
            return
        body = _body(msg.msgtype, payload)
        if msg.msgtype == "image" and any(k in body for k in INLINE_DATA_KEYS):
            data, _ = _inline_media("image", body, self.renderers)
            body = {"base64": base64.b64encode(data).decode(), "md5": hashlib.md5(data).hexdigest()}
        self.client.webhook_send(msg.recipient, {"msgtype": msg.msgtype, msg.msgtype: body})


@dataclass
class RecordingSender:
    """Sandbox mode: nothing leaves the machine; rows are kept as RECORDED."""

    success_status: ClassVar[str] = OutboxStatus.RECORDED
    on_record: Callable[[OutboxMessage], None] | None = None
    recorded: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def deliver(self, msg: OutboxMessage) -> None:
        self.recorded.append((msg.recipient, msg.msgtype, dict(msg.payload)))
        log.info("sandbox: recorded outbox message %s (%s)", msg.id, msg.msgtype)
        if self.on_record is not None:
            self.on_record(msg)


def build_sender(
    settings: Settings,
    session_factory: sessionmaker[Session],
    *,
    store: TokenStore | None = None,
    on_attempt: Callable[[int], None] | None = None,
    renderers: Mapping[str, Renderer] | None = None,
) -> RecordingSender | WeComSender:
    """The sender for these settings: a recorder in sandbox mode, WeCom otherwise.

    `store` shares the token (e.g. Redis); the default is the database.
    """
    if settings.sandbox:
        return RecordingSender()
    from bot.kf_api import KfApi
    from bot.kf_sender import KfSender

    client = WeComClient(settings, store if store is not None else DbTokenStore(session_factory))
    kf = KfSender(KfApi(client), session_factory)
    return WeComSender(client, on_attempt=on_attempt, renderers=renderers, kf=kf)


def _send_parts(parts: list[str], done: int, send: Callable[[str], Any]) -> None:
    """Send parts in order, skipping those a previous attempt delivered."""
    for index in range(done, len(parts)):
        try:
            send(parts[index])
        except WeComError as exc:
            exc.parts_sent = index
            raise


def _body(msgtype: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The WeCom body under the msgtype key; payloads may carry it wrapped or bare."""
    inner = payload.get(msgtype)
    return dict(inner) if isinstance(inner, dict) else payload


def render_payload(body: dict[str, Any], renderers: Mapping[str, Renderer]) -> bytes:
    """Draw the file a payload names; unknown renderers are a permanent failure."""
    fn = renderers.get(body["render"])
    if fn is None:
        raise WeComError(40007, f"unknown renderer {body['render']!r}", endpoint="sender")
    return fn(dict(body.get("args") or {}))


def _inline_media(
    msgtype: str, body: dict[str, Any], renderers: Mapping[str, Renderer]
) -> tuple[bytes, str]:
    """Decode (or draw) a not-yet-uploaded file carried in the payload."""
    if "render" in body:
        return render_payload(body, renderers), str(body.get("filename") or f"{msgtype}.bin")
    for key in INLINE_DATA_KEYS:
        if key in body:
            default = "image.png" if key == "png_base64" else f"{msgtype}.bin"
            return base64.b64decode(body[key]), str(body.get("filename") or default)
    raise WeComError(40007, f"{msgtype} payload has neither media_id nor data", endpoint="sender")
