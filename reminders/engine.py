"""Rules and the one delivery path: owed messages become outbox rows, once each.

A rule is `fn(moment) -> Iterable[Owed]`: given the moment and the database (through the
moment's cached SQL aggregates), the messages owed. `run_rules` collects them and queues
them with `domain.owed.emit` (ON CONFLICT DO NOTHING on the dedup key), so a reminder is
queued once across reruns, restarts and replicas; the outbox drain sends it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from types import ModuleType

from sqlalchemy.orm import Session

from domain.owed import Owed, emit
from models import calendar_store
from models.calendar import is_workday
from models.people import liaison_names
from reminders import data

log = logging.getLogger(__name__)


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

    @cached_property
    def worked(self) -> set[int]:
        return data.worked(self.session)


@dataclass(frozen=True)
class Rule:
    name: str
    fn: Callable[[Moment], Iterable[Owed]]
    workdays_only: bool
    title: str


RuleFn = Callable[[Moment], Iterable[Owed]]


def rule(name: str, *, title: str, workdays_only: bool = True) -> Callable[[RuleFn], RuleFn]:
    """Declare a rule (listed in `reminders.catalog`). Only overdue escalations run on rest
    days (workdays_only=False)."""

    def decorate(fn: RuleFn) -> RuleFn:
        fn.rule = Rule(name, fn, workdays_only, title)  # type: ignore[attr-defined]
        return fn

    return decorate


def rules_of(*modules: ModuleType) -> dict[str, Rule]:
    """The rules a list of modules declares, in module order; a name used twice is an error."""
    found: dict[str, Rule] = {}
    for module in modules:
        for value in vars(module).values():
            r = getattr(value, "rule", None)
            if isinstance(r, Rule) and r.fn is value:
                if r.name in found and found[r.name] is not r:
                    raise ValueError(f"rule {r.name!r} declared twice")
                found[r.name] = r
    return found


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


def collect(
    moment: Moment, rules: Mapping[str, Rule], only: Iterable[str] | None = None
) -> RunResult:
    """Every rule's owed messages as of the moment (rest days: escalations only)."""
    result = RunResult()
    wanted = set(only) if only is not None else None
    for r in rules.values():
        if wanted is not None and r.name not in wanted:
            continue
        if r.workdays_only and not moment.workday:
            result.skipped_rules.append(r.name)
            continue
        result.owed.extend(r.fn(moment))
    return result


def run_rules(
    session: Session,
    now: datetime,
    rules: Mapping[str, Rule],
    *,
    only: Iterable[str] | None = None,
) -> RunResult:
    """Collect and queue `rules` (normally `reminders.catalog.RULES`). The caller commits
    (run) or rolls back (preview)."""
    calendar_store.sync(session)  # holidays another replica loaded
    moment = Moment(session, now)
    result = collect(moment, rules, only)
    result.queued = emit(session, result.owed, now)
    return result


def task_id(owed_key: str) -> str:
    """A template card's task_id: unique per card, only [A-Za-z0-9_-@], at most 128 bytes."""
    return "yg-" + hashlib.sha1(owed_key.encode()).hexdigest()[:32]


def digest_lines(lines: list[str], more_hint: str, limit: int = 20) -> list[str]:
    """At most `limit` lines, then a count of the rest and where to see them."""
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], f"……另有 {len(lines) - limit} 项，{more_hint}"]
