"""What the national 以工代赈 dispatch asks per project and quarter, from the ledgers.

Each figure is given for the quarter (entries dated in [quarter start, cutoff]) and
cumulatively (everything dated up to the cutoff). Entries count by the date they are
about: work by work date, wages by the day paid, trainings by their date, posts by their
start. A reversal copies the date of the entry it cancels, so both fall in the same window.
The field list and why: docs/LEDGERS.md "季度调度字段".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from domain.figures import net_count
from models import PriorityGroup, Project, PublicPost, Training, WagePayment, Worker, WorkRecord
from models.money import format_fen
from models.people import in_group
from models.wages import labour_share

# Priority groups the dispatch counts among the workers (其中 …).
COUNTED_GROUPS = {
    "poverty_workers": PriorityGroup.POVERTY_ALLEVIATED,
    "monitored_workers": PriorityGroup.MONITORED,
    "relocated_workers": PriorityGroup.RELOCATED,
    "returned_workers": PriorityGroup.RETURNED,
    "low_income_workers": PriorityGroup.LOW_INCOME,
}
# Entered by the liaison (the ledgers cannot know them): cumulative yuan, stored in fen.
ENTERED = {
    "investment_fen": ("完成投资", ("完成投资", "累计完成投资", "已完成投资", "投资完成")),
    "funds_arrived_fen": ("财政资金到位", ("资金到位", "财政资金到位", "到位资金", "到位")),
    "funds_spent_fen": ("财政资金支出", ("资金支出", "财政资金支出", "已支出", "支出", "支付")),
}


def window_many(
    session: Session, project_ids: list[int], start: date | None, cutoff: date
) -> dict[int, dict[str, Any]]:
    """Ledger figures of entries dated in [start, cutoff] (start None: from the beginning),
    for many projects in four grouped queries (a province's roll-up stays a few queries)."""

    def window(col: Any) -> list[Any]:
        return [col <= cutoff] + ([col >= start] if start is not None else [])

    out: dict[int, dict[str, Any]] = {
        pid: {"workers": 0, "days": "0", "wages_due_fen": 0, "wages_paid_fen": 0,
              "pay_per_worker_fen": 0, "trainings": 0, **dict.fromkeys(COUNTED_GROUPS, 0)}
        for pid in project_ids
    }  # fmt: skip
    if not project_ids:
        return out
    for i in range(0, len(project_ids), 500):
        chunk = project_ids[i : i + 500]
        per_worker = (
            select(
                WorkRecord.project_id,
                WorkRecord.worker_id,
                func.sum(WorkRecord.days).label("days"),
                func.sum(WorkRecord.due_fen).label("due"),
            )
            .where(WorkRecord.project_id.in_(chunk), *window(WorkRecord.work_date))
            .group_by(WorkRecord.project_id, WorkRecord.worker_id)
            .having(func.sum(WorkRecord.days) > 0)
            .subquery()
        )
        counts = [
            func.sum(case((in_group(Worker.priority_group, g), 1), else_=0)).label(k)
            for k, g in COUNTED_GROUPS.items()
        ]
        rows = session.execute(
            select(
                per_worker.c.project_id,
                func.count().label("workers"),
                func.sum(per_worker.c.days).label("days"),
                func.sum(per_worker.c.due).label("due"),
                *counts,
            )
            .join(Worker, Worker.id == per_worker.c.worker_id)
            .group_by(per_worker.c.project_id)
        )
        for row in rows:
            f = out[int(row.project_id)]
            f.update(
                workers=int(row.workers or 0),
                days=str(row.days or 0),
                wages_due_fen=int(row.due or 0),
                **{k: int(getattr(row, k) or 0) for k in COUNTED_GROUPS},
            )
        paid = session.execute(
            select(WagePayment.project_id, func.sum(WagePayment.amount_fen))
            .where(WagePayment.project_id.in_(chunk), *window(WagePayment.paid_on))
            .group_by(WagePayment.project_id)
        )
        for pid, total in paid:
            out[int(pid)]["wages_paid_fen"] = int(total or 0)
        trained = session.execute(
            select(Training.project_id, net_count(Training))
            .where(Training.project_id.in_(chunk), *window(Training.train_date))
            .group_by(Training.project_id)
        )
        for pid, n in trained:
            out[int(pid)]["trainings"] = int(n or 0)
    for f in out.values():
        f["pay_per_worker_fen"] = f["wages_paid_fen"] // f["workers"] if f["workers"] else 0
    return out


def window_figures(
    session: Session, project: Project, start: date | None, cutoff: date
) -> dict[str, Any]:
    """One project's figures of entries dated in [start, cutoff]."""
    return window_many(session, [project.id], start, cutoff)[project.id]


def report_figures_many(
    session: Session, projects: list[Project], quarter_start: date, cutoff: date
) -> dict[int, dict[str, Any]]:
    """Cumulative figures at the top level (as reports always stored them), the quarter's
    under "quarter"; eight grouped queries however many projects."""
    ids = [p.id for p in projects]
    total = window_many(session, ids, None, cutoff)
    quarter = window_many(session, ids, quarter_start, cutoff)
    posts: dict[int, int] = {}
    for i in range(0, len(ids), 500):
        posts.update(
            (int(pid), int(n or 0))
            for pid, n in session.execute(
                select(PublicPost.project_id, net_count(PublicPost))
                .where(PublicPost.project_id.in_(ids[i : i + 500]), PublicPost.start_date <= cutoff)
                .group_by(PublicPost.project_id)
            )
        )
    out = {}
    for p in projects:
        t = total[p.id]
        # nothing paid by the cutoff is a 0% share (and below any floor), not "no figure"
        share = labour_share(t["wages_paid_fen"], int(p.fiscal_funds_fen or 0))
        out[p.id] = {
            "as_of": f"{cutoff:%Y-%m-%d}",
            "since": f"{quarter_start:%Y-%m-%d}",
            **t,
            "labour_share": None if share is None else f"{share:.4f}",
            "posts": posts.get(p.id, 0),
            "quarter": quarter[p.id],
        }
    return out


def report_figures(
    session: Session, project: Project, quarter_start: date, cutoff: date
) -> dict[str, Any]:
    """One project's report figures (see report_figures_many)."""
    return report_figures_many(session, [project], quarter_start, cutoff)[project.id]


def _groups_text(f: dict[str, Any]) -> str:
    return f"脱贫人口 {f.get('poverty_workers', 0)} 人、监测对象 {f.get('monitored_workers', 0)} 人"


def figures_text(f: dict[str, Any]) -> str:
    """The cumulative line of a report reply."""
    share = f.get("labour_share")
    share_text = "—" if share is None else f"{float(share) * 100:.1f}%"
    return (
        f"务工 {f['workers']} 人（{_groups_text(f)}），工日 {f['days']}，"
        f"已发劳务报酬 {format_fen(int(f['wages_paid_fen']))}（占财政资金 {share_text}），"
        f"人均 {format_fen(int(f.get('pay_per_worker_fen', 0)))}，"
        f"培训 {f['trainings']} 人次，公益性岗位 {f['posts']} 个"
    )


def quarter_text(f: dict[str, Any]) -> str:
    q = f.get("quarter") or {}
    if not q:
        return ""
    return (
        f"务工 {q['workers']} 人（{_groups_text(q)}），工日 {q['days']}，"
        f"已发劳务报酬 {format_fen(int(q['wages_paid_fen']))}，"
        f"人均 {format_fen(int(q['pay_per_worker_fen']))}，培训 {q['trainings']} 人次"
    )


def entered_text(entered: dict[str, int | None]) -> str:
    parts = [
        f"{label} {format_fen(v) if (v := entered.get(k)) is not None else '未填'}"
        for k, (label, _) in ENTERED.items()
    ]
    return "，".join(parts)


def to_wan(fen: int | None) -> Decimal | None:
    """Fen as 万元 (the national system's unit), exact to the yuan."""
    return None if fen is None else (Decimal(fen) / Decimal(1_000_000)).quantize(Decimal("0.0001"))
