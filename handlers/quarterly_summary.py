"""季度汇总 2026Q4: an admin's roll-up of the quarter, with an xlsx for the national system.

Every project under construction at any time in the quarter is in it, reported or not.
Totals come from the ledgers (so a missing report does not hide wages), the amounts only a
liaison knows (完成投资, 资金到位, 资金支出) from the latest report. The county's 农推 labour
share is clause （一）'s: wages paid on the county's 农推 list over the list's fiscal funds.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.context import HandlerContext, Incoming, Principal, Reply
from bot.errors import UserError
from bot.jobs import JobContext
from bot.router import Router
from domain.access import projects_in_scope, resolve_principal
from handlers.quarterly import parse_quarter, quarter_projects
from handlers.quarterly_figures import COUNTED_GROUPS, ENTERED, report_figures_many, to_wan
from handlers.tabular.workbook import sheet_bytes
from models import (
    STATUS_LABELS,
    AuditLog,
    OutboxMessage,
    Project,
    ProjectCategory,
    ProjectStatus,
    QuarterlyReport,
    Role,
)
from models.calendar import quarter_bounds, quarter_deadline
from models.money import format_fen
from models.people import liaison_names
from models.project import RURAL_XIANJIE_MIN_SHARE
from models.wages import labour_share
from reminders.engine import digest_lines
from reminders.quarterly import dispatch_quarter

JOB_KIND = "quarterly_summary"  # run by `summary_job` (listed in bot/wiring.py)
router = Router("quarterly_summary")

EXAMPLE = "季度汇总 2026Q4"
INLINE_LIMIT = 100  # projects in scope answered in the reply; more go to a background job
# The sheet as the national dispatch system asks it, one row per project (docs/LEDGERS.md).
COLUMNS = [
    "序号", "省", "市", "县", "项目编号", "项目名称", "项目类别", "清单级别", "清单年度", "项目状态",
    "报送情况", "报送时间", "形象进度(%)", "财政资金(万元)", "财政资金到位(万元)",
    "财政资金支出(万元)", "完成投资(万元)", "本季度发放劳务报酬(万元)", "累计发放劳务报酬(万元)",
    "累计应发劳务报酬(万元)", "本季度带动务工人数", "累计带动务工人数", "其中脱贫人口",
    "其中监测对象", "其中易地搬迁", "其中返乡农民工", "其中低收入人口", "人均劳务报酬(元)",
    "本季度培训人次", "累计培训人次", "公益性岗位(个)", "劳务报酬占财政资金比例(%)",
    "最低占比(%)", "存在问题", "数据截至",
]  # fmt: skip


@dataclass
class Row:
    project: Project
    figures: dict[str, Any]
    report: QuarterlyReport | None


@dataclass
class Totals:
    projects: int = 0
    workers: int = 0
    workers_quarter: int = 0
    paid_fen: int = 0
    paid_quarter_fen: int = 0
    due_fen: int = 0
    trainings: int = 0
    posts: int = 0
    groups: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTED_GROUPS, 0))
    entered: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ENTERED, 0))

    def add(self, f: dict[str, Any], entered: dict[str, Any]) -> None:
        q = f["quarter"]
        self.projects += 1
        self.workers += f["workers"]
        self.workers_quarter += q["workers"]
        self.paid_fen += f["wages_paid_fen"]
        self.paid_quarter_fen += q["wages_paid_fen"]
        self.due_fen += f["wages_due_fen"]
        self.trainings += f["trainings"]
        self.posts += f["posts"]
        for k in COUNTED_GROUPS:
            self.groups[k] += f[k]
        for k in ENTERED:
            self.entered[k] += int(entered.get(k) or 0)


def latest_reports(session: Any, quarter: str, ids: list[int]) -> dict[int, QuarterlyReport]:
    """The last report of each project for the quarter (the one that counts)."""
    out: dict[int, QuarterlyReport] = {}
    for i in range(0, len(ids), 500):
        stmt = (
            select(QuarterlyReport)
            .where(
                QuarterlyReport.quarter == quarter,
                QuarterlyReport.project_id.in_(ids[i : i + 500]),
            )
            .order_by(QuarterlyReport.submitted_at, QuarterlyReport.id)
        )
        for r in session.scalars(stmt):
            out[r.project_id] = r
    return out


def collect(session: Session, user: Principal, quarter: str, today: date) -> tuple[date, list[Row]]:
    start, end = quarter_bounds(quarter)
    cutoff = min(end, today)
    projects = quarter_projects(session, user, quarter)
    reports = latest_reports(session, quarter, [p.id for p in projects])
    figures = report_figures_many(session, projects, start, cutoff)
    rows = [Row(p, figures[p.id], reports.get(p.id)) for p in projects]
    return cutoff, rows


def county_share(rows: list[Row], year: int) -> tuple[str, list[Row]]:
    """The 农推 list a county's clause-（一） share is taken over, and how it was chosen."""
    rural = [r for r in rows if r.project.category == ProjectCategory.RURAL]
    listed = [
        r for r in rural
        if (r.project.list_year or (r.project.start_date.year if r.project.start_date else None))
        == year
    ]  # fmt: skip
    if listed:
        return f"{year}年度农推清单", listed
    return "本季度在建的农推项目（未找到该年度清单）", rural


