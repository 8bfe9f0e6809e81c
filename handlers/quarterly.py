"""季度报告 (a liaison reports a project's quarter) and 季度调度 (an admin sees who is missing)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.context import HandlerContext, Incoming, Reply
from bot.errors import UserError
from bot.router import Router
from domain.access import projects_in_scope, require_project
from domain.parsing import parse_amount, parse_or_refuse, refusal, require
from handlers.quarterly_figures import (
    ENTERED,
    entered_text,
    figures_text,
    quarter_text,
    report_figures,
)
from models import (
    Project,
    ProjectStatus,
    QuarterlyReport,
    Role,
    WorkRecord,
)
from models.calendar import (
    quarter_bounds,
    quarter_deadline,
    quarter_of,
    quarter_open_day,
    shift_quarter,
    workdays_between,
)
from models.money import format_fen
from models.people import liaison_names
from reminders.engine import digest_lines
from reminders.quarterly import dispatch_quarter, in_quarter, submitted

router = Router("quarterly")

EXAMPLE = "季度报告 项目：NT-2026-001 进度：60% 问题：无"
ALIASES = {
    "项目": ("项目编号", "编号"),
    "进度": ("形象进度", "完成进度"),
    "问题": ("存在问题", "困难", "备注"),
    "季度": ("期间",),
    **dict(ENTERED.values()),
}
MAX_FEN = 10**14  # 1 万亿元: any cumulative amount above is a typo
MAX_PROBLEMS = 2000  # characters of 问题 a report keeps; longer is refused, never cut
ECHO_CHARS = 200  # the reply repeats this much of a longer 问题 (2,000 would be 3 messages)
_QUARTER = re.compile(r"^(\d{4})\s*(?:Q|q|年第?)\s*([1-4])(?:季度)?$")
_CN_DIGITS = str.maketrans("一二三四", "1234")


def parse_progress(text: str) -> int:
    value = text.strip().rstrip("%％").strip()
    if not value.isdigit() or not 0 <= int(value) <= 100:
        raise UserError(f"进度应为 0–100 的整数百分比，例如：进度：60%（收到“{text}”）")
    return int(value)


def parse_quarter(text: str) -> str:
    m = _QUARTER.match(text.strip().translate(_CN_DIGITS))
    if not m:
        raise UserError(f"季度写法如 2026Q4 或 2026年第4季度（收到“{text}”）")
    return f"{m.group(1)}Q{m.group(2)}"


def _project_start(ctx: HandlerContext, project: Project) -> tuple[date, str]:
    """When the project started, and what that date is (start date, first work, registration)."""
    if project.start_date is not None:
        return project.start_date, "开工日期"
    first = ctx.session.scalar(
        select(func.min(WorkRecord.work_date)).where(WorkRecord.project_id == project.id)
    )
    if first is not None:
        return first, "未填开工日期，按最早记工日期"
    return project.created_at.astimezone(ctx.now.tzinfo).date(), "未填开工日期，按项目登记日期"


def check_quarter(ctx: HandlerContext, project: Project, quarter: str | None) -> str:
    """The quarter a report may be for: from the project's start quarter to the one in dispatch.

    A quarter's report is sent from the 20th of its last month (when dispatch opens) and is due
    on the 5th of the following month (SPEC §6), so the latest reportable quarter is
    `dispatch_quarter(today)`: the current quarter from its open day, else the previous one.
    Later quarters have not been dispatched yet; quarters before the start need no report.
    """
    latest = dispatch_quarter(ctx.today)
    start, start_what = _project_start(ctx, project)
    earliest = quarter_of(start)
    if earliest > latest:  # same-width "YYYYQn" strings order like the quarters they name
        raise UserError(
            f"{project.code} {start_what} {start:%Y-%m-%d}，首个季度报告为 {earliest}，"
            f"{quarter_open_day(earliest):%Y-%m-%d} 起可报送，现在无需报送。"
        )
    span = latest if earliest == latest else f"{earliest} 至 {latest}"
    allowed = f"目前 {project.code} 可报送的季度：{span}（不写季度即为 {latest}）。"
    if quarter is None:
        return latest
    if quarter > latest:
        upcoming = shift_quarter(latest, 1)
        raise UserError(
            f"{quarter} 还不能报送：季度报告在季度最后一个月20日起报送、次月5日前截止，"
            f"下一个是 {upcoming}，{quarter_open_day(upcoming):%Y-%m-%d} 起可报送。{allowed}"
        )
    if quarter < earliest:
        raise UserError(
            f"{quarter} 在项目开工之前（{start_what} {start:%Y-%m-%d}），无需报送。{allowed}"
        )
    return quarter


def parse_entered(fields: dict[str, str], problems: list[str]) -> dict[str, int]:
    """完成投资, 资金到位, 资金支出 as given in the message (cumulative amounts, fen)."""
    out: dict[str, int] = {}
    for key, (label, _) in ENTERED.items():
        if not fields.get(label):
            continue
        try:
            fen = parse_amount(fields[label])
        except UserError as err:
            problems.append(f"{label}：{err.message}")
            continue
        if fen > MAX_FEN:
            problems.append(f"{label}：{format_fen(fen)} 不合理，请核对（填累计金额，如 120万元）")
            continue
        out[key] = fen
    return out


@router.command(
    "季度报告",
    aliases=("季报", "报送进度"),
    help="报送项目季度进度（季度最后一个月20日起可报，次月5日截止；台账数据截至季末自动填入）",
    example=EXAMPLE,
    roles=(Role.LIAISON, Role.ADMIN),
)
def report(msg: Incoming, ctx: HandlerContext) -> Reply:
    fields, body = parse_or_refuse(ctx.args, ALIASES, EXAMPLE)
    project = require_project(ctx, require(fields, "项目", "NT-2026-001"))
    progress = parse_progress(require(fields, "进度", "60%"))
    problems = fields.get("问题", "").strip() or "\n".join(body).strip() or "无"
    if len(problems) > MAX_PROBLEMS:
        raise UserError(
            refusal(
                [
                    f"问题：最多 {MAX_PROBLEMS} 字，收到 {len(problems)} 字；"
                    "请精简为要点后重新发送（详细材料可另行报送）"
                ],
                EXAMPLE,
            )
        )
    bad: list[str] = []
    given = parse_entered(fields, bad)
    if bad:
        raise UserError(refusal(bad, EXAMPLE))
    quarter = check_quarter(
        ctx, project, parse_quarter(fields["季度"]) if fields.get("季度") else None
    )
    # Cumulative through the quarter's end (what 调度 reports), or through today while the
    # quarter is still running (its dispatch opens on the 20th of the last month).
    start, end = quarter_bounds(quarter)
    cutoff = min(end, ctx.today)
    figs = report_figures(ctx.session, project, start, cutoff)
    previous = ctx.session.scalars(
        select(QuarterlyReport)
        .where(QuarterlyReport.project_id == project.id, QuarterlyReport.quarter == quarter)
        .order_by(QuarterlyReport.submitted_at.desc(), QuarterlyReport.id.desc())
        .limit(1)
    ).first()
    first_sent = ctx.session.scalar(
        select(func.min(QuarterlyReport.submitted_at)).where(
            QuarterlyReport.project_id == project.id, QuarterlyReport.quarter == quarter
        )
    )
    # a correction keeps what an earlier report of the quarter entered and this one leaves out
    kept = dict((previous.figures or {}).get("entered") or {}) if previous else {}
    entered = {k: given.get(k, kept.get(k)) for k in ENTERED}
    figs["entered"] = entered
    figs["status"] = project.status
    ctx.session.add(
        QuarterlyReport(
            project_id=project.id,
            quarter=quarter,
            progress=progress,
            problems=problems,
            figures=figs,
            submitted_by=ctx.user.userid,
            submitted_at=ctx.now,
            channel=ctx.channel,
        )
    )
    lines = [
        f"已记录 {project.code} {project.name} {quarter} 季度报告：进度 {progress}%，"
        f"问题：{echo(problems)}",
        f"台账数据（截至{cutoff:%Y-%m-%d}累计）：{figures_text(figs)}",
        f"其中本季度（{start:%m-%d} 至 {cutoff:%m-%d}）：{quarter_text(figs)}",
        f"填报（累计）：{entered_text(entered)}",
    ]
    missing = [label for k, (label, _) in ENTERED.items() if entered.get(k) is None]
    if missing:
        lines.append(
            f"请补充台账无法得出的 {'、'.join(missing)}（累计金额），重新发送即可，例如："
            f"季度报告 项目：{project.code} 进度：{progress}% 完成投资：120万元 资金到位：200万元 资金支出：150万元"
        )
    spent, arrived = entered.get("funds_spent_fen"), entered.get("funds_arrived_fen")
    if spent is not None and arrived is not None and spent > arrived:
        lines.append("注意：财政资金支出大于到位资金，请核对。")
    floor = project.labour_floor
    share = figs.get("labour_share")
    if (
        floor is not None
        and share is not None
        and Decimal(figs["days"]) > 0  # no judgement before the first work entry
        and float(cast(str, share)) < float(floor)
    ):
        lines.append(
            f"注意：劳务报酬占比低于 {float(floor) * 100:.0f}% 的最低要求，请核实发放情况。"
        )
    deadline = quarter_deadline(quarter)
    first_day = None if first_sent is None else first_sent.astimezone(ctx.now.tzinfo).date()
    if ctx.today > deadline:
        lines.append(
            f"注意：{quarter} 季度报告应于 {deadline:%Y-%m-%d} 前报送，{lateness(deadline, ctx.today)}，"
            "报告已照常记录。"
            + (
                f"首次报送（{first_day:%Y-%m-%d}）在截止前，本次为截止后的修改。"
                if first_day is not None and first_day <= deadline
                else ""
            )
        )
        lines.append(
            ("已覆盖此前的报告；" if first_sent else "") + "如需修改请重新发送，以最后一次为准。"
        )
    else:
        lines.append(
            ("已覆盖此前的报告；" if first_sent else "")
            + f"报送截止 {deadline:%Y-%m-%d}，如需修改请重新发送，以最后一次为准。"
        )
    return Reply("\n".join(lines))


def quarter_projects(session: Session, user: Any, quarter: str) -> list[Project]:
    """Projects in the user's scope that were under construction at any time in the quarter."""
    candidates = list(
        session.scalars(
            projects_in_scope(user)
            .where(Project.status != ProjectStatus.PLANNED)
            .order_by(Project.code)
        )
    )
    undated = [p.id for p in candidates if p.start_date is None]
    first_work = (
        dict(
            session.execute(
                select(WorkRecord.project_id, func.min(WorkRecord.work_date))
                .where(WorkRecord.project_id.in_(undated))
                .group_by(WorkRecord.project_id)
            ).all()
        )
        if undated
        else {}
    )
    tz = ZoneInfo("Asia/Shanghai")
    return [
        p
        for p in candidates
        if in_quarter(
            p.status,
            p.start_date or first_work.get(p.id),
            p.completed_at.astimezone(tz).date() if p.completed_at else None,
            quarter,
        )
    ]


