"""What a handler sees: the incoming message, who sent it, a session, the clock, the settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # kept out of import time: `yigong ask` needs no ORM
    from sqlalchemy.orm import Session

    from bot.services import Services
    from bot.settings import Settings
    from models import Job, Role


@dataclass(frozen=True)
class Incoming:
    """A parsed WeCom message or event, free of XML and crypto."""

    user_id: str
    kind: str  # text | file | image | voice | video | location | link | event
    text: str = ""
    msg_id: str | None = None
    create_time: int = 0
    event: str = ""
    event_key: str = ""
    task_id: str = ""
    media_id: str = ""
    file_name: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def dedup_key(self) -> str:
        """MsgId and sender for messages; sender+CreateTime+Event+key for events (SPEC §7).

        The sender is part of the key, so one account's MsgId never finds another's reply."""
        if self.msg_id:
            return f"msg:{self.msg_id}:{self.user_id}"
        return (
            f"evt:{self.user_id}:{self.create_time}:{self.event}:{self.event_key or self.task_id}"
        )


@dataclass
class Reply:
    """What the bot answers; empty text means an empty 200 (work goes on in the background)."""

    text: str = ""

    @classmethod
    def empty(cls) -> Reply:
        return cls("")


@dataclass(frozen=True)
class Scope:
    """An admin's region: the deepest of province/city/county that is filled."""

    province: str
    city: str = ""
    county: str = ""

    @property
    def label(self) -> str:
        return "".join(p for p in (self.province, self.city, self.county) if p)


@dataclass(frozen=True)
class Principal:
    """Who sent the message; roles come from imported data, never from the message."""

    userid: str
    role: Role
    name: str = ""
    contact_id: int | None = None
    scope: Scope | None = None
    worker_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_liaison(self) -> bool:
        return self.role == "liaison"

    @property
    def is_staff(self) -> bool:
        return self.role in ("admin", "liaison")


@dataclass
class HandlerContext:
    """One message's unit of work. Handlers read and write through `session` only."""

    session: Session
    user: Principal
    now: datetime  # aware, in settings.tz
    settings: Settings
    channel: str = "chat"
    command: str = ""
    args: str = ""
    services: Services | None = None  # set by the dispatcher (bot/wiring.py builds it)

    @property
    def today(self) -> date:
        return self.now.date()

    def send(
        self,
        to: str,
        text: str,
        *,
        dedup_key: str | None = None,
        rule: str = "",
        msgtype: str = "text",
        payload: dict[str, Any] | None = None,
        channel: str = "app",
    ) -> bool:
        """Queue a message to another user; it leaves after this message's transaction commits.

        A `dedup_key` queued before is not queued again (False), and is no error.
        """
        from models.outbox import Outgoing, enqueue

        message = Outgoing(
            recipient=to,
            payload=payload if payload is not None else {"content": text},
            dedup_key=dedup_key,
            rule=rule,
            msgtype=msgtype,
            channel=channel,
        )
        return bool(enqueue(self.session, [message]))

    def audit(self, action: str, subject: str, **detail: Any) -> None:
        """An append-only audit row of this message: ids and codes only, no personal data."""
        from models.reports import write_audit

        write_audit(self.session, self.user.userid, self.channel, action, subject, detail)

    def enqueue_job(self, kind: str, key: str, payload: dict[str, Any]) -> Job:
        """Queue background work (durable; runs once); its result is sent as an app message."""
        from models import Job

        if self.services is not None and kind not in self.services.registry.job_kinds:
            raise RuntimeError(f"no job kind {kind!r} in bot/wiring.py JOB_KINDS")

        job = Job(kind=kind, key=key, user_id=self.user.userid, payload=payload)
        self.session.add(job)
        return job