def share_lines(rows: list[Row], year: int) -> list[str]:
    by_county: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_county[r.project.region.label].append(r)
    lines = []
    for county, items in sorted(by_county.items()):
        what, listed = county_share(items, year)
        if not listed:
            lines.append(f"· {county}：无农推项目")
            continue
        paid = sum(r.figures["wages_paid_fen"] for r in listed)
        fiscal = sum(int(r.project.fiscal_funds_fen or 0) for r in listed)
        share = labour_share(paid, fiscal)
        text = (
            f"· {county}（{what} {len(listed)} 个）：已发放劳务报酬 {format_fen(paid)} / "
            f"财政资金 {format_fen(fiscal)} = {'—' if share is None else f'{share:.1%}'}"
        )
        if share is None:
            text += "（未填财政资金，无法计算）"
        elif not any(r.project.uses_xianjie for r in listed):
            text += "；未使用衔接资金，（一）的 15% 不适用，仅列示"
        elif not any(Decimal(r.figures["days"]) > 0 for r in listed):
            text += "；尚未记工，暂不评判"
        else:
            verdict = "未达到" if share < RURAL_XIANJIE_MIN_SHARE else "已达到"
            text += f"；按已发放计，{verdict} 15%"
        lines.append(text)
    return lines


def _entered(r: Row) -> dict[str, Any]:
    return dict((r.report.figures or {}).get("entered") or {}) if r.report else {}


def _wan_or_blank(fen: int | None) -> Decimal | str:
    """An entered amount in 万元; blank when the liaison has not entered it (0 stays 0)."""
    wan = to_wan(fen)
    return "" if wan is None else wan


def sheet_rows(rows: list[Row], tz: Any) -> list[list[Any]]:
    out = []
    for i, r in enumerate(rows, start=1):
        p, f, rep = r.project, r.figures, r.report
        entered = _entered(r)
        share = f.get("labour_share")
        floor = p.labour_floor
        out.append(
            [
                i, p.region.province, p.region.city, p.region.county, p.code, p.name, p.category,
                p.list_level, p.list_year or "",
                STATUS_LABELS.get(ProjectStatus(p.status), p.status),
                "已报" if rep else "未报",
                rep.submitted_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if rep else "",
                rep.progress if rep else "",
                to_wan(int(p.fiscal_funds_fen or 0)),
                _wan_or_blank(entered.get("funds_arrived_fen")),
                _wan_or_blank(entered.get("funds_spent_fen")),
                _wan_or_blank(entered.get("investment_fen")),
                to_wan(f["quarter"]["wages_paid_fen"]), to_wan(f["wages_paid_fen"]),
                to_wan(f["wages_due_fen"]), f["quarter"]["workers"], f["workers"],
                *(f[k] for k in COUNTED_GROUPS),
                Decimal(f["pay_per_worker_fen"]) / 100,
                f["quarter"]["trainings"], f["trainings"], f["posts"],
                "" if share is None else (Decimal(share) * 100).quantize(Decimal("0.01")),
                "" if floor is None else (Decimal(floor) * 100).quantize(Decimal("0.01")),
                rep.problems if rep else "",
                f["as_of"],
            ]
        )  # fmt: skip
    return out


@router.command(
    "季度汇总",
    aliases=("调度汇总", "季度调度汇总"),
    help="管理员查看本地区一个季度的调度汇总（含本季度完工的项目、农推劳务报酬占比），并收到 Excel 汇总表",
    example=EXAMPLE,
    roles=(Role.ADMIN,),
)
def summary(msg: Incoming, ctx: HandlerContext) -> Reply:
    quarter = parse_quarter(ctx.args) if ctx.args.strip() else dispatch_quarter(ctx.today)
    if quarter_bounds(quarter)[0] > ctx.today:
        return Reply(f"{quarter} 还没有开始，没有可汇总的数据。")
    scoped = projects_in_scope(ctx.user).with_only_columns(func.count())
    if (ctx.session.scalar(scoped) or 0) > INLINE_LIMIT:
        # a city's or province's ledgers take longer than WeCom waits for a reply
        ctx.enqueue_job(
            JOB_KIND,
            key=f"quarterly_summary:{msg.dedup_key}",
            payload={"quarter": quarter},
        )
        return Reply(
            f"正在生成 {quarter} 季度汇总（项目较多，约需 1 分钟），汇总和 Excel 稍后发给您。"
        )
    text, file_payload = build(ctx.session, ctx.user, quarter, ctx.now)
    if file_payload is not None:
        ctx.send(ctx.user.userid, "", msgtype="file", payload=file_payload)
        ctx.audit("export", "quarterly_summary", quarter=quarter)
    return Reply(text)


