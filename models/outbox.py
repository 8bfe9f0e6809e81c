"""The one way a message enters the outbox, for every sender: handlers (`ctx.send`), the
dispatcher's reply continuations, jobs' results and reminder rules.

One conflict rule: a `dedup_key` already queued is skipped (INSERT … ON CONFLICT (dedup_key)
DO NOTHING), so a message owed once is queued once across retries, reruns and replicas, and a
repeat never aborts the transaction of the message that caused it. Rows without a key are
always queued.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models.base import utcnow
from models.kf import KF_PREFIX
from models.messaging import OutboxMessage
from models.privacy import mask_payload


@dataclass(frozen=True)
class Outgoing:
    """One message to queue. `channel` names the delivery road (app, webhook, …)."""

    recipient: str
    payload: dict[str, Any]
    dedup_key: str | None = None
    rule: str = ""
    msgtype: str = "text"
    channel: str = "app"


def text(recipient: str, content: str, **kw: Any) -> Outgoing:
    """A plain text message."""
    return Outgoing(recipient, {"content": content}, **kw)


def enqueue(
    session: Session, messages: Iterable[Outgoing], *, now: datetime | None = None
) -> list[Outgoing]:
    """Queue the messages not queued before (by dedup_key); returns those queued now.

    Runs inside the caller's transaction: they leave when it commits, never if it rolls back.
    """
    unique: dict[str | int, Outgoing] = {}
    for i, m in enumerate(messages):
        unique.setdefault(m.dedup_key if m.dedup_key is not None else i, m)
    if not unique:
        return []
    due = now or utcnow()
    rows = [
        {
            "dedup_key": m.dedup_key,
            "recipient": m.recipient,
            # a 微信客服 customer ("kf:" + external_userid) has the window and budget rules
            "channel": "kf" if m.recipient.startswith(KF_PREFIX) else m.channel,
            "msgtype": m.msgtype,
            "payload": mask_payload(m.payload),  # bulk INSERT skips the ORM's masking hook
            "rule": m.rule,
            "next_attempt_at": due,
        }
        for m in unique.values()
    ]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = pg_insert(OutboxMessage).on_conflict_do_nothing(index_elements=["dedup_key"])
    elif dialect == "sqlite":
        stmt = sqlite_insert(OutboxMessage).on_conflict_do_nothing(index_elements=["dedup_key"])
    else:  # pragma: no cover - the two supported databases are above
        stmt = insert(OutboxMessage)
    keyed = [m for m in unique.values() if m.dedup_key is not None]
    if not keyed:
        session.execute(insert(OutboxMessage), rows)
        return list(unique.values())
    inserted = set(session.scalars(stmt.returning(OutboxMessage.dedup_key), rows))
    return [m for m in unique.values() if m.dedup_key is None or m.dedup_key in inserted]
