"""Messages owed to people (reminders, checks, alerts) and the one way they are queued."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.outbox import Outgoing, enqueue


@dataclass(frozen=True)
class Owed:
    """One message owed to one person, identified by (rule, recipient, subject, period)."""

    rule: str
    recipient: str
    subject: str
    period: str
    text: str
    msgtype: str = "text"
    payload: dict[str, Any] | None = None

    @property
    def dedup_key(self) -> str:
        return f"{self.rule}|{self.recipient}|{self.subject}|{self.period}"[:255]

    def body(self) -> dict[str, Any]:
        return self.payload if self.payload is not None else {"content": self.text}


def emit(session: Session, owed: Iterable[Owed], now: datetime) -> list[Owed]:
    """Queue owed messages not queued before (by dedup key); returns the new ones."""
    unique: dict[str, Owed] = {}
    for o in owed:
        unique.setdefault(o.dedup_key, o)
    queued = enqueue(
        session,
        (
            Outgoing(o.recipient, o.body(), dedup_key=k, rule=o.rule, msgtype=o.msgtype)
            for k, o in unique.items()
        ),
        now=now,
    )
    session.flush()
    new = {m.dedup_key for m in queued}
    return [o for k, o in unique.items() if k in new]
