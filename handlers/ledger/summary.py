"""查询 (a project's ledger summary), 欠薪 (overdue wages in my scope), 完工 (completion check)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from bot.context import HandlerContext, Incoming, Reply
from bot.errors import UserError
from bot.router import Router
from domain.access import projects_in_scope
from domain.figures import Figures, completion_issues, project_figures
from domain.parsing import parse_or_refuse
from handlers.ledger.common import PROJECT_KEY, money, project_from
from models import STATUS_LABELS, Project, ProjectStatus, Role
from models.calendar import due_date
from models.wages import overdue
from reminders.completion import queue_completion

router = Router("summary")

QUERY_EXAMPLE = "查询 项目：NT-2026-001"
DONE_EXAMPLE = "完工 项目：NT-2026-001"
STAFF = (Role.ADMIN, Role.LIAISON)


def _project(ctx: HandlerContext, example: str, *, writes: bool) -> Project:
    args = ctx.args.strip()
    if args and ":" not in args and "=" not in args:
        args = f"项目:{args}"  # `查询 NT-2026-001` works too
    fields, _ = parse_or_refuse(args, PROJECT_KEY, example, writes=writes)
    return project_from(ctx, fields, example, writes=writes)


def figures_lines(f: Figures) -> list[str]:
    return [
        f"务工人员 {f.workers} 人，累计 {f.days:g} 个工日",
        f"劳务报酬：应发 {money(f.owed_fen)}，已发 {money(f.paid_fen)}，未发 {money(f.outstanding_fen)}"
        + (f"（其中逾期 {money(f.overdue_fen)}，{f.overdue_workers} 人）" if f.overdue_fen else ""),
        f"技能培训 {f.trainings} 人次，{f.trained_workers} 人，{f.training_hours:g} 学时",
        f"公益性岗位 {f.posts} 个",
        f.share_text(),
    ]


@router.command(
    "查询",
    aliases=("台账", "项目台账", "汇总"),
    help="查看一个项目的台账汇总",
    example=QUERY_EXAMPLE,
    roles=STAFF,
)
def query(msg: Incoming, ctx: HandlerContext) -> Reply:
    project = _project(ctx, QUERY_EXAMPLE, writes=False)
    f = project_figures(ctx.session, project, ctx.today)
    head = f"【{project.code} {project.name}】{project.category}·{STATUS_LABELS.get(ProjectStatus(project.status), project.status)}"
    lines = [head, *figures_lines(f)]
    if f.overdue_fen:
        lines.append("发送“欠薪”查看逾期明细。")
    return Reply("\n".join(lines))


@router.command(
    "欠薪",
    aliases=("逾期工资", "欠薪查询", "拖欠"),
    help="我负责范围内逾期未发的劳务报酬",
    example="欠薪",
    roles=STAFF,
)
def overdue_wages(msg: Incoming, ctx: HandlerContext) -> Reply:
    scope_ids = projects_in_scope(ctx.user).with_only_columns(Project.id)
    rows = overdue(ctx.session, ctx.today, project_ids=scope_ids)
    if not rows:
        return Reply(f"截至 {ctx.today:%Y-%m-%d}，您负责范围内没有逾期未发的劳务报酬。")
    per_project: dict[int, list] = defaultdict(list)  # type: ignore[type-arg]
    for b in rows:
        per_project[b.project_id].append(b)
    projects = {
        p.id: p for p in ctx.session.scalars(select(Project).where(Project.id.in_(per_project)))
    }
    total = sum(b.outstanding_fen for b in rows)
    lines = [
        f"截至 {ctx.today:%Y-%m-%d}，逾期未发劳务报酬 {money(total)}，涉及 {len(per_project)} 个项目："
    ]
    ordered = sorted(per_project.items(), key=lambda kv: -sum(b.outstanding_fen for b in kv[1]))
    for pid, items in ordered[:20]:
        p = projects[pid]
        periods = sorted({b.period for b in items})
        oldest = periods[0]
        days_late = (ctx.today - due_date(oldest, p.pay_day)).days
        lines.append(
            f"· {p.code} {p.name}：{money(sum(b.outstanding_fen for b in items))}，"
            f"{len({b.worker_id for b in items})} 人，期间 {'、'.join(periods)}，最早已逾期 {days_late} 天"
        )
    if len(ordered) > 20:
        lines.append(f"……另有 {len(ordered) - 20} 个项目，发送“查询 项目编号”逐个查看。")
    lines.append("发放后请用“发放”登记。务工人员可拨打 12333 反映欠薪。")
    return Reply("\n".join(lines))


@router.command(
    "完工",
    aliases=("竣工", "项目完工"),
    help="把项目标记为完工，并给出完工核查结果",
    example=DONE_EXAMPLE,
    roles=STAFF,
)
def complete(msg: Incoming, ctx: HandlerContext) -> Reply:
    project = _project(ctx, DONE_EXAMPLE, writes=True)
    if project.status in (ProjectStatus.COMPLETED, ProjectStatus.ACCEPTED):
        raise UserError(
            f"项目 {project.code} 已是“{STATUS_LABELS[ProjectStatus(project.status)]}”状态，无需重复标记。发送“查询 {project.code}”查看台账。"
        )
    project.status = ProjectStatus.COMPLETED
    project.completed_at = ctx.now
    f = project_figures(ctx.session, project, ctx.today)
    issues = completion_issues(f)
    ctx.audit("project.complete", project.code, issues=len(issues))
    lines = [
        f"已将项目 {project.code} {project.name} 标记为完工（{ctx.today:%Y-%m-%d}）。",
        "",
        "完工核查：",
    ]
    lines += [f"⚠ {i}" for i in issues] or ["✓ 三本台账齐全，劳务报酬已全部发放，占比达标。"]
    lines += ["", *figures_lines(f)]
    # The liaisons and county admins hear about what is open, through the completion rule.
    queue_completion(ctx.session, project, ctx.now)
    return Reply("\n".join(lines))
