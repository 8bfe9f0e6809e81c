"""Worker complaint escalation: a 未收到 unresolved for 7 days goes to the county admins once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, timedelta

from sqlalchemy import select

from domain.owed import Owed
from models import ComplaintStatus, Escalation, WageComplaint, Worker
from models.wages import balances
from reminders.engine import Moment, digest_lines, rule
from reminders.escalation import record_escalations

RULE = "complaint_escalation"
DAYS = 7


def _paid(m: Moment, project_id: int, worker_id: int, period: str) -> bool:
    """The ledger now shows the month paid in full: the complaint needs no more escalation."""
    found = balances(m.session, project_ids=[project_id], worker_id=worker_id, period=period)
    return bool(found) and all(b.outstanding_fen <= 0 for b in found) and found[0].paid_fen > 0


@rule(RULE, title="欠薪反映上报", workdays_only=False)
def complaint_escalation(m: Moment) -> Iterator[Owed]:
    cutoff = (m.now - timedelta(days=DAYS)).astimezone(UTC)
    old = [
        (cid, pid)
        for cid, pid, wid, period in m.session.execute(
            select(
                WageComplaint.id,
                WageComplaint.project_id,
                WageComplaint.worker_id,
                WageComplaint.period,
            ).where(
                WageComplaint.status == ComplaintStatus.OPEN, WageComplaint.created_at <= cutoff
            )
        )
        if not _paid(m, pid, wid, period)
    ]
    done = set(
        m.session.execute(
            select(Escalation.project_id, Escalation.subject).where(Escalation.rule == RULE)
        ).all()
    )
    pairs = {(pid, f"F-{cid:06d}") for cid, pid in old}
    record_escalations(m.session, RULE, pairs - done, m.today)
    today_ids = [
        int(subject[2:])
        for subject in m.session.scalars(
            select(Escalation.subject).where(Escalation.rule == RULE, Escalation.day == m.today)
        )
    ]
    rows = m.session.execute(
        select(WageComplaint, Worker.name)
        .join(Worker, Worker.id == WageComplaint.worker_id)
        .where(WageComplaint.id.in_(today_ids), WageComplaint.status == ComplaintStatus.OPEN)
        .order_by(WageComplaint.id)
    ).all()
    per_admin: dict[str, list[str]] = defaultdict(list)
    for complaint, name in rows:
        p = m.projects[complaint.project_id]
        since = complaint.created_at.astimezone(m.now.tzinfo).date()
        line = f"· {complaint.number} {p.label}：{name} 反映 {complaint.period} 工资未收到（{since:%m-%d} 起）"
        for userid in m.admins.county(p):
            per_admin[userid].append(line)
    day = m.today.isoformat()
    for userid, lines in sorted(per_admin.items()):
        text = "\n".join(
            [
                f"【欠薪反映上报】以下工人反映的欠薪超过 {DAYS} 天仍未处理：",
                *digest_lines(lines, "请联系项目联系人了解全部情况。"),
                "请督促项目联系人核实并发放；工人也可拨打 12333 人社服务热线。",
            ]
        )
        yield Owed(RULE, userid, "digest", day, text)
