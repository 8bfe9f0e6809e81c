"""公示 ended: tell the project's liaisons (and whoever made the notice) once it is over."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import select

from domain.owed import Owed
from models import PayrollNotice
from reminders.engine import Moment, rule

RULE = "notice_end"
LOOK_BACK_DAYS = 10  # a tick missed over a long holiday still sends it


@rule(RULE, title="公示期满")
def notice_end(m: Moment) -> Iterator[Owed]:
    stmt = select(PayrollNotice).where(
        PayrollNotice.ends_on < m.today,
        PayrollNotice.ends_on >= m.today - timedelta(days=LOOK_BACK_DAYS),
    )
    for n in m.session.scalars(stmt):
        p = m.projects.get(n.project_id)
        if p is None:
            continue
        text = (
            f"【公示期满】{p.label} {n.period} 劳务报酬公示（{n.workers}人）已于 {n.ends_on:%Y-%m-%d} 期满。\n"
            "如无异议，可按工资表登记发放：发放 按工资表 项目：{code} 期间：{period} 日期：… 方式：银行代发；"
            "如有异议，请核实后冲正更正台账，必要时重新公示。"
        ).format(code=p.code, period=n.period)
        for userid in sorted({*m.liaisons.get(n.project_id, []), n.created_by}):
            yield Owed(RULE, userid, f"notice:{n.id}", n.period, text)
