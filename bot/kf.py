"""微信客服 intake: a `kf_msg_or_event` callback asks for a pull; the pull walks kf/sync_msg.

The callback only records the request (a `kf_cursors` row: the durable job) and answers
200. `sync_pending` pulls each account's pages; every page's messages are handled, their
answers queued in the outbox and the cursor moved in ONE transaction, so a crash between
pages resumes at the first page not committed and no message is handled twice (its msgid
is its idempotency key in `inbound_messages`, like MsgId for app messages).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.context import HandlerContext, Incoming
from bot.dispatcher import INTERNAL_ERROR_REPLY
from bot.errors import UserError
from bot.kf_api import (
    INVALID_MSG_TOKEN,
    KF_SYNC_LIMIT,
    STATE_ENDED,
    STATE_HUMAN,
    STATE_NEW,
    STATE_QUEUED,
    WELCOME_SECONDS,
    KfApi,
)
from bot.services import KfHooks
from bot.wecom_api import WeComError
from bot.wecom_crypto import CallbackRejected
from models import KF_PREFIX, InboundMessage, KfCursor, KfCustomer, OutboxMessage, Project
from models.base import utcnow
from models.messaging import OutboxStatus
from models.session import transaction

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
TOKEN_TTL = timedelta(minutes=10) - timedelta(seconds=30)  # the callback Token lives 10 min
MAX_ID = 64
MAX_EXT = 60  # "kf:" + external_userid must fit the 64 characters of an account (WeCom's: 32)
SILENT_STATES = frozenset({STATE_QUEUED, STATE_HUMAN})  # a person serves or will serve it
MENU_LIMIT = 1000  # bytes of head/tail text, under WeCom's 1024


def is_kf_event(fields: dict[str, Any]) -> bool:
    return str(fields.get("Event", "")).lower() == "kf_msg_or_event"


def note_callback(factory: sessionmaker[Session], fields: dict[str, Any]) -> bool:
    """Record a kf_msg_or_event callback as a pull request; False for a replay."""
    open_kfid = str(fields.get("OpenKfId", ""))
    token = str(fields.get("Token", ""))
    if not open_kfid or len(open_kfid) > MAX_ID or len(token) > 128:
        raise CallbackRejected(400, "kf event without a usable OpenKfId or Token")
    key = f"kfevt:{open_kfid}:{token or fields.get('CreateTime', '')}"
    now = utcnow()
    for _ in range(2):  # a twin may create the account's row first: then update it
        try:
            with transaction(factory) as session:
                if session.get(InboundMessage, key) is not None:
                    return False
                session.add(InboundMessage(key=key, user_id="kf", reply_text=""))
                row = session.get(KfCursor, open_kfid, with_for_update=True)
                if row is None:
                    row = KfCursor(open_kfid=open_kfid, cursor="", requested=0, synced=0)
                    session.add(row)
                row.requested = (row.requested or 0) + 1
                if token:
                    row.token, row.token_at = token, now
                row.updated_at = now
            return True
        except IntegrityError:
            continue
    return False


@dataclass
class SyncStats:
    """What one pull did."""

    pages: int = 0
    messages: int = 0
    answered: int = 0
    duplicates: int = 0
    silent: int = 0
    events: int = 0
    errors: int = 0


def sync_pending(
    services: Any,
    api: KfApi,
    *,
    clock: Callable[[], datetime] = utcnow,
    limit: int = KF_SYNC_LIMIT,
) -> SyncStats:
    """Pull every account with a request not yet covered; safe from several processes."""
    stats = SyncStats()
    now = clock()
    with services.session_factory() as session:
        ids = list(
            session.scalars(
                select(KfCursor.open_kfid).where(
                    KfCursor.requested > KfCursor.synced,
                    or_(KfCursor.locked_until.is_(None), KfCursor.locked_until < now),
                )
            )
        )
    for open_kfid in ids:
        try:
            sync_account(services, api, open_kfid, stats, clock=clock, limit=limit)
        except Exception:
            stats.errors += 1
            log.exception("kf sync of %s stopped; it resumes from its cursor", open_kfid)
    return stats


def sync_account(
    services: Any,
    api: KfApi,
    open_kfid: str,
    stats: SyncStats,
    *,
    clock: Callable[[], datetime] = utcnow,
    limit: int = KF_SYNC_LIMIT,
) -> None:
    """Pull one account's pages under a lease, committing page by page."""
    factory: sessionmaker[Session] = services.session_factory
    now = clock()
    lease = now + LEASE
    with transaction(factory) as session:
        won = session.execute(
            update(KfCursor)
            .where(
                KfCursor.open_kfid == open_kfid,
                or_(KfCursor.locked_until.is_(None), KfCursor.locked_until < now),
            )
            .values(locked_until=lease)
            .execution_options(synchronize_session=False)
        )
        if won.rowcount != 1:  # type: ignore[attr-defined]
            return
        target = session.scalar(select(KfCursor.requested).where(KfCursor.open_kfid == open_kfid))
    try:
        while True:
            with factory() as session:
                row = session.get(KfCursor, open_kfid)
                assert row is not None
                cursor = row.cursor
                fresh = row.token_at is not None and clock() - row.token_at < TOKEN_TTL
                token = row.token if fresh else ""
            data = _pull(api, open_kfid, cursor, token, limit)
            more = bool(data.get("has_more"))
            with transaction(factory) as session:
                row = session.get(KfCursor, open_kfid, with_for_update=True)
                if row is None or row.locked_until != lease or row.cursor != cursor:
                    log.warning("kf sync of %s: lease lost, another worker goes on", open_kfid)
                    return
                handle_page(session, services, api, data.get("msg_list") or [], stats, clock())
                if data.get("next_cursor"):
                    row.cursor = str(data["next_cursor"])
                if not more:
                    row.synced = max(row.synced, int(target or 0))
                    row.locked_until = None
                row.updated_at = clock()
            stats.pages += 1
            if not more:
                return
    except BaseException:
        with transaction(factory) as session:  # let the next tick (or replica) resume
            session.execute(
                update(KfCursor)
                .where(KfCursor.open_kfid == open_kfid, KfCursor.locked_until == lease)
                .values(locked_until=None)
                .execution_options(synchronize_session=False)
            )
        raise


