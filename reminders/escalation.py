"""Overdue escalation: county admins after 3 days overdue, city admins after 15, once each.

Days overdue are calendar days past the due date (the due date is already a working day),
so an escalation is not postponed by holidays, and escalations run on rest days too. Each
(project, period, level) is escalated once — recorded in `reminder_escalations` — and from
the next working day on it appears in the admin's daily digest instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from domain.owed import Owed
from models import Escalation
from models.money import format_fen
from reminders.data import Admins, ProjectInfo
from reminders.engine import Moment, digest_lines, rule
from reminders.wages_overdue import late_projects


@dataclass(frozen=True)
class Level:
    rule: str
    days: int
    label: str

    def recipients(self, admins: Admins, p: ProjectInfo) -> list[str]:
        return admins.county(p) if self.rule == COUNTY.rule else admins.city(p)


COUNTY = Level("escalate_county", 3, "县级")
CITY = Level("escalate_city", 15, "市级")
DIGEST = "overdue_admin_digest"


def record_escalations(session: Session, rule_name: str, pairs: set[tuple[int, str]], day) -> None:  # type: ignore[no-untyped-def]
    """Insert escalations not made before; a concurrent replica's insert wins quietly."""
    if not pairs:
        return
    rows = [
        {"rule": rule_name, "project_id": p, "subject": s, "day": day} for p, s in sorted(pairs)
    ]
    dialect = session.get_bind().dialect.name
    stmt: object
    if dialect == "postgresql":
        stmt = pg_insert(Escalation).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite_insert(Escalation).on_conflict_do_nothing()
    else:
        stmt = insert(Escalation)
    session.execute(stmt, rows)


def _escalate(m: Moment, level: Level) -> Iterator[Owed]:
    due_pairs = {(u.project_id, u.period) for u in m.unpaid if (m.today - u.due).days >= level.days}
    done = set(
        m.session.execute(
            select(Escalation.project_id, Escalation.subject).where(Escalation.rule == level.rule)
        ).all()
    )
    record_escalations(m.session, level.rule, due_pairs - done, m.today)
    today_pids = set(
        m.session.scalars(
            select(Escalation.project_id).where(
                Escalation.rule == level.rule, Escalation.day == m.today
            )
        )
    )
    late = late_projects(m)
    per_admin: dict[str, list[str]] = defaultdict(list)
    for pid in sorted(today_pids, key=lambda i: m.projects[i].code):
        p, item = m.projects[pid], late.get(pid)
        if item is None:  # paid meanwhile
            continue
        line = f"· {p.label}：{item.workers} 人次 {format_fen(item.outstanding_fen)}，逾期 {item.days_late} 天"
        for userid in level.recipients(m.admins, p):
            per_admin[userid].append(line)
    day = m.today.isoformat()
    for userid, lines in sorted(per_admin.items()):
        text = "\n".join(
            [
                f"【欠薪上报·{level.label}】以下项目劳务报酬逾期超过 {level.days} 天仍未发足：",
                *digest_lines(lines, "发送“欠薪”查看全部。"),
                "已同时提醒项目联系人。请督促施工单位足额发放，并可拨打 12333 人社服务热线核实处理。",
            ]
        )
        yield Owed(level.rule, userid, "digest", day, text)


@rule(COUNTY.rule, title="欠薪上报县级", workdays_only=False)
def escalate_county(m: Moment) -> Iterator[Owed]:
    yield from _escalate(m, COUNTY)


@rule(CITY.rule, title="欠薪上报市级", workdays_only=False)
def escalate_city(m: Moment) -> Iterator[Owed]:
    yield from _escalate(m, CITY)


@rule(DIGEST, title="管理员欠薪日报")
def admin_digest(m: Moment) -> Iterator[Owed]:
    """Working days: every escalated project still overdue, escalated before today."""
    late = late_projects(m)
    if not late:
        return
    rows = m.session.execute(
        select(Escalation.rule, Escalation.project_id)
        .where(Escalation.day < m.today, Escalation.rule.in_([COUNTY.rule, CITY.rule]))
        .distinct()
    ).all()
    per_admin: dict[str, set[int]] = defaultdict(set)
    for rule_name, pid in rows:
        if pid not in late:
            continue
        level = COUNTY if rule_name == COUNTY.rule else CITY
        for userid in level.recipients(m.admins, m.projects[pid]):
            per_admin[userid].add(pid)
    day = m.today.isoformat()
    for userid, pids in sorted(per_admin.items()):
        items = sorted((late[p] for p in pids), key=lambda x: (-x.days_late, x.code))
        total = sum(x.outstanding_fen for x in items)
        lines = [
            f"· {x.label}：{x.workers} 人次 {format_fen(x.outstanding_fen)}，逾期 {x.days_late} 天"
            for x in items
        ]
        text = "\n".join(
            [
                f"【欠薪日报】{day} 辖区内 {len(items)} 个已上报项目仍有逾期劳务报酬，共 {format_fen(total)}：",
                *digest_lines(lines, "发送“欠薪”查看全部。"),
                "请督促发放；工人可拨打 12333 人社服务热线反映。",
            ]
        )
        yield Owed(DIGEST, userid, "digest", day, text)
