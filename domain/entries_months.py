"""Month totals (按月合计) in the work ledger, checked against per-date entries.

A worker's month on one project is either one month-total row (work_date..end_date covers
the month) or per-date rows, never both; across projects the month's total days are capped by
the days of the month. Called from `entries.split_work`, so every work write gets these rules.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.entries import WORKER_CHUNK, WorkLine, WorkNet, _line_name, net_work, show_days
from models import Project, WorkRecord
from models.direct import flushed_connection, one_of

_MONTH_TOTALS = net_work(
    WorkRecord.period,
    one_of(WorkRecord.worker_id, "workers"),
    one_of(WorkRecord.period, "periods"),
    WorkRecord.end_date.is_not(None),
)


def month_totals(
    session: Session, lines: Sequence[WorkLine]
) -> dict[tuple[int, int, str], WorkNet]:
    """Month totals in the ledger (net of reversals) per (project, worker, period) of `lines`."""
    if not lines:
        return {}
    periods = sorted({x.period for x in lines})
    workers = sorted({x.worker_id for x in lines})
    conn = flushed_connection(session)
    out: dict[tuple[int, int, str], WorkNet] = {}
    for i in range(0, len(workers), WORKER_CHUNK):
        params = {"workers": workers[i : i + WORKER_CHUNK], "periods": periods}
        for p, code, w, period, days, wage in _MONTH_TOTALS.execute(conn, params):
            out[(p, w, period)] = WorkNet(str(code), Decimal(days), int(wage))
    return out


def dated_in_months(
    session: Session, workers: set[int], periods: set[str]
) -> dict[tuple[int, int, str], tuple[str, list[tuple[date, Decimal]]]]:
    """Per-date work (net) per (project, worker, period): (project code, [(date, days)])."""
    out: dict[tuple[int, int, str], tuple[str, list[tuple[date, Decimal]]]] = {}
    ws = sorted(workers)
    for i in range(0, len(ws), WORKER_CHUNK):
        stmt = (
            select(
                WorkRecord.project_id,
                Project.code,
                WorkRecord.worker_id,
                WorkRecord.period,
                WorkRecord.work_date,
                func.sum(WorkRecord.days),
            )
            .join(Project, Project.id == WorkRecord.project_id)
            .where(
                WorkRecord.worker_id.in_(ws[i : i + WORKER_CHUNK]),
                WorkRecord.period.in_(sorted(periods)),
                WorkRecord.end_date.is_(None),
            )
            .group_by(
                WorkRecord.project_id,
                Project.code,
                WorkRecord.worker_id,
                WorkRecord.period,
                WorkRecord.work_date,
            )
            .having(func.sum(WorkRecord.days) > 0)
            .order_by(WorkRecord.work_date)
        )
        for p, code, w, period, d, days in session.execute(stmt):
            out.setdefault((p, w, period), (str(code), []))[1].append((d, Decimal(days)))
    return out


def days_in_month(period: str) -> int:
    year, month = int(period[:4]), int(period[5:7])
    return calendar.monthrange(year, month)[1]


def _show_dates(dates: Sequence[date]) -> str:
    shown = "、".join(f"{d.month}月{d.day}日" for d in dates[:10])
    return shown + (f"等{len(dates)}天" if len(dates) > 10 else "")


def split_months(
    session: Session,
    months: Sequence[WorkLine],
    dated: list[WorkLine],
    totals: dict[tuple[int, int, str], WorkNet],
    new: list[WorkLine],
    same: list[WorkLine],
    problems: list[tuple[str, str]],
) -> None:
    """Check month totals, and per-date lines against month totals; fills the three lists.

    A worker's month on one project is either a month total or per-date lines, never both
    (that would count the days twice); across projects, month totals plus per-date days may
    not exceed the days of the month. Refused per-date lines are removed from `dated`.
    """
    workers = {x.worker_id for x in months} | {w for (_, w, _) in totals}
    periods = {x.period for x in months} | {period for (_, _, period) in totals}
    dated_db = dated_in_months(session, workers, periods) if workers else {}
    batch_dated: dict[tuple[int, int, str], list[WorkLine]] = {}
    for x in dated:
        batch_dated.setdefault((x.project.id, x.worker_id, x.period), []).append(x)
    seen: dict[tuple[int, int, str], str] = {}
    month_new: dict[tuple[int, str], list[tuple[str, Decimal]]] = {}
    for x in months:
        key = (x.project.id, x.worker_id, x.period)
        cap = days_in_month(x.period)
        if key in seen:
            problems.append((x.where, f"与{seen[key]}重复：同一人同一月在同一项目只能记一个合计"))
            continue
        seen[key] = x.where
        if x.days > cap:
            problems.append((x.where, f"{x.period} 只有 {cap} 天，不能记 {show_days(x.days)}天"))
            continue
        old = totals.get(key)
        if old is not None:
            if (old.days, old.daily_wage_fen) == (x.days, x.daily_wage_fen):
                same.append(x)
            else:
                problems.append(
                    (
                        x.where,
                        f"{x.period} 已按月记过 {show_days(old.days)}天，重复记工不予登记；如需更正请先冲正",
                    )
                )
            continue
        mine = dated_db.get(key)
        if mine is not None:
            dates = [d for d, _ in mine[1]]
            days = sum((v for _, v in mine[1]), Decimal(0))
            problems.append(
                (
                    x.where,
                    f"此人 {x.period} 在本项目已按日期记了 {show_days(days)}天（{_show_dates(dates)}），"
                    "按月合计与按日期记只能选一种，否则会重复计算。请只补记其余日期，"
                    "或先冲正这些按日期的记录再按月记",
                )
            )
            continue
        if key in batch_dated:
            problems.append(
                (x.where, "本批中还有此人本月按日期记的行，按月合计与按日期记只能选一种")
            )
            continue
        others: list[tuple[str, Decimal]] = []
        for (p, w, period), net in totals.items():
            if w == x.worker_id and period == x.period and p != x.project.id:
                others.append((f"项目 {net.code} 按月记", net.days))
        for (p, w, period), (code, rows) in dated_db.items():
            if w == x.worker_id and period == x.period and p != x.project.id:
                others.append((f"项目 {code} 按日期记", sum((v for _, v in rows), Decimal(0))))
        others += month_new.get((x.worker_id, x.period), [])
        total = sum((v for _, v in others), x.days)
        if total > cap:
            told = "，".join(f"{what} {show_days(v)}天" for what, v in others)
            problems.append(
                (
                    x.where,
                    f"此人 {x.period} {told}，再记 {show_days(x.days)}天 共 {show_days(total)}天，"
                    f"超过当月 {cap} 天（一人一天最多记1天，各项目合计）",
                )
            )
            continue
        month_new.setdefault((x.worker_id, x.period), []).append(
            (f"{_line_name(x.where)}记", x.days)
        )
        new.append(x)
    # Per-date lines for a month that already has a month total.
    refused: set[int] = set()
    used: dict[tuple[int, str], Decimal] = {}
    for x in dated:
        elsewhere = Decimal(0)
        for (p, w, period), net in totals.items():
            if w != x.worker_id or period != x.period:
                continue
            elsewhere += net.days
            if p == x.project.id:
                problems.append(
                    (
                        x.where,
                        f"此人 {x.period} 在本项目已按月合计记了 {show_days(net.days)}天，"
                        "不能再按日期记（会重复计算）；如需改为按日期记，请先冲正按月记录",
                    )
                )
                refused.add(id(x))
                break
        if not elsewhere or id(x) in refused:
            continue
        wkey = (x.worker_id, x.period)
        if wkey not in used:
            used[wkey] = elsewhere + sum(
                (
                    v
                    for (_, w, period), (_, rows) in dated_db.items()
                    if w == x.worker_id and period == x.period
                    for _, v in rows
                ),
                Decimal(0),
            )
        cap = days_in_month(x.period)
        if used[wkey] + x.days > cap:
            problems.append(
                (
                    x.where,
                    f"此人 {x.period} 在其他项目按月记了 {show_days(elsewhere)}天，"
                    f"连同按日期记的共 {show_days(used[wkey] + x.days)}天，超过当月 {cap} 天",
                )
            )
            refused.add(id(x))
            continue
        used[wkey] += x.days
    if refused:
        dated[:] = [x for x in dated if id(x) not in refused]