def _pull(api: KfApi, open_kfid: str, cursor: str, token: str, limit: int) -> dict[str, Any]:
    try:
        return api.sync_msg(open_kfid, cursor=cursor, token=token, limit=limit)
    except WeComError as exc:
        if token and exc.errcode == INVALID_MSG_TOKEN:  # expired: pull without it
            return api.sync_msg(open_kfid, cursor=cursor, limit=limit)
        raise


@dataclass
class _Customer:
    """A customer's row as the page changes it; written once when the page ends (per-message
    UPDATEs, flushed at every savepoint, cost more than the handlers)."""

    external_userid: str
    open_kfid: str = ""
    last_msg_at: datetime | None = None
    last_msgid: str = ""
    sent: int = 0
    project_code: str = ""
    service_state: int = STATE_NEW
    row: KfCustomer | None = None
    changed: bool = False

    def save(self, session: Session, now: datetime) -> None:
        if not self.changed:
            return
        if self.row is None:
            self.row = KfCustomer(external_userid=self.external_userid)
            session.add(self.row)
        for name in ("open_kfid", "last_msg_at", "last_msgid", "sent", "project_code"):
            setattr(self.row, name, getattr(self, name))
        self.row.service_state = self.service_state
        self.row.updated_at = now


@dataclass
class _Page:
    """What one page handles: its customers, and the rows it adds, inserted together."""

    customers: dict[str, _Customer]
    rows: list[Any]
    states: dict[tuple[str, str], int]

    def customer(self, ext: str) -> _Customer:
        found = self.customers.get(ext)
        if found is None:
            found = self.customers[ext] = _Customer(external_userid=ext)
        found.changed = True
        return found


