"""The one road every inbound message takes: dedup → who → handler → reply, in one transaction.

The callback route, `yigong chat` and the tests all call `Dispatcher.feed`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.context import HandlerContext, Incoming, Reply
from bot.errors import UserError
from bot.router import Router
from bot.settings import Settings
from bot.text import split_utf8
from handlers.access import resolve_principal
from models import InboundMessage

log = logging.getLogger(__name__)

INTERNAL_ERROR_REPLY = "抱歉，系统处理这条消息时出错，没有写入任何数据。请稍后再试，或联系管理员。"


@dataclass
class FeedResult:
    """The reply to one message: `chunks[0]` is the passive reply, the rest went to the outbox."""

    chunks: list[str] = field(default_factory=list)
    body: str = ""
    duplicate: bool = False

    @property
    def reply(self) -> str:
        return self.chunks[0] if self.chunks else ""

    @property
    def text(self) -> str:
        return "\n".join(self.chunks)


class Dispatcher:
    """Feeds messages to the router inside one transaction per message."""

    def __init__(
        self,
        router: Router,
        session_factory: sessionmaker[Session],
        settings: Settings,
        services: Any = None,
    ) -> None:
        self.router = router
        self.session_factory = session_factory
        self.settings = settings
        self.services = services

    def now(self) -> datetime:
        return datetime.now(self.settings.tz)

    def feed(
        self,
        msg: Incoming,
        *,
        channel: str = "chat",
        now: datetime | None = None,
        render: Callable[[str], str] | None = None,
    ) -> FeedResult:
        """Handle a message once. A repeat of a handled message returns the stored answer."""
        key = msg.dedup_key
        for _ in range(50):
            try:
                return self._feed_once(msg, key, channel, now or self.now(), render)
            except IntegrityError:
                # Another process is handling the same message; wait for its answer.
                stored = self._stored(key)
                if stored is not None:
                    return stored
                time.sleep(0.1)
        raise RuntimeError(f"message {key} stuck in another transaction")

    def _stored(self, key: str) -> FeedResult | None:
        with self.session_factory() as session:
            row = session.get(InboundMessage, key)
            if row is None:
                return None
            chunks = split_utf8(row.reply_text) if row.reply_text else []
            return FeedResult(chunks=chunks, body=row.response_body, duplicate=True)

    def _feed_once(
        self,
        msg: Incoming,
        key: str,
        channel: str,
        now: datetime,
        render: Callable[[str], str] | None,
    ) -> FeedResult:
        with self.session_factory() as session, session.begin():
            existing = session.get(InboundMessage, key)
            if existing is not None:
                chunks = split_utf8(existing.reply_text) if existing.reply_text else []
                return FeedResult(chunks=chunks, body=existing.response_body, duplicate=True)
            record = InboundMessage(key=key, user_id=msg.user_id)
            session.add(record)
            session.flush()  # claims the key: a concurrent twin now waits or fails here

            text = self._run_handler(session, msg, channel, now)
            chunks = split_utf8(text)
            body = render(chunks[0] if chunks else "") if render else ""
            if len(chunks) > 1:
                ctx = HandlerContext(
                    session=session,
                    user=resolve_principal(session, msg.user_id),
                    now=now,
                    settings=self.settings,
                )
                for i, extra in enumerate(chunks[1:], start=2):
                    ctx.send(msg.user_id, extra, dedup_key=f"reply:{key}:{i}", rule="reply")
            record.reply_text = text
            record.response_body = body
            return FeedResult(chunks=chunks, body=body)

    def _run_handler(self, session: Session, msg: Incoming, channel: str, now: datetime) -> str:
        """Run the handler in a savepoint: a refusal or a crash leaves nothing written."""
        savepoint = session.begin_nested()
        try:
            ctx = HandlerContext(
                session=session,
                user=resolve_principal(session, msg.user_id),
                now=now,
                settings=self.settings,
                channel=channel,
                services=self.services,
            )
            reply: Reply = self.router.dispatch(msg, ctx)
            session.flush()
            savepoint.commit()
            return reply.text
        except UserError as err:
            savepoint.rollback()
            return err.message
        except Exception:
            savepoint.rollback()
            log.exception("handler failed", extra={"msg_key": msg.dedup_key, "kind": msg.kind})
            return INTERNAL_ERROR_REPLY
