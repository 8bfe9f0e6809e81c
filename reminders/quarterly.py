"""Quarterly dispatch (季度调度): open on the 20th, due before the deadline, missing after it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.owed import Owed
from models import ProjectStatus, QuarterlyReport
from models.calendar import (
    add_workdays,
    projected_note,
    quarter_bounds,
    quarter_deadline,
    quarter_of,
    quarter_open_day,
    shift_quarter,
)
from models.wages import labour_share
from reminders import chart
from reminders.data import ProjectInfo, format_share
from reminders.engine import Moment, digest_lines, rule
from reminders.labour_share import below_floor

DUE_WINDOW = 3  # working days before the deadline, so that a holiday does not swallow it
MISSING_WINDOW = 5  # working days after the first chance in which a missed summary is caught up


def dispatch_quarter(today: date) -> str:
    """The quarter being dispatched: this one from its open day (the 20th), else the last one."""
    q = quarter_of(today)
    return q if today >= quarter_open_day(q) else shift_quarter(q, -1)


def missing_day(quarter: str) -> date:
    """The working day after the deadline, when county admins get the summary."""
    return add_workdays(quarter_deadline(quarter), 1)


def submitted(session: Session, quarter: str) -> set[int]:
    return set(
        session.scalars(
            select(QuarterlyReport.project_id).where(QuarterlyReport.quarter == quarter).distinct()
        )
    )


def in_quarter(status: str, start: date | None, completed_on: date | None, quarter: str) -> bool:
    """Was the project under construction at any time in the quarter (so owes its report)?

    In progress or suspended now and begun by the quarter's end, or completed (or accepted)
    on a day inside or after the quarter. Planned projects owe nothing yet.
    """
    first, last = quarter_bounds(quarter)
    if status == ProjectStatus.PLANNED or (start is not None and start > last):
        return False
    if status in (ProjectStatus.COMPLETED, ProjectStatus.ACCEPTED):
        return completed_on is not None and completed_on >= first
    return True


def _active(m: Moment, quarter: str | None = None) -> list[ProjectInfo]:
    """Projects that owe the quarter's report (default: the quarter being dispatched)."""
    q = quarter or dispatch_quarter(m.today)
    return sorted(
        (p for p in m.projects.values() if in_quarter(p.status, p.start_date, p.completed_on, q)),
        key=lambda p: p.code,
    )


def _per_liaison(m: Moment, projects: list[ProjectInfo]) -> dict[str, list[ProjectInfo]]:
    out: dict[str, list[ProjectInfo]] = defaultdict(list)
    for p in projects:
        for userid in m.liaisons.get(p.id, []):
            out[userid].append(p)
    return out


def _example(p: ProjectInfo) -> str:
    return f"季度报告 项目：{p.code} 进度：60% 完成投资：120万元 资金到位：200万元 资金支出：150万元 问题：无"


@rule("quarterly_open", title="季度调度开始")
def quarterly_open(m: Moment) -> Iterator[Owed]:
    q = dispatch_quarter(m.today)
    if not quarter_open_day(q) <= m.today <= quarter_deadline(q):
        return
    for userid, projects in sorted(_per_liaison(m, _active(m)).items()):
        text = "\n".join(
            [
                f"【季度调度】{q} 季度调度已开始，请在 {quarter_deadline(q):%Y-%m-%d} 前报送以下在建项目的进度：",
                *digest_lines([f"· {p.label}" for p in projects], "请逐个报送。"),
                "台账数据（本季度和累计的务工人数及其中脱贫人口、监测对象，工日，已发工资，人均劳务报酬，"
                "劳务报酬占比，培训，岗位）由系统自动填入；完成投资、财政资金到位和支出请一并填报（累计金额）。",
                f"发送：{_example(projects[0])}",
                *filter(None, [projected_note(quarter_deadline(q))]),
            ]
        )
        yield Owed("quarterly_open", userid, q, "", text)


@rule("quarterly_due", title="季度调度催报")
def quarterly_due(m: Moment) -> Iterator[Owed]:
    q = dispatch_quarter(m.today)
    deadline = quarter_deadline(q)
    if m.today == deadline:
        phase, when = "deadline", "今天是截止日"
    elif add_workdays(deadline, -DUE_WINDOW) <= m.today < deadline:
        phase, when = "before", f"将于 {deadline:%Y-%m-%d} 截止"
    else:
        return
    done = submitted(m.session, q)
    missing = [p for p in _active(m) if p.id not in done]
    for userid, projects in sorted(_per_liaison(m, missing).items()):
        text = "\n".join(
            [
                f"【季度调度催报】{q} 季度报告{when}，以下项目尚未报送：",
                *digest_lines([f"· {p.label}" for p in projects], "请逐个报送。"),
                f"发送：{_example(projects[0])}",
                *filter(None, [projected_note(deadline)]),
            ]
        )
        yield Owed("quarterly_due", userid, q, phase, text)


@rule("quarterly_missing", title="季度调度未报汇总")
def quarterly_missing(m: Moment) -> Iterator[Owed]:
    """County admins, on the working day after the deadline (caught up for 5 working days)."""
    q = dispatch_quarter(m.today)
    first = missing_day(q)
    if not first <= m.today <= add_workdays(first, MISSING_WINDOW):
        return
    done = submitted(m.session, q)
    by_county: dict[tuple[str, str, str], list[ProjectInfo]] = defaultdict(list)
    for p in _active(m):
        by_county[(p.province, p.city, p.county)].append(p)
    for region, projects in sorted(by_county.items()):
        admins = m.admins.by_region.get(region, []) if region[2] else []
        if not admins:
            continue
        yield from _county_summary(m, q, region[2], projects, done, admins)


def _county_summary(
    m: Moment,
    q: str,
    county: str,
    projects: list[ProjectInfo],
    done: set[int],
    admins: list[str],
) -> Iterator[Owed]:
    missing = [p for p in projects if p.id not in done]
    low = below_floor(m.projects, m.wages_paid, [p.id for p in projects], m.worked)
    lines = [
        f"【季度调度汇总】{county} {q}：在建项目 {len(projects)} 个，已报 {len(projects) - len(missing)} 个，未报 {len(missing)} 个。"
    ]
    if missing:
        lines.append("未报送：")
        lines += digest_lines(
            [
                f"· {p.label}（联系人：{'、'.join(m.liaison_names.get(p.id, [])) or '未指定'}）"
                for p in missing
            ],
            "发送“季度调度”查看全部。",
        )
    if low:
        lines.append("劳务报酬占比低于最低要求：")
        lines += digest_lines(
            [f"· {p.label}：{format_share(s)}（要求 {format_share(p.floor)}）" for p, s in low],
            "见附图。",
        )
    lines.append(
        "请督促未报项目的联系人尽快发送“季度报告”；附图为各项目劳务报酬占财政资金比例（黑线为最低要求）。"
        f"发送“季度汇总 {q}”查看本地区合计、农推劳务报酬占比，并获取填报国家系统用的 Excel。"
    )
    text = "\n".join(lines)
    bars = [
        chart.Bar(p.code, labour_share(m.wages_paid.get(p.id, 0), p.fiscal_funds_fen), p.floor)
        for p in projects
    ]
    image = chart.chart_payload(q, bars, f"labour_share_{q}.png")
    for userid in admins:
        yield Owed("quarterly_missing", userid, q, "", text)
        yield Owed("quarterly_missing", userid, q, "chart", "", msgtype="image", payload=image)