def echo(problems: str) -> str:
    """问题 as the reply repeats it: in full when short, else its start and its length."""
    if len(problems) <= ECHO_CHARS:
        return problems
    return f"{problems[:ECHO_CHARS]}……（共 {len(problems)} 字，已全文记录）"


def lateness(deadline: date, today: date) -> str:
    """How late a report sent on `today` is: working days (China's calendar) and calendar days."""
    days = (today - deadline).days
    workdays = workdays_between(deadline, today)
    if workdays == 0:
        return f"已逾期 {days} 天（均为休息日）"
    return f"已逾期 {workdays} 个工作日（{days} 天）"


@router.command(
    "季度调度",
    aliases=("调度情况", "季报情况"),
    help="查看本地区本季度各在建项目的报送情况（管理员）",
    example="季度调度",
    roles=(Role.ADMIN,),
)
def dispatch(msg: Incoming, ctx: HandlerContext) -> Reply:
    quarter = parse_quarter(ctx.args) if ctx.args.strip() else dispatch_quarter(ctx.today)
    projects = quarter_projects(ctx.session, ctx.user, quarter)
    if not projects:
        return Reply(f"{quarter}：您的辖区内没有在建项目，无需季度调度。")
    done = submitted(ctx.session, quarter)
    names = {
        pid: "、".join(v) for pid, v in liaison_names(ctx.session, [p.id for p in projects]).items()
    }
    have = [p for p in projects if p.id in done]
    missing = [p for p in projects if p.id not in done]
    lines = [
        f"{quarter} 季度调度（截止 {quarter_deadline(quarter):%Y-%m-%d}）：本季度在建 {len(projects)} 个，"
        f"已报 {len(have)} 个，未报 {len(missing)} 个。"
    ]
    if missing:
        lines.append("未报送：")
        lines += digest_lines(
            [f"· {p.code} {p.name}（联系人：{names.get(p.id) or '未指定'}）" for p in missing],
            "请按项目编号逐个督促。",
            limit=30,
        )
    if have:
        lines.append("已报送：")
        lines += digest_lines([f"· {p.code} {p.name}" for p in have], "", limit=30)
    if missing:
        lines.append("未报项目的联系人会在截止前收到提醒；截止次日您会收到汇总和劳务报酬占比图。")
    lines.append(f"发送“季度汇总 {quarter}”查看报送内容合计并获取 Excel 汇总表。")
    return Reply("\n".join(lines))
