"""县域总览 (admins): every project of the region with its status, labour share against the
floor, owed / paid / overdue, the quarterly report in or missing, a chart; each figure links
to the rows behind it; exports of the same kinds and columns as `yigong export`.

A handful of aggregate queries for the whole region, whatever its size.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.errors import UserError
from domain.access import project_ids_in_scope, require_project
from handlers.tabular.exporter import export_kind
from models import (
    STATUS_LABELS,
    Project,
    ProjectWorker,
    QuarterlyReport,
    Role,
    WagePayment,
    Worker,
    WorkRecord,
)
from models.calendar import quarter_of, shift_quarter
from models.money import format_fen
from models.wages import balances, balances_stmt, labour_share, overdue_filter
from web.core import TEMPLATES, PageError, database, handler_context, render, require_role, viewer

router = APIRouter()

EXPORT_KINDS = {
    "work": "务工台账",
    "wages": "发放台账",
    "training": "培训台账",
    "workers": "人员名单",
}
ROWS_SHOWN = 500
# The region's overdue figure groups every (project, worker, month) of its ledgers: about a
# second on SQLite for 200 projects. Admins share one computation a minute per region.
CACHE_SECONDS = 60


@dataclass
class Line:
    project: Project
    workers: int
    owed: int
    paid: int
    overdue: int
    overdue_workers: int
    reported: bool

    @property
    def share(self) -> Decimal | None:
        return labour_share(self.paid, self.project.fiscal_funds_fen)

    @property
    def floor(self) -> Decimal | None:
        return self.project.labour_floor

    @property
    def below(self) -> bool:
        return self.floor is not None and self.share is not None and self.share < self.floor

    @property
    def unpaid(self) -> int:
        return max(self.owed - self.paid, 0)


def county_lines(db: Session, scope_ids: Any, today: date, quarter: str) -> list[Line]:
    """One line per project of `scope_ids` (a SELECT of ids), from six aggregate queries."""
    ids = scope_ids

    def per_project(column: Any, value: Any) -> dict[int, int]:
        stmt = select(column, value).where(column.in_(ids)).group_by(column)
        return {int(p): int(n or 0) for p, n in db.execute(stmt)}

    projects = list(db.scalars(select(Project).where(Project.id.in_(ids)).order_by(Project.code)))
    owed = per_project(WorkRecord.project_id, func.sum(WorkRecord.due_fen))
    paid = per_project(WagePayment.project_id, func.sum(WagePayment.amount_fen))
    workers = per_project(ProjectWorker.project_id, func.count())
    b = balances_stmt(project_ids=ids).subquery("b")
    late_cond = overdue_filter(
        db,
        today,
        owed=b.c.owed,
        paid=b.c.paid,
        period=b.c.period,
        pay_day=b.c.pay_day,
    )
    late = {
        int(p): (int(fen or 0), int(n or 0))
        for p, fen, n in db.execute(
            select(
                b.c.project_id,
                func.sum(b.c.owed - b.c.paid),
                func.count(func.distinct(b.c.worker_id)),
            )
            .where(late_cond)
            .group_by(b.c.project_id)
        )
    }
    reported = set(
        db.scalars(
            select(QuarterlyReport.project_id)
            .where(QuarterlyReport.quarter == quarter, QuarterlyReport.project_id.in_(ids))
            .distinct()
        )
    )
    return [
        Line(
            p,
            int(workers.get(p.id, 0)),
            int(owed.get(p.id) or 0),
            int(paid.get(p.id) or 0),
            *late.get(p.id, (0, 0)),
            p.id in reported,
        )  # fmt: skip
        for p in projects
    ]


def chart_svg(lines: list[Line]) -> str:
    """Labour share of each project against its floor, as inline SVG (no image to load)."""
    shown = [x for x in lines if x.share is not None][:60]
    if not shown:
        return ""
    top = max([Decimal("0.3"), *(x.share for x in shown if x.share is not None)])
    top = min(top, Decimal(1))
    bar, gap, left, width = 14, 4, 84, 220
    height = len(shown) * (bar + gap) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {left + width + 48} {height}" '
        f'width="100%" role="img" aria-label="各项目劳务报酬占比">'
    ]
    for i, x in enumerate(shown):
        y = i * (bar + gap) + 4
        share = min(x.share or Decimal(0), top)
        w = int(width * share / top)
        color = "#d9534f" if x.below else "#2e7d32"
        parts.append(
            f'<a href="#p-{x.project.code}"><text x="0" y="{y + 11}" font-size="9">{x.project.code[-14:]}</text>'
            f'<rect x="{left}" y="{y}" width="{max(w, 1)}" height="{bar}" fill="{color}"/>'
            f'<text x="{left + w + 4}" y="{y + 11}" font-size="11">{x.share:.1%}</text></a>'
        )
        if x.floor is not None:
            fx = left + int(width * min(x.floor, top) / top)
            parts.append(
                f'<line x1="{fx}" x2="{fx}" y1="{y - 1}" y2="{y + bar + 1}" stroke="#333" stroke-dasharray="2"/>'
            )
    parts.append(
        f'<text x="{left}" y="{height - 4}" font-size="10">虚线：最低占比；红色：未达到</text></svg>'
    )
    return "".join(parts)


@router.get("/county")
def county(request: Request) -> Response:
    with database(request) as db:
        v = viewer(request, db)
        require_role(v, Role.ADMIN, what="县域总览")
        ctx = handler_context(request, db, v)
        quarter = shift_quarter(quarter_of(ctx.today), -1)
        assert ctx.services is not None  # pages always run inside the app
        cache = ctx.services.page_cache.setdefault("county", {})
        key = (v.principal.scope, ctx.today, quarter)
        hit = cache.get(key)
        if hit is not None and hit[0] > time.monotonic():
            lines, as_of, table, chart = hit[1], hit[2], hit[3], hit[4]
        else:
            lines = county_lines(db, project_ids_in_scope(v.principal), ctx.today, quarter)
            as_of = ctx.now
            table = TEMPLATES.get_template("county_table.html").render(
                lines=lines, quarter=quarter, money=format_fen, status_labels=STATUS_LABELS
            )
            chart = chart_svg(lines)
            cache[key] = (time.monotonic() + CACHE_SECONDS, lines, as_of, table, chart)
        totals = {
            "owed": sum(x.owed for x in lines),
            "paid": sum(x.paid for x in lines),
            "unpaid": sum(x.unpaid for x in lines),
            "overdue": sum(x.overdue for x in lines),
            "missing": sum(
                1 for x in lines if not x.reported and x.project.status == "in_progress"
            ),
            "below": sum(1 for x in lines if x.below),
        }
        return render(
            "county.html", viewer=v, lines=lines, totals=totals, quarter=quarter,
            chart=chart, money=format_fen, table=table,
            scope=v.principal.scope.label if v.principal.scope else "", exports=EXPORT_KINDS,
            as_of=as_of,
        )  # fmt: skip


@router.get("/county/{code}/{what}")
def county_rows(request: Request, code: str, what: str) -> Response:
    """The rows behind one figure: owed/unpaid/overdue per worker and month, or payments."""
    if what not in ("owed", "overdue", "paid"):
        raise PageError(404, "页面不存在。")
    with database(request) as db:
        v = viewer(request, db)
        require_role(v, Role.ADMIN, Role.LIAISON, what="查看台账明细")
        ctx = handler_context(request, db, v)
        try:
            project = require_project(ctx, code)
        except UserError as err:
            raise PageError(403, err.message) from None
        names = {
            w.id: (w.name, w.id_masked)
            for w in db.scalars(
                select(Worker).join(ProjectWorker, ProjectWorker.worker_id == Worker.id)
                .where(ProjectWorker.project_id == project.id)
            )
        }  # fmt: skip
        if what == "paid":
            pays = db.scalars(
                select(WagePayment).where(WagePayment.project_id == project.id)
                .order_by(WagePayment.paid_on.desc(), WagePayment.id.desc()).limit(ROWS_SHOWN)
            )  # fmt: skip
            rows: list[tuple[str, ...]] = [
                (p.number, *names.get(p.worker_id, ("?", "")), p.period, format_fen(p.amount_fen),
                 f"{p.paid_on:%Y-%m-%d} {p.method}")
                for p in pays
            ]  # fmt: skip
            headers = ["记录号", "姓名", "身份证号", "期间", "金额", "发放"]
        else:
            found = balances(db, project_ids=[project.id])
            if what == "overdue":
                found = [b for b in found if b.is_overdue(ctx.today)]
            else:
                found = [b for b in found if b.owed_fen]
            found.sort(key=lambda b: (b.period, names.get(b.worker_id, ("",))[0]))
            rows = [
                ("", *names.get(b.worker_id, ("?", "")), b.period, format_fen(b.owed_fen),
                 format_fen(b.paid_fen), format_fen(max(b.outstanding_fen, 0)), f"{b.due:%Y-%m-%d}",
                 f"逾期{(ctx.today - b.due).days}天" if b.is_overdue(ctx.today) else "")
                for b in found[:ROWS_SHOWN]
            ]  # fmt: skip
            headers = ["", "姓名", "身份证号", "期间", "应发", "已发", "未发", "应发日期", "状态"]
        titles = {"owed": "应发明细", "overdue": "逾期明细", "paid": "发放记录"}
        return render(
            "rows.html", viewer=v, project=project, title=titles[what], headers=headers, rows=rows,
            limit=ROWS_SHOWN,
        )  # fmt: skip


@router.get("/export/{kind}")
def export(request: Request, kind: str, project: str = "") -> Response:
    if kind not in EXPORT_KINDS:
        raise PageError(404, "没有这种导出。")
    with database(request) as db:
        v = viewer(request, db)
        require_role(v, Role.ADMIN, Role.LIAISON, what="导出台账")
        if project:
            try:
                require_project(handler_context(request, db, v), project)
            except UserError as err:
                raise PageError(403, err.message) from None
        elif not v.principal.is_admin:
            raise PageError(403, "联系人请按项目导出。")
        settings = request.app.state.services.settings
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"{kind}.xlsx"
            try:
                export_kind(
                    db, settings, kind, path, actor=v.principal, project_code=project or None,
                    channel="web",
                )  # fmt: skip
            except UserError as err:
                raise PageError(403, err.message) from None
            data = path.read_bytes()
        db.commit()  # the audit row
    name = f"{project or '全部'}-{EXPORT_KINDS[kind]}.xlsx"
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f"attachment; filename=\"{kind}.xlsx\"; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "no-store",
        },
    )