def summary_job(session: Session, jc: JobContext) -> str:
    user = resolve_principal(session, jc.job.user_id)
    if not user.is_admin:
        raise UserError("只有管理员可以查看季度汇总。")
    tz = jc.services.settings.tz if jc.services is not None else ZoneInfo("Asia/Shanghai")
    quarter = str(jc.job.payload["quarter"])
    text, file_payload = build(session, user, quarter, jc.now.astimezone(tz))
    if file_payload is not None:
        session.add(
            OutboxMessage(
                recipient=user.userid,
                msgtype="file",
                payload=file_payload,
                dedup_key=f"job:{jc.job.id}:file",
                rule="job",
            )
        )
        session.add(
            AuditLog(
                actor=user.userid, channel="chat", action="export",
                subject="quarterly_summary", detail={"quarter": quarter},
            )
        )  # fmt: skip
    return text


def build(
    session: Session, user: Principal, quarter: str, now: datetime
) -> tuple[str, dict[str, str] | None]:
    """The roll-up text and the xlsx file payload (None when there is nothing to roll up)."""
    cutoff, rows = collect(session, user, quarter, now.date())
    scope = user.scope.label if user.scope else "全部地区"
    if not rows:
        return f"{quarter}：{scope}没有在建项目，无需季度调度。", None
    totals = Totals()
    for r in rows:
        totals.add(r.figures, _entered(r))
    start = quarter_bounds(quarter)[0]
    states: dict[str, int] = defaultdict(int)
    for r in rows:
        p = r.project
        done_in_q = (
            p.completed_at is not None and p.completed_at.astimezone(now.tzinfo).date() >= start
        )
        states[
            "本季完工" if done_in_q else STATUS_LABELS.get(ProjectStatus(p.status), p.status)
        ] += 1
    missing = [r.project for r in rows if r.report is None]
    names = liaison_names(session, [p.id for p in missing]) if missing else {}
    g = totals.groups
    lines = [
        f"【{quarter} 季度汇总】{scope}（台账截至 {cutoff:%Y-%m-%d}，报送截止 {quarter_deadline(quarter):%Y-%m-%d}）",
        f"本季度在建项目 {len(rows)} 个（{'、'.join(f'{k} {v}' for k, v in sorted(states.items()))}），"
        f"已报 {len(rows) - len(missing)} 个，未报 {len(missing)} 个。",
    ]
    if missing:
        lines.append("未报送：")
        lines += digest_lines(
            [
                f"· {p.code} {p.name}（联系人：{'、'.join(names.get(p.id, [])) or '未指定'}）"
                for p in missing
            ],
            "见 Excel 汇总表。",
            limit=20,
        )
    counties = share_lines(rows, int(quarter[:4]))
    lines += [
        "合计（按台账，含未报项目）：",
        f"· 带动务工 累计 {totals.workers} 人（各项目相加，本季度 {totals.workers_quarter} 人），其中脱贫人口 "
        f"{g['poverty_workers']}、监测对象 {g['monitored_workers']}、易地搬迁 {g['relocated_workers']}",
        f"· 劳务报酬 累计已发放 {format_fen(totals.paid_fen)}（本季度 {format_fen(totals.paid_quarter_fen)}），"
        f"累计应发 {format_fen(totals.due_fen)}",
        f"· 培训 累计 {totals.trainings} 人次；公益性岗位 {totals.posts} 个",
        "· 已报项目填报合计："
        + "，".join(
            f"{label} {format_fen(totals.entered[k])}" for k, (label, _) in ENTERED.items()
        ),
        "农推劳务报酬占比（政策（一）：农推项目劳务报酬发放比例不低于项目财政资金总额的15%）：",
        *digest_lines(counties, "各县占比见 Excel 汇总表的项目明细。", limit=30),
        f"全部项目的报送内容已生成 Excel（季度汇总_{quarter}.xlsx，一项目一行，按国家系统填报顺序），随后发给您。",
    ]
    data = sheet_bytes(f"{quarter}季度调度", COLUMNS, sheet_rows(rows, now.tzinfo))
    payload = {
        "data_base64": base64.b64encode(data).decode(),
        "filename": f"季度汇总_{quarter}.xlsx",
    }
    return "\n".join(lines), payload
