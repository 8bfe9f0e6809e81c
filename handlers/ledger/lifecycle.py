"""停工, 复工, 撤销完工, 验收: a project's status as the site lives it (audited)."""

from __future__ import annotations

from bot.context import HandlerContext, Incoming, Reply
from bot.errors import UserError
from bot.router import Router
from domain.parsing import parse_date, parse_or_refuse, refusal
from handlers.ledger.common import PROJECT_KEY, project_from
from models import STATUS_LABELS, Project, ProjectStatus, Role

router = Router("lifecycle")

SUSPEND_EXAMPLE = "停工 项目：NT-2026-001 原因：冬季停工"
RESUME_EXAMPLE = "复工 项目：NT-2026-001"
UNDO_EXAMPLE = "撤销完工 项目：NT-2026-001 原因：误标完工，仍在施工"
ACCEPT_EXAMPLE = "验收 项目：NT-2026-001 日期：2027-05-20"
ALIASES = {**PROJECT_KEY, "原因": ("说明", "理由", "备注"), "日期": ("验收日期",)}
MAX_REASON = 200


def _fields(ctx: HandlerContext, example: str) -> tuple[Project, dict[str, str]]:
    args = ctx.args.strip()
    first = args.split(maxsplit=1)[0] if args else ""
    if first and not any(c in first for c in ":：="):
        args = f"项目:{args}"  # `复工 NT-2026-001`, `停工 NT-2026-001 原因：…`
    fields, _ = parse_or_refuse(args, ALIASES, example)
    return project_from(ctx, fields, example), fields


def _label(p: Project) -> str:
    return STATUS_LABELS.get(ProjectStatus(p.status), p.status)


def _reason(fields: dict[str, str], example: str, what: str) -> str:
    reason = fields.get("原因", "").strip()
    if not reason:
        raise UserError(refusal([f"缺少“原因”（{what}）"], example))
    if len(reason) > MAX_REASON:
        raise UserError(refusal([f"原因最多 {MAX_REASON} 字，收到 {len(reason)} 字"], example))
    return reason


def _wrong_state(p: Project, wanted: str, hint: str) -> UserError:
    return UserError(f"项目 {p.code} 当前是“{_label(p)}”状态，{wanted}。{hint}")


@router.command(
    "停工",
    aliases=("暂停施工", "项目停工"),
    help="把在建项目标记为停工（如冬季停工）：停工期间不提醒补记台账，季度调度照常报送",
    example=SUSPEND_EXAMPLE,
    roles=(Role.ADMIN, Role.LIAISON),
)
def suspend(msg: Incoming, ctx: HandlerContext) -> Reply:
    project, fields = _fields(ctx, SUSPEND_EXAMPLE)
    reason = _reason(fields, SUSPEND_EXAMPLE, "如 冬季停工、资金未到位")
    if project.status != ProjectStatus.IN_PROGRESS:
        raise _wrong_state(project, "只有在建项目可以停工", "")
    project.status = ProjectStatus.SUSPENDED
    project.status_note = reason
    ctx.audit("project.suspend", project.code, reason=reason)
    return Reply(
        f"已将项目 {project.code} {project.name} 标记为停工（{ctx.today:%Y-%m-%d}，原因：{reason}）。\n"
        "停工期间不再提醒补记台账；已欠的工资仍照常提醒，季度调度仍需报送。\n"
        f"恢复施工时发送：复工 项目：{project.code}"
    )


@router.command(
    "复工",
    aliases=("恢复施工", "项目复工"),
    help="停工的项目恢复施工",
    example=RESUME_EXAMPLE,
    roles=(Role.ADMIN, Role.LIAISON),
)
def resume(msg: Incoming, ctx: HandlerContext) -> Reply:
    project, _ = _fields(ctx, RESUME_EXAMPLE)
    if project.status != ProjectStatus.SUSPENDED:
        raise _wrong_state(project, "只有停工的项目可以复工", "")
    was = project.status_note
    project.status = ProjectStatus.IN_PROGRESS
    project.status_note = ""
    ctx.audit("project.resume", project.code, was=was)
    return Reply(
        f"已将项目 {project.code} {project.name} 恢复为在建（{ctx.today:%Y-%m-%d}）。"
        "请及时记工；超过 14 天没有记工会收到提醒。"
    )


@router.command(
    "撤销完工",
    aliases=("取消完工", "完工撤销"),
    help="管理员撤销误标的完工，项目回到在建（记入审计日志）",
    example=UNDO_EXAMPLE,
    roles=(Role.ADMIN,),
)
def undo_completion(msg: Incoming, ctx: HandlerContext) -> Reply:
    project, fields = _fields(ctx, UNDO_EXAMPLE)
    reason = _reason(fields, UNDO_EXAMPLE, "为什么撤销，会记入审计日志")
    if project.status != ProjectStatus.COMPLETED:
        hint = "已验收的项目不能撤销完工。" if project.status == ProjectStatus.ACCEPTED else ""
        raise _wrong_state(project, "只有“完工”状态的项目可以撤销完工", hint)
    completed = project.completed_at
    project.status = ProjectStatus.IN_PROGRESS
    project.completed_at = None
    ctx.audit(
        "project.uncomplete",
        project.code,
        reason=reason,
        completed_at=completed.isoformat() if completed else None,
    )
    when = f"（原完工标记 {completed.astimezone(ctx.now.tzinfo):%Y-%m-%d}）" if completed else ""
    return Reply(
        f"已撤销项目 {project.code} {project.name} 的完工{when}，项目回到在建。原因：{reason}。\n"
        "此操作已记入审计日志。真正完工后请重新发送“完工”。"
    )


@router.command(
    "验收",
    aliases=("项目验收",),
    help="管理员登记完工项目已通过验收",
    example=ACCEPT_EXAMPLE,
    roles=(Role.ADMIN,),
)
def accept(msg: Incoming, ctx: HandlerContext) -> Reply:
    project, fields = _fields(ctx, ACCEPT_EXAMPLE)
    day = parse_date(fields["日期"], ctx.today) if fields.get("日期") else ctx.today
    if project.status != ProjectStatus.COMPLETED:
        raise _wrong_state(
            project, "只有完工的项目可以验收", f"先发送“完工 项目：{project.code}”。"
        )
    completed = (
        project.completed_at.astimezone(ctx.now.tzinfo).date() if project.completed_at else None
    )
    if completed and day < completed:
        raise UserError(refusal([f"验收日期 {day} 早于完工日期 {completed}"], ACCEPT_EXAMPLE))
    from datetime import datetime, time

    project.status = ProjectStatus.ACCEPTED
    project.accepted_at = datetime.combine(day, time(12), ctx.now.tzinfo)
    ctx.audit("project.accept", project.code, day=day.isoformat())
    return Reply(
        f"已登记项目 {project.code} {project.name} 于 {day:%Y-%m-%d} 通过验收。"
        "政策（九）：可设置公益性岗位，优先安排参与项目务工、培训的低收入群众，发送“帮助 岗位”查看。"
    )