def handle_page(
    session: Session,
    services: Any,
    api: KfApi | None,
    items: list[dict[str, Any]],
    stats: SyncStats,
    now: datetime,
) -> None:
    """Handle one page's messages inside the caller's transaction."""
    items = [i for i in items if isinstance(i, dict)]
    keys = {f"kfmsg:{str(i.get('msgid', ''))[:128]}" for i in items}
    # one query for the page's handled keys and customers, instead of one per message
    seen = set(session.scalars(select(InboundMessage.key).where(InboundMessage.key.in_(keys))))
    exts = {str(i.get("external_userid", ""))[:MAX_ID] for i in items}
    exts |= {str((i.get("event") or {}).get("external_userid", ""))[:MAX_ID] for i in items}
    page = _Page({}, [], {})
    for row in session.scalars(select(KfCustomer).where(KfCustomer.external_userid.in_(exts))):
        page.customers[row.external_userid] = _Customer(
            row.external_userid,
            row.open_kfid,
            row.last_msg_at,
            row.last_msgid,
            row.sent,
            row.project_code,
            row.service_state,
            row,
        )
    for item in items:
        msgid = str(item.get("msgid", ""))[:128]
        key = f"kfmsg:{msgid}"
        if not msgid or key in seen:
            stats.duplicates += 1
            continue
        seen.add(key)
        stats.messages += 1
        reply = handle_item(session, services, api, item, page, stats, now)
        ext = str(item.get("external_userid", ""))
        page.rows.append(
            InboundMessage(key=key, user_id=(KF_PREFIX + ext)[:MAX_ID], reply_text=reply)
        )
    for customer in page.customers.values():
        customer.save(session, now)
    session.add_all(page.rows)
    session.flush()


def handle_item(
    session: Session,
    services: Any,
    api: KfApi | None,
    item: dict[str, Any],
    page: _Page,
    stats: SyncStats,
    now: datetime,
) -> str:
    """One msg_list entry: a customer message is answered, an event handled, others noted."""
    if item.get("msgtype") == "event" and isinstance(item.get("event"), dict):
        stats.events += 1
        handle_event(session, services, item, item["event"], page, now)
        return ""
    if int(item.get("origin") or 0) != 3:  # 4 system, 5 a servicer's own message
        return ""
    ext = str(item.get("external_userid", ""))
    open_kfid = str(item.get("open_kfid", ""))
    if not ext or len(ext) > MAX_EXT or not open_kfid or len(open_kfid) > MAX_ID:
        return ""
    msgid = str(item["msgid"])[:128]
    sent_at = _when(item.get("send_time"), now)
    customer = page.customer(ext)
    customer.open_kfid = open_kfid
    if customer.last_msg_at is None or sent_at >= customer.last_msg_at:
        customer.last_msg_at, customer.last_msgid, customer.sent = sent_at, msgid, 0
    if customer.service_state == STATE_ENDED:
        customer.service_state = STATE_NEW  # a message after the end opens a new session
    if api is not None and customer.service_state in SILENT_STATES:
        # A person took the session (an event or our 转人工 said so): ask WeCom whether
        # they still serve it, once per customer and page.
        state = page.states.get((open_kfid, ext))
        if state is None:
            state = page.states[(open_kfid, ext)] = api.service_state(open_kfid, ext)[0]
        customer.service_state = state
        if state in SILENT_STATES:
            stats.silent += 1
            return ""
    text = _text_of(_hooks(services), item)
    userid = KF_PREFIX + ext
    if text is None:
        answer_text = "暂时只能处理文字消息。请直接打字，或发送“帮助”查看可以做什么。"
        page.rows.extend(_answer_rows(userid, msgid, answer_text, None))
        stats.answered += 1
        return answer_text
    msg = Incoming(userid, "text", text=text, msg_id=msgid, create_time=int(sent_at.timestamp()))
    answer = answer_message(session, services, msg, now)
    page.rows.extend(_answer_rows(userid, msgid, answer.text, answer.menu))
    stats.answered += 1
    return answer.text or (answer.menu.head if answer.menu else "")


