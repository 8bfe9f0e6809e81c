"""Stale ledger: an in-progress project with no work entry for 14 days; weekly to its liaisons."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import and_, exists, func, or_, select

from domain.owed import Owed
from models import Project, ProjectStatus, WorkRecord
from models.calendar import period_of
from reminders.engine import Moment, digest_lines, rule

STALE_DAYS = 14
RULE = "stale_ledger"


@rule(RULE, title="台账长期未更新")
def stale_ledger(m: Moment) -> Iterator[Owed]:
    """Sent on the first working day of each ISO week that finds the project stale."""
    cutoff = m.today - timedelta(days=STALE_DAYS)
    periods = sorted({period_of(cutoff), period_of(m.today)})
    # NOT EXISTS per project rides the (project_id, period) index: no full ledger scan.
    recent = exists().where(
        WorkRecord.project_id == Project.id,
        WorkRecord.period.in_(periods),
        WorkRecord.work_date > cutoff,
    )
    stale = list(
        m.session.scalars(
            select(Project.id).where(
                Project.status == ProjectStatus.IN_PROGRESS,
                or_(Project.start_date.is_(None), Project.start_date <= cutoff),
                and_(~recent),
            )
        )
    )
    if not stale:
        return
    last = dict(
        m.session.execute(
            select(WorkRecord.project_id, func.max(WorkRecord.work_date))
            .where(WorkRecord.project_id.in_(stale))
            .group_by(WorkRecord.project_id)
        ).all()
    )
    per_liaison: dict[str, list[str]] = defaultdict(list)
    for pid in sorted(stale, key=lambda i: m.projects[i].code):
        p = m.projects[pid]
        seen = last.get(pid)
        since = f"最近一条记工是 {seen:%Y-%m-%d}" if seen else "还没有任何记工"
        for userid in m.liaisons.get(pid, []):
            per_liaison[userid].append(f"· {p.label}：{since}")
    year, week, _ = m.today.isocalendar()
    for userid, lines in sorted(per_liaison.items()):
        text = "\n".join(
            [
                f"【台账提醒】以下在建项目已超过 {STALE_DAYS} 天没有记工：",
                *digest_lines(lines, "发送“查询 项目：编号”查看。"),
                "如仍在施工，请及时补记：记工 项目：编号 日期：… 日薪：…；"
                "如暂时停工（如冬季），请发送“停工 项目：编号 原因：冬季停工”，停工期间不再提醒，"
                "复工时发送“复工 项目：编号”；确已全部完工才发送“完工 项目：编号”。",
            ]
        )
        yield Owed(RULE, userid, "digest", f"{year}-W{week:02d}", text)
