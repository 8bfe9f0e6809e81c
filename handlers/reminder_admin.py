"""提醒记录 (what reminders went to whom, what failed) and the overdue card's buttons."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import or_, select

from bot.context import HandlerContext, Incoming, Reply
from bot.errors import UserError
from bot.router import Router
from domain.access import projects_in_scope, region_filter
from domain.parsing import parse_date
from models import AuditLog, Contact, OutboxMessage, Project, ProjectLiaison, Region, Role, Worker
from models.money import format_fen
from models.wages import overdue
from reminders.catalog import RULES
from reminders.wages_overdue import ACK_KEY, DETAIL_KEY

router = Router("reminder_admin")

STATUS = {
    "pending": "待发",
    "sending": "发送中",
    "sent": "已发",
    "recorded": "已记录(沙箱)",
    "failed": "失败",
}
SHOWN = 30


@router.command(
    "提醒记录",
    aliases=("发送记录",),
    help="查看发给本地区人员的提醒：发给谁、是否送达、失败原因（管理员）",
    example="提醒记录\n提醒记录 2026-12-16",
    roles=(Role.ADMIN,),
)
def reminder_log(msg: Incoming, ctx: HandlerContext) -> Reply:
    if ctx.user.scope is None:
        raise UserError("您的管理员账号没有设置地区，无法查看提醒记录。请联系上级管理员补充。")
    day = parse_date(ctx.args, ctx.today) if ctx.args.strip() else None
    in_scope = projects_in_scope(ctx.user).with_only_columns(Project.id)
    people = select(Contact.userid).where(
        or_(
            Contact.region_id.in_(select(Region.id).where(region_filter(ctx.user.scope))),
            Contact.id.in_(
                select(ProjectLiaison.contact_id).where(ProjectLiaison.project_id.in_(in_scope))
            ),
        )
    )
    titles = {name: r.title for name, r in RULES.items()}
    stmt = select(OutboxMessage).where(
        OutboxMessage.recipient.in_(people), OutboxMessage.rule.in_(list(titles))
    )
    if day is not None:
        start = datetime.combine(day, time(), ctx.now.tzinfo).astimezone(UTC)
        stmt = stmt.where(
            OutboxMessage.created_at >= start, OutboxMessage.created_at < start + timedelta(days=1)
        )
    rows = list(ctx.session.scalars(stmt.order_by(OutboxMessage.id.desc()).limit(SHOWN)))
    names = dict(
        ctx.session.execute(
            select(Contact.userid, Contact.name).where(
                Contact.userid.in_({r.recipient for r in rows})
            )
        ).all()
    )
    when = f"{day:%Y-%m-%d} " if day else "最近"
    if not rows:
        return Reply(
            f"{when}没有发给本地区人员的提醒。提醒每个工作日 {ctx.settings.reminder_hour} 点发出。"
        )
    failed = sum(r.status == "failed" for r in rows)
    lines = [f"{when}提醒 {len(rows)} 条" + (f"，其中失败 {failed} 条：" if failed else "：")]
    for r in rows:
        at = (r.sent_at or r.created_at).astimezone(ctx.now.tzinfo)
        who = names.get(r.recipient, r.recipient)
        line = f"· {at:%m-%d %H:%M} {titles.get(r.rule, r.rule)} → {who}：{STATUS.get(r.status, r.status)}"
        if r.status == "failed" or (r.status == "pending" and r.attempts):
            line += f"（{r.last_errcode or ''} {r.last_error[:60]}）"
        lines.append(line)
    if failed:
        lines.append(
            "失败多因对方不在应用可见范围或账号有误：请核对企业微信账号，修正后提醒会在下次运行时重发。"
        )
    return Reply("\n".join(lines))


@router.event("template_card_event")
def card_button(msg: Incoming, ctx: HandlerContext) -> Reply:
    """The overdue card's buttons: 已安排发放 is recorded; 查看明细 lists the overdue lines."""
    key, _, day = msg.event_key.partition(":")
    if key == ACK_KEY:
        ctx.session.add(
            AuditLog(
                actor=ctx.user.userid,
                channel=ctx.channel,
                action="overdue_ack",
                subject=msg.task_id[:200],
                detail={"day": day},
                at=ctx.now,
            )
        )
        return Reply(
            "已记录：您已安排发放逾期劳务报酬。发放后请发送“发放 项目：… 期间：… 日期：…”逐人登记，"
            "登记后提醒会自动停止；未登记的仍按逾期计算。"
        )
    if key == DETAIL_KEY:
        return Reply(overdue_detail(ctx))
    return Reply.empty()


def overdue_detail(ctx: HandlerContext) -> str:
    """Overdue lines in the user's projects: project, worker, period, outstanding, days late."""
    if not ctx.user.is_staff:
        return "只有项目联系人和管理员可以查看欠薪明细。"
    ids = projects_in_scope(ctx.user).with_only_columns(Project.id)
    late = overdue(ctx.session, ctx.today, project_ids=ids)
    if not late:
        return f"截至 {ctx.today:%Y-%m-%d}，您负责的项目没有逾期未发的劳务报酬。"
    shown = late[:SHOWN]
    codes = dict(
        ctx.session.execute(
            select(Project.id, Project.code).where(Project.id.in_({b.project_id for b in shown}))
        ).all()
    )
    names = dict(
        ctx.session.execute(
            select(Worker.id, Worker.name).where(Worker.id.in_({b.worker_id for b in shown}))
        ).all()
    )
    total = sum(b.outstanding_fen for b in late)
    lines = [f"逾期未发明细（截至 {ctx.today:%Y-%m-%d}，共 {len(late)} 条 {format_fen(total)}）："]
    for b in shown:
        lines.append(
            f"· {codes[b.project_id]} {names[b.worker_id]} {b.period}：未发 {format_fen(b.outstanding_fen)}，"
            f"应于 {b.due:%m-%d} 发放，逾期 {(ctx.today - b.due).days} 天"
        )
    if len(late) > SHOWN:
        lines.append(f"……另有 {len(late) - SHOWN} 条，发送“欠薪”查看全部。")
    lines.append("发放后请发送“发放 项目：… 期间：…”登记。工人可拨打 12333 人社服务热线反映欠薪。")
    return "\n".join(lines)