def answer_message(session: Session, services: Any, msg: Incoming, now: datetime) -> Any:
    """Run the router for a customer message in a savepoint: a refusal keeps no writes."""
    hooks = _hooks(services)
    savepoint = session.begin_nested()
    dispatcher = getattr(services, "dispatcher", None)
    ctx = HandlerContext(
        session=session,
        user=hooks.resolve(session, msg.user_id),
        # the bot's business clock (frozen in tests and replays); `now` is transport time
        now=dispatcher.now() if dispatcher is not None else now.astimezone(services.settings.tz),
        settings=services.settings,
        channel="kf",
        services=services,
    )
    try:
        answer = hooks.respond(msg, ctx, services.router.dispatch)
        savepoint.commit()
        return answer
    except UserError as err:
        savepoint.rollback()
        return hooks.answer(hooks.wording(err.message))
    except SQLAlchemyError:
        raise  # the database failed: the page rolls back and is pulled again
    except Exception:
        log.exception("kf handler failed", extra={"msg_key": msg.dedup_key})
        savepoint.rollback()
        return hooks.answer(INTERNAL_ERROR_REPLY)


def _answer_rows(userid: str, msgid: str, text: str, menu: Any) -> list[OutboxMessage]:
    """The outbox row answering one customer message (none when a handler queued its own)."""
    payload: dict[str, Any]
    if menu is not None:
        msgtype, payload = "msgmenu", {"msgmenu": menu_payload(menu)}
    elif text:
        msgtype, payload = "text", {"content": text}
    else:
        return []  # e.g. 转人工 queued its own action
    payload["reply_to"] = msgid
    return [
        OutboxMessage(
            recipient=userid,
            channel="kf",
            msgtype=msgtype,
            payload=payload,
            dedup_key=f"kf-reply:{msgid}",
            rule="kf-reply",
        )
    ]


def menu_payload(menu: Any) -> dict[str, Any]:
    """A handlers Menu as WeCom's msgmenu body."""
    from bot.text import split_utf8

    def fit(text: str) -> str:
        parts = split_utf8(text, MENU_LIMIT)
        return parts[0] if parts else ""

    body: dict[str, Any] = {
        "head_content": fit(menu.head),
        "list": [
            {"type": "click", "click": {"id": i, "content": label}} for i, label in menu.items
        ],
    }
    if menu.tail:
        body["tail_content"] = fit(menu.tail)
    return body


def _text_of(hooks: KfHooks, item: dict[str, Any]) -> str | None:
    """The text a customer sent (a menu tap stands for its command); None for other types."""
    if item.get("msgtype") != "text" or not isinstance(item.get("text"), dict):
        return None
    part = item["text"]
    tapped = hooks.text_of_tap(str(part.get("menu_id", "")))
    return tapped if tapped is not None else str(part.get("content", ""))[:4000]


