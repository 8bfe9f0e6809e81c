"""Calendar coverage: admins hear once when the next 60 days rest on projected holidays only."""

from __future__ import annotations

from collections.abc import Iterator

from domain.owed import Owed
from models.calendar import uncovered_days
from reminders.engine import Moment, rule

RULE = "calendar_coverage"
LOOKAHEAD = 60  # days; the same window `yigong doctor` checks


@rule(RULE, title="节假日数据缺失")
def calendar_coverage(m: Moment) -> Iterator[Owed]:
    """One message per admin and uncovered year: reminders use a projection until it is loaded."""
    gap = uncovered_days(m.today, LOOKAHEAD)
    if not gap:
        return
    year = gap[0].year
    text = "\n".join(
        [
            f"【节假日数据】{year}年放假调休安排尚未导入：{gap[0]:%Y-%m-%d} 起，"
            "工资到期日、季度报告截止日和提醒日期暂按法定节日推算（不含调休上班日），可能与官方安排不同。",
            "国务院办公厅通知发布后，请运维人员运行：yigong calendar import 通知.txt"
            "（通知正文，或“日期 休/班 名称”的表格），导入后所有副本自动生效。",
            f"在此之前，涉及 {year} 年日期的提醒会注明“按法定节日推算”。",
        ]
    )
    admins = sorted({u for users in m.admins.by_region.values() for u in users})
    for userid in admins:
        yield Owed(RULE, userid, str(year), "", text)
