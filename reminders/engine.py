"""The rule registry and the one delivery path: owed messages become outbox rows, once each.

A rule is `fn(moment) -> Iterable[Owed]`: given the moment and the database (through the
moment's cached SQL aggregates), the messages owed. `run_rules` collects them and inserts
outbox rows with ON CONFLICT DO NOTHING on the dedup key, so a reminder is queued once
across reruns, restarts and replicas; the outbox drain sends it.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models import OutboxMessage
from models.calendar import is_workday
from models.people import liaison_names
from reminders import data

log = logging.getLogger(__name__)

# Rule modules, imported on first use; each registers its rules with `@rule`.
RULE_MODULES = [
    "reminders.wages_due",
    "reminders.wages_overdue",
    "reminders.escalation",
    "reminders.quarterly",
    "reminders.stale",
    "reminders.complaints",
    "reminders.notice_end",
]


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


@dataclass
class Moment:
    """What every rule sees: the session, the local moment, and SQL aggregates computed once."""

    session: Session
    now: datetime  # aware, local time

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def workday(self) -> bool:
        return is_workday(self.today)

    @cached_property
    def projects(self) -> dict[int, data.ProjectInfo]:
        return data.projects(self.session)

    @cached_property
    def liaisons(self) -> dict[int, list[str]]:
        return data.liaisons(self.session)

    @cached_property
    def liaison_names(self) -> dict[int, list[str]]:
        return liaison_names(self.session)

    @cached_property
    def admins(self) -> data.Admins:
        return data.admins(self.session)

    @cached_property
    def unpaid(self) -> list[data.Unpaid]:
        return data.unpaid(self.session)

    @cached_property
    def wages_paid(self) -> dict[int, int]:
        return data.wages_paid(self.session)


@dataclass(frozen=True)
class Rule:
    name: str
    fn: Callable[[Moment], Iterable[Owed]]
    workdays_only: bool
    title: str


_RULES: dict[str, Rule] = {}


def rule(
    name: str, *, title: str, workdays_only: bool = True
) -> Callable[[Callable[[Moment], Iterable[Owed]]], Callable[[Moment], Iterable[Owed]]]:
    """Register a rule. Only overdue escalations run on rest days (workdays_only=False)."""

    def decorate(fn: Callable[[Moment], Iterable[Owed]]) -> Callable[[Moment], Iterable[Owed]]:
        _RULES[name] = Rule(name, fn, workdays_only, title)
        return fn

    return decorate


def rules() -> dict[str, Rule]:
    for module in RULE_MODULES:
        importlib.import_module(module)
    return dict(_RULES)


@dataclass
class RunResult:
    """What a run found owed, and which of it was new (queued now)."""

    owed: list[Owed] = field(default_factory=list)
    queued: list[Owed] = field(default_factory=list)
    skipped_rules: list[str] = field(default_factory=list)

    def by_rule(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for o in self.queued:
            counts[o.rule] = counts.get(o.rule, 0) + 1
        return counts


def collect(moment: Moment, only: Iterable[str] | None = None) -> RunResult:
    """Every rule's owed messages as of the moment (rest days: escalations only)."""
    result = RunResult()
    wanted = set(only) if only is not None else None
    for r in rules().values():
        if wanted is not None and r.name not in wanted:
            continue
        if r.workdays_only and not moment.workday:
            result.skipped_rules.append(r.name)
            continue
        result.owed.extend(r.fn(moment))
    return result


def run_rules(session: Session, now: datetime, *, only: Iterable[str] | None = None) -> RunResult:
    """Collect and queue. The caller commits (run) or rolls back (preview)."""
    moment = Moment(session, now)
    result = collect(moment, only)
    result.queued = emit(session, result.owed, now)
    return result


def emit(session: Session, owed: Iterable[Owed], now: datetime) -> list[Owed]:
    """Insert outbox rows for owed messages not queued before; returns the new ones."""
    unique: dict[str, Owed] = {}
    for o in owed:
        unique.setdefault(o.dedup_key, o)
    if not unique:
        return []
    known: set[str] = set()
    keys = list(unique)
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        known.update(
            session.scalars(
                select(OutboxMessage.dedup_key).where(OutboxMessage.dedup_key.in_(chunk))
            )
        )
    new = [o for k, o in unique.items() if k not in known]
    if not new:
        return []
    rows = [
        {
            "dedup_key": o.dedup_key,
            "recipient": o.recipient,
            "channel": "app",
            "msgtype": o.msgtype,
            "payload": o.body(),
            "rule": o.rule,
            "next_attempt_at": now,
        }
        for o in new
    ]
    session.execute(_insert_ignoring_duplicates(session), rows)
    session.flush()
    return new


def _insert_ignoring_duplicates(session: Session) -> Any:
    """INSERT … ON CONFLICT (dedup_key) DO NOTHING: another replica may have queued it."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return pg_insert(OutboxMessage).on_conflict_do_nothing(index_elements=["dedup_key"])
    if dialect == "sqlite":
        return sqlite_insert(OutboxMessage).on_conflict_do_nothing(index_elements=["dedup_key"])
    return insert(OutboxMessage)


def task_id(owed_key: str) -> str:
    """A template card's task_id: unique per card, only [A-Za-z0-9_-@], at most 128 bytes."""
    return "yg-" + hashlib.sha1(owed_key.encode()).hexdigest()[:32]


def digest_lines(lines: list[str], more_hint: str, limit: int = 20) -> list[str]:
    """At most `limit` lines, then a count of the rest and where to see them."""
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], f"……另有 {len(lines) - limit} 项，{more_hint}"]