def _when(stamp: Any, now: datetime) -> datetime:
    """send_time as an aware moment; absurd stamps count as now."""
    try:
        moment = datetime.fromtimestamp(int(stamp), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return now
    return moment if moment <= now + timedelta(minutes=5) else now


def handle_event(
    session: Session,
    services: Any,
    item: dict[str, Any],
    event: dict[str, Any],
    page: _Page,
    now: datetime,
) -> None:
    """enter_session: welcome and remember the QR's project; msg_send_fail: record it."""
    kind = str(event.get("event_type", ""))
    ext = str(event.get("external_userid", ""))
    if len(ext) > MAX_EXT:
        return
    if kind == "enter_session" and ext:
        customer = page.customer(ext)
        customer.open_kfid = str(event.get("open_kfid", item.get("open_kfid", "")))[:MAX_ID]
        project = _project_of_scene(
            session, str(event.get("scene", "")), str(event.get("scene_param", ""))
        )
        if project is not None:
            customer.project_code = project.code
        code = str(event.get("welcome_code", ""))
        if code:
            page.rows.append(_welcome_row(session, services, item, ext, code, project, now))
    elif kind == "session_status_change" and ext:
        # 1 taken from the queue, 2 transferred, 4 taken again: a person serves it; 3 ended
        change = int(event.get("change_type") or 0)
        page.customer(ext).service_state = STATE_ENDED if change == 3 else STATE_HUMAN
    elif kind == "msg_send_fail":
        _record_send_failure(session, str(event.get("fail_msgid", "")), event.get("fail_type"))
    else:  # servicer_status_change, user_recall_msg …
        log.info("kf event %s noted", kind)


def _project_of_scene(session: Session, scene: str, scene_param: str) -> Project | None:
    """`scene` is "p<project id>" (kf/add_contact_way); `scene_param` the project code."""
    if scene.startswith("p") and scene[1:].isdigit() and len(scene) < 20:
        project = session.get(Project, int(scene[1:]))
        if project is not None:
            return project
    code = scene_param.strip().upper()[:32]
    if code:
        return session.scalar(select(Project).where(Project.code == code))
    return None


def _welcome_row(
    session: Session,
    services: Any,
    item: dict[str, Any],
    ext: str,
    code: str,
    project: Project | None,
    now: datetime,
) -> OutboxMessage:
    hooks = _hooks(services)
    userid = KF_PREFIX + ext
    menu = hooks.welcome_menu(session, hooks.resolve(session, userid), project)
    sent_at = _when(item.get("send_time"), now)
    return OutboxMessage(
        recipient=userid,
        channel="kf",
        msgtype="msgmenu",
        payload={
            "msgmenu": menu_payload(menu),
            "code": code,
            "expires_at": (sent_at + timedelta(seconds=WELCOME_SECONDS)).isoformat(),
        },
        dedup_key=f"kf-welcome:{str(item.get('msgid', ''))[:100]}",
        rule="kf-welcome",
    )


def _record_send_failure(session: Session, fail_msgid: str, fail_type: Any) -> None:
    """Our msgids are "yg<outbox id>p<part>": the row is marked failed, with WeCom's reason."""
    head = fail_msgid.removeprefix("yg").split("p", 1)[0]
    if not fail_msgid.startswith("yg") or not head.isdigit():
        return
    row = session.get(OutboxMessage, int(head))
    if row is None:
        return
    row.status = OutboxStatus.FAILED
    row.last_error = f"微信客服报告消息发送失败（fail_type={fail_type}，msgid={fail_msgid}）"


def invite_link(services: Any, project: Project) -> str:
    """The 客服 link for a project: scene "p<id>" (kf/add_contact_way) plus its code."""
    settings = services.settings if services is not None else None
    scene = f"p{project.id}"
    param = quote(project.code, safe="")
    if settings is None or settings.sandbox:
        return f"https://work.weixin.qq.com/kf/sandbox?enc_scene={scene}&scene_param={param}"
    api = KfApi(_client(services))
    open_kfid = settings.kf_open_kfid
    if not open_kfid:
        accounts = api.accounts()
        if not accounts:
            raise UserError("还没有微信客服账号：请先在管理后台 微信客服 中创建客服账号。")
        open_kfid = str(accounts[0]["open_kfid"])
    url = api.add_contact_way(open_kfid, scene)
    return f"{url}{'&' if '?' in url else '?'}scene_param={param}"


def _client(services: Any) -> Any:
    from bot.redis_support import token_store
    from bot.wecom_api import WeComClient

    if services.wecom is None:
        services.wecom = WeComClient(services.settings, token_store(services))
    return services.wecom


def _hooks(services: Any) -> KfHooks:
    """What the 微信客服 conversation needs of the handlers, given by the composition root."""
    hooks: KfHooks | None = services.registry.kf
    if hooks is None:
        raise RuntimeError("no 微信客服 handlers listed in bot/wiring.py")
    return hooks


def api_of(services: Any) -> KfApi | None:
    """The kf API of a running server (None in sandbox mode)."""
    if services.settings.sandbox:
        return None
    return KfApi(_client(services))


def reply_of(
    services: Any, userid: str, text: str, *, msgid: str, now: datetime | None = None
) -> str:
    """`yigong chat --kf`: one customer message through the same handling, no WeCom."""
    moment = now or utcnow()
    item = {
        "msgid": msgid,
        "open_kfid": "wkchat",
        "external_userid": userid.removeprefix(KF_PREFIX),
        "send_time": int(moment.timestamp()),
        "origin": 3,
        "msgtype": "text",
        "text": {"content": text},
    }
    stats = SyncStats()
    with transaction(services.session_factory) as session:
        handle_page(session, services, None, [item], stats, moment)
        row = session.get(InboundMessage, f"kfmsg:{msgid}")
        return row.reply_text if row is not None else ""
