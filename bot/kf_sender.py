"""Delivery of outbox rows on the 'kf' channel: WeCom's 48-hour window and 5-message budget.

A customer's message opens a window of 48 hours and a budget of 5 messages. The answer to a
customer message may spend all 5; anything else (a push, a notice) never spends the last one,
so the answer always has room. A long answer is packed into as few 2048-byte messages as the
budget allows, the last one saying that the rest was cut. A message that cannot be sent is
dropped with a record (the outbox row FAILED, the reason in last_error) and, where the row
says so (`on_drop`), its author is told on the app channel.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, ClassVar, NoReturn

from sqlalchemy import Integer, String, bindparam, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.kf_api import KF_BUDGET, KF_TEXT_LIMIT, KF_WINDOW_HOURS, STATE_HUMAN, KfApi
from bot.text import split_utf8
from bot.wecom_api import ErrorKind, WeComError
from models import KF_PREFIX, KfCustomer, OutboxMessage, OutboxStatus
from models.base import UTCDateTime, utcnow
from models.session import transaction

DROPPED = -10  # our own errcode: not sent, on purpose (window closed, budget spent, code expired)
ANSWER_RULES = frozenset({"kf-reply"})
CUT_NOTE = "\n……（内容较长，后面没有发出。请问得具体一些，例如写明项目或月份。）"


def window_open(customer: KfCustomer | None, now: datetime) -> bool:
    """Whether WeCom still lets the bot write to this customer."""
    return customer is not None and _open(customer.last_msg_at, now)


def _open(last_msg_at: datetime | None, now: datetime) -> bool:
    return last_msg_at is not None and now < last_msg_at + timedelta(hours=KF_WINDOW_HOURS)


def pack(text: str, n: int, limit: int = KF_TEXT_LIMIT) -> list[str]:
    """The text in at most `n` messages of `limit` bytes; a cut is said, never silent."""
    parts = split_utf8(text, limit)
    if len(parts) <= n or n <= 0:
        return parts[: max(n, 0)] if n > 0 else []
    kept = parts[: n - 1]
    room = limit - len(CUT_NOTE.encode())
    last = split_utf8(parts[n - 1], room)[0]
    return [*kept, last + CUT_NOTE]


@functools.cache
def _take_one() -> Any:
    """Built once: UPDATE … SET sent = sent + 1 WHERE window open AND sent < cap RETURNING."""
    return (
        update(KfCustomer)
        .where(
            KfCustomer.external_userid == bindparam("ext", type_=String),
            KfCustomer.last_msg_at > bindparam("cutoff", type_=UTCDateTime()),
            KfCustomer.sent < bindparam("cap", type_=Integer),
        )
        .values(sent=KfCustomer.sent + 1)
        .returning(KfCustomer.open_kfid)
    )


class KfSender:
    """Sends kf rows through kf/send_msg (kf/send_msg_on_event for a welcome)."""

    success_status: ClassVar[str] = OutboxStatus.SENT

    def __init__(
        self,
        api: KfApi,
        session_factory: sessionmaker[Session],
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.api = api
        self.factory = session_factory
        self.clock = clock

    def deliver(self, msg: OutboxMessage) -> None:
        payload = dict(msg.payload)
        ext = msg.recipient.removeprefix(KF_PREFIX)
        if "code" in payload:
            self._welcome(msg, payload)
        elif msg.msgtype == "kf_trans":
            self._transfer(msg, ext, payload)
        else:
            self._send(msg, ext, payload)

    # -- plain messages ----------------------------------------------------------------------

    def _send(self, msg: OutboxMessage, ext: str, payload: dict[str, Any]) -> None:
        answer = msg.rule in ANSWER_RULES
        if msg.msgtype == "text":
            parts = split_utf8(str(payload.get("content", "")), KF_TEXT_LIMIT)
            done = int(payload.get("parts_sent", 0))
            parts = parts[done:]
        else:
            parts, done = [""], 0
        if not parts:
            return
        granted, open_kfid = self._reserve(msg, ext, len(parts), answer, payload)
        if msg.msgtype == "text" and granted < len(parts):
            parts = pack("\n".join(parts), granted)
        for i, part in enumerate(parts):
            body = {"content": part} if msg.msgtype == "text" else _body(msg.msgtype, payload)
            try:
                self.api.send_msg(ext, open_kfid, msg.msgtype, body, msgid=f"yg{msg.id}p{done + i}")
            except WeComError as exc:
                self._release(ext, len(parts) - i)
                exc.parts_sent = done + i
                raise

    def _reserve(
        self, msg: OutboxMessage, ext: str, want: int, answer: bool, payload: dict[str, Any]
    ) -> tuple[int, str]:
        """Take up to `want` messages of the customer's budget, or drop the row."""
        now = self.clock()
        reason = ""
        if want == 1:  # the common case, one statement: take one if the window and budget allow
            with transaction(self.factory) as session:
                taken = (
                    session.connection()
                    .execute(
                        _take_one(),
                        {
                            "ext": ext,
                            "cutoff": now - timedelta(hours=KF_WINDOW_HOURS),
                            "cap": KF_BUDGET if answer else KF_BUDGET - 1,
                        },
                    )
                    .scalar_one_or_none()
                )
            if taken is not None:
                return 1, str(taken)
        with transaction(self.factory) as session:
            # Core statements: this runs for every message sent, and the ORM's unit of work
            # cost more than the SQL.
            query = select(KfCustomer.last_msg_at, KfCustomer.sent, KfCustomer.open_kfid).where(
                KfCustomer.external_userid == ext
            )
            conn = session.connection()
            if conn.dialect.name == "postgresql":
                query = query.with_for_update()
            row = conn.execute(query).one_or_none()
            if row is None or not _open(row.last_msg_at, now):
                reason = "客户超过48小时没有发消息，微信客服不能再发"
            else:
                left = KF_BUDGET - row.sent
                allowed = left if answer else left - 1  # the last one is kept for the answer
                if allowed <= 0:
                    reason = "客户上一条消息后的5条已用完（最后一条留给回答）"
                else:
                    granted = min(want, allowed)
                    conn.execute(
                        update(KfCustomer)
                        .where(KfCustomer.external_userid == ext)
                        .values(sent=KfCustomer.sent + granted)
                    )
                    return granted, str(row.open_kfid)
        self._dropped(msg, payload, reason)

    def _release(self, ext: str, unsent: int) -> None:
        with transaction(self.factory) as session:
            session.connection().execute(
                update(KfCustomer)
                .where(KfCustomer.external_userid == ext)
                .values(sent=KfCustomer.sent - unsent)
            )

    def _dropped(self, msg: OutboxMessage, payload: dict[str, Any], reason: str) -> NoReturn:
        """Not sent, on purpose: the row fails with the reason; `on_drop` tells its author."""
        notice = payload.get("on_drop")
        if isinstance(notice, dict) and notice.get("to") and notice.get("content"):
            with transaction(self.factory) as session:
                exists = session.scalar(
                    select(OutboxMessage.id).where(
                        OutboxMessage.dedup_key == f"kf-dropped:{msg.id}"
                    )
                )
                if exists is None:
                    session.add(
                        OutboxMessage(
                            recipient=str(notice["to"]),
                            payload={"content": str(notice["content"])},
                            dedup_key=f"kf-dropped:{msg.id}",
                            rule=msg.rule,
                        )
                    )
        raise WeComError(
            DROPPED, f"未发送：{reason}", endpoint="kf/send_msg", kind=ErrorKind.PERMANENT
        )

    # -- welcome and transfer ------------------------------------------------------------------

    def _welcome(self, msg: OutboxMessage, payload: dict[str, Any]) -> None:
        expires = datetime.fromisoformat(str(payload.get("expires_at")))
        if self.clock() >= expires:
            raise WeComError(
                DROPPED, "未发送：欢迎语的 welcome_code 已超过20秒", endpoint="kf/send_msg_on_event"
            )
        self.api.send_msg_on_event(
            str(payload["code"]), msg.msgtype, _body(msg.msgtype, payload), msgid=f"yg{msg.id}p0"
        )

    def _transfer(self, msg: OutboxMessage, ext: str, payload: dict[str, Any]) -> None:
        """转人工: to the first liaison who is a servicer on duty, else say how to reach them."""
        with self.factory() as session:
            customer = session.get(KfCustomer, ext)
            open_kfid = customer.open_kfid if customer is not None else ""
        on_duty = {u for u, status in self.api.servicers(open_kfid).items() if status == 0}
        chosen = next((u for u in payload.get("candidates", []) if u in on_duty), None)
        names = payload.get("names") or {}
        if chosen is None:
            text = str(payload.get("fallback", ""))
        else:
            text = str(payload.get("connected", "")).format(name=names.get(chosen, ""))
        if int(payload.get("parts_sent", 0)) == 0:
            granted, open_kfid = self._reserve(msg, ext, 1, True, payload)
            try:
                self.api.send_msg(ext, open_kfid, "text", {"content": text}, msgid=f"yg{msg.id}p0")
            except WeComError:
                self._release(ext, granted)
                raise
        if chosen is not None:
            try:
                self.api.trans(open_kfid, ext, STATE_HUMAN, chosen)
            except WeComError as exc:
                exc.parts_sent = 1  # the text is out; only the transfer is retried
                raise
            with transaction(self.factory) as session:  # the bot stays silent from now on
                customer = session.get(KfCustomer, ext, with_for_update=True)
                if customer is not None:
                    customer.service_state = STATE_HUMAN


def _body(msgtype: str, payload: dict[str, Any]) -> dict[str, Any]:
    inner = payload.get(msgtype)
    return dict(inner) if isinstance(inner, dict) else {}
