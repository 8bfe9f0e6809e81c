"""Wages due soon: liaisons are told 3 days before a due date that still has unpaid wages."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from domain.owed import Owed
from models.calendar import add_workdays, projected_note
from models.money import format_fen
from reminders.engine import Moment, digest_lines, rule

WINDOW_DAYS = 3  # working days before the due date, so that a holiday does not swallow it


@rule("wages_due_soon", title="工资即将到期")
def wages_due_soon(m: Moment) -> Iterator[Owed]:
    """One message per liaison and due date; sent on the first working day of the window."""
    today = m.today
    # (liaison, due date) → lines
    lines: dict[tuple[str, date], list[str]] = defaultdict(list)
    for u in m.unpaid:
        due = u.due
        if not add_workdays(due, -WINDOW_DAYS) <= today <= due:
            continue
        p = m.projects[u.project_id]
        line = (
            f"· {p.label}：{u.period} 工资 {u.workers} 人未发足，共 {format_fen(u.outstanding_fen)}"
        )
        for userid in m.liaisons.get(u.project_id, []):
            lines[(userid, due)].append(line)
    for (userid, due), items in sorted(lines.items()):
        when = "今天" if due == today else f"{(due - today).days} 天后"
        text = "\n".join(
            [
                f"【工资即将到期】以下劳务报酬应于 {due:%Y-%m-%d}（{when}）前发放：",
                *digest_lines(items, "发送“欠薪”查看全部。"),
                "请按时足额发放到工人本人账户，发放后发送“发放 项目：… 期间：…”登记。",
                *filter(None, [projected_note(due)]),
            ]
        )
        yield Owed("wages_due_soon", userid, due.isoformat(), "", text)
