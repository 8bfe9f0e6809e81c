"""The one road every inbound message takes: dedup → who → handler → reply, in one transaction.

The callback route, `yigong chat` and the tests all call `Dispatcher.feed`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Engine, insert
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.context import HandlerContext, Incoming, Principal, Reply
from bot.errors import UserError
from bot.router import Router
from bot.settings import Settings
from bot.text import split_utf8
from models import InboundMessage, utcnow
from models.direct import DirectStatement, connection_of
from models.outbox import enqueue
from models.outbox import text as text_message
from models.privacy import mask_text
from models.session import WriterBusy

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

INTERNAL_ERROR_REPLY = "抱歉，系统处理这条消息时出错，没有写入任何数据。请稍后再试，或联系管理员。"


@dataclass
class FeedResult:
    """The reply to one message: `chunks[0]` is the passive reply, the rest went to the outbox."""

    chunks: list[str] = field(default_factory=list)
    body: str = ""
    duplicate: bool = False
    crashed: bool = False  # a handler bug: the user got the apology (for metrics and alerts)

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
        *,
        resolve: Callable[[Session, str], Principal],
        services: Services | None = None,
    ) -> None:
        """`resolve` says who a userid is (the domain's `resolve_principal`, given by the
        composition root): the dispatcher itself knows no roles."""
        self.router = router
        self.resolve = resolve
        self.session_factory = session_factory
        self.settings = settings
        self.services = services
        self.engine: Engine = session_factory.kw["bind"]

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
        """Handle a message once. A repeat of a handled message returns the stored answer.

        The idempotency key is inserted last, in the same transaction as the handler's writes:
        of two concurrent twins only one commits (the other blocks on the key, then fails on
        it and returns the stored answer), and a refusal or crash keeps none of the writes.
        """
        key = msg.dedup_key
        moment = now or self.now()
        crashed = False
        try:
            try:
                return self._handle(msg, key, channel, moment, render)
            except DBAPIError as exc:
                if not exc.connection_invalidated:
                    raise
                # The connection had died (a restart, a killed backend) and is discarded with
                # every older one; nothing was kept, so run the message again on a fresh one.
                return self._handle(msg, key, channel, moment, render)
        except _Refused as refused:
            text, crashed = refused.text, refused.crashed
        except IntegrityError:
            stored = self._stored(key)
            if stored is not None:
                return stored  # a twin (or an earlier delivery) committed first
            log.exception("integrity error in handler", extra={"msg_key": key, "kind": msg.kind})
            text, crashed = INTERNAL_ERROR_REPLY, True
        try:
            with self._transaction() as session:
                result = self._record(session, msg, key, text, render)
                result.crashed = crashed
                return result
        except IntegrityError:
            stored = self._stored(key)
            if stored is None:
                raise
            return stored

    def _stored(self, key: str) -> FeedResult | None:
        with self.session_factory() as session:
            row = session.get(InboundMessage, key)
            if row is None:
                return None  # (the key holds the sender: nobody else's reply is found)
            chunks = split_utf8(row.reply_text) if row.reply_text else []
            return FeedResult(chunks=chunks, body=row.response_body, duplicate=True)

    def _handle(
        self,
        msg: Incoming,
        key: str,
        channel: str,
        now: datetime,
        render: Callable[[str], str] | None,
    ) -> FeedResult:
        """Run the handler and record its answer in one transaction; refusals roll it all back."""
        with self._transaction() as session:
            ctx = HandlerContext(
                session=session,
                user=self.resolve(session, msg.user_id),
                now=now,
                settings=self.settings,
                channel=channel,
                services=self.services,
            )
            try:
                reply: Reply = self.router.dispatch(msg, ctx)
            except UserError as err:
                raise _Refused(err.message) from None
            except SQLAlchemyError:
                raise  # the database itself failed: no answer is stored, so WeCom's retry runs again
            except WriterBusy:
                raise  # asked not to wait for SQLite's writer: the caller runs it again, waiting
            except Exception:
                log.exception("handler failed", extra={"msg_key": key, "kind": msg.kind})
                raise _Refused(INTERNAL_ERROR_REPLY, crashed=True) from None
            return self._record(session, msg, key, reply.text, render)

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        """One message's transaction: a connection that begins and commits it, and a Session
        joined to it for the handler. The dispatcher's own two statements (who is this, the
        key) run on the connection directly; a handler that never touches the session (help,
        a guest) costs no ORM work at all."""
        with self.engine.connect() as conn, conn.begin():
            session = self.session_factory(bind=conn, join_transaction_mode="rollback_only")
            try:
                yield session
            finally:
                session.close()  # (joined: closing does not end the connection's transaction)

    def _record(
        self,
        session: Session,
        msg: Incoming,
        key: str,
        text: str,
        render: Callable[[str], str] | None,
    ) -> FeedResult:
        """Store the answer under the key; replies past 2048 bytes continue in the outbox.

        Masking is the last step: whatever a handler wrote, no ID, card or phone number
        leaves, or stays in `inbound_messages`, in clear."""
        text = mask_text(text)
        chunks = split_utf8(text)
        body = render(chunks[0] if chunks else "") if render else ""
        if len(chunks) > 1:
            enqueue(
                session,
                [
                    text_message(msg.user_id, extra, dedup_key=f"reply:{key}:{i}", rule="reply")
                    for i, extra in enumerate(chunks[1:], start=2)
                ],
            )
        session.flush()  # the handler's writes first: the key goes in last
        # the key's unique constraint decides, here, which twin wins
        _INBOUND.execute(
            connection_of(session),
            {
                "key": key,
                "user_id": msg.user_id,
                "received_at": utcnow(),
                "reply_text": text,
                "response_body": body,
            },
        )
        return FeedResult(chunks=chunks, body=body)


_INBOUND = DirectStatement(insert(InboundMessage.__table__))  # type: ignore[arg-type]


class _Refused(Exception):
    """A handler's refusal or crash: its writes are rolled back, this text is the answer."""

    def __init__(self, text: str, *, crashed: bool = False) -> None:
        super().__init__(text)
        self.text = text
        self.crashed = crashed
