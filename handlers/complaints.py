"""未收到, 处理, 反映列表: a worker's wage complaint, routed at once to the project's liaisons.

The complaint names one (project, period); the worker is asked for 项目 or 期间 whenever the
ledger leaves a choice. Escalation after 7 days is the reminders' job (SPEC §6).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.context import HandlerContext, Incoming, Reply
from bot.errors import UserError
from bot.router import Router
from bot.text import normalize
from domain.access import project_liaisons, projects_in_scope, region_admins, require_worker
from domain.parsing import parse_fields, parse_period, refusal
from handlers.kf_channel import drop_notice, unreachable_note
from handlers.worker_self import (
    day_text,
    days_text,
    days_worked,
    own_projects,
    status_text,
    throttle,
    worker_label,
)
from models import ComplaintStatus, Project, Role, WageComplaint, Worker
from models.calendar import period_of
from models.locks import lock_workers
from models.money import format_fen
from models.wages import Balance, balances

router = Router("complaints")

HOTLINE_SHORT = "也可以拨打劳动保障监察投诉电话 12333。"
ESCALATE_DAYS = 7
COMPLAIN_EXAMPLE = "未收到 期间：2026-10"
COMPLAIN_ALIASES = {"期间": ("月份", "工资月份", "月"), "项目": ("项目编号", "编号")}
RESOLVE_EXAMPLE = "处理 反映号：F-000001 说明：已于11月20日补发到社保卡"
RESOLVE_ALIASES = {
    "反映号": ("反映编号", "编号", "单号"),
    "说明": ("处理结果", "结果", "处理说明", "回复", "情况"),
    "原因": ("未发原因", "办结原因", "理由"),
}
MAX_REASON = 200
_NUMBER = re.compile(r"^F?-?0*(\d{1,12})$")


def _refuse(problems: list[str], example: str, hotline: bool = False) -> UserError:
    text = refusal(problems, example)
    return UserError(text + ("\n" + HOTLINE_SHORT if hotline else ""))


def ledger_text(b: Balance | None, days: Decimal, today: date) -> str:
    """One (project, period) as the ledger has it."""
    if b is None or b.owed_fen == 0 and b.paid_fen == 0:
        return "台账上该月没有出工和发放记录"
    return (
        f"出工{days_text(days)}，应发{format_fen(b.owed_fen)}，已发{format_fen(b.paid_fen)}，"
        f"未发{format_fen(max(b.outstanding_fen, 0))}；{status_text(b, today)}"
    )


def _codes(projects: list[Project]) -> str:
    return "、".join(p.code for p in projects)


@router.command(
    "未收到",
    aliases=("没收到", "工资未收到", "工资没收到", "没收到工资", "反映欠薪"),
    help="务工人员反映某月工资没有收到，马上转给项目联系人（需先“绑定”）",
    example=COMPLAIN_EXAMPLE
    + "\n（参加了多个项目时写上项目：未收到 项目：NT-2026-001 期间：2026-10）",
)
def complain(msg: Incoming, ctx: HandlerContext) -> Reply:
    worker = require_worker(ctx)
    throttle(ctx)
    session, today = ctx.session, ctx.today
    try:
        fields, body = parse_fields(ctx.args, COMPLAIN_ALIASES)
    except UserError as err:
        raise _refuse([err.message], COMPLAIN_EXAMPLE, hotline=True) from None
    if len(body) > 1 or (body and fields.get("期间")):
        raise _refuse(["请只写一个月份，例如“期间：2026-10”"], COMPLAIN_EXAMPLE, hotline=True)
    period: str | None = None
    if fields.get("期间") or body:
        try:
            period = parse_period(fields.get("期间") or body[0], today)
        except UserError as err:
            raise _refuse([err.message], COMPLAIN_EXAMPLE, hotline=True) from None
        if period > period_of(today):
            raise _refuse(
                [f"{period} 还没到，请写已经干完活的月份"], COMPLAIN_EXAMPLE, hotline=True
            )
    projects = own_projects(session, worker.id)
    if not projects:
        raise UserError(
            "您还没有在任何项目登记，无法转给项目联系人。请联系施工方或村里登记；" + HOTLINE_SHORT
        )
    if fields.get("项目"):
        code = normalize(fields["项目"]).upper()
        projects = [p for p in projects if p.code == code]
        if not projects:
            mine = _codes(own_projects(session, worker.id))
            raise _refuse(
                [f"您不在项目 {code} 的务工名单中，您参与的项目是：{mine}"], COMPLAIN_EXAMPLE, True
            )
    project, period = _choose(session, worker, projects, period)
    lock_workers(session, [worker.id])  # two 未收到 at once must not open two complaints
    found = balances(session, project_ids=[project.id], worker_id=worker.id, period=period)
    balance = found[0] if found else None
    days = days_worked(session, worker.id).get((project.id, period), Decimal(0))
    existing = session.scalar(
        select(WageComplaint).where(
            WageComplaint.project_id == project.id,
            WageComplaint.worker_id == worker.id,
            WageComplaint.period == period,
            WageComplaint.status == ComplaintStatus.OPEN,
        )
    )
    if existing is not None:
        since = existing.created_at.astimezone(ctx.settings.tz)
        return Reply(
            f"您对项目 {project.code} {period} 工资的反映（{existing.number}）已于{since:%m月%d日}转给项目联系人，"
            f"正在处理，不用重复反映。处理结果会发消息告诉您；{ESCALATE_DAYS}天内没有处理将上报县发展改革部门。"
            + HOTLINE_SHORT
        )
    complaint = WageComplaint(
        project_id=project.id,
        worker_id=worker.id,
        period=period,
        created_at=ctx.now,  # the escalation clock starts here (frozen in tests and replays)
        created_by=ctx.user.userid,
    )
    session.add(complaint)
    session.flush()
    ledger = ledger_text(balance, days, today)
    recipients = project_liaisons(session, project)
    to_admins = not recipients
    if to_admins:
        recipients = region_admins(session, project)
    notice = (
        f"【欠薪反映 {complaint.number}】项目 {project.code} {project.name} 的务工人员 "
        f"{worker_label(worker)} 反映 {period} 的工资没有收到。\n台账：{ledger}。\n"
        f"请核实并发放，然后回复：\n处理 反映号：{complaint.number} 说明：……\n"
        f"{ESCALATE_DAYS}天内没有处理将上报县级管理员。"
    )
    for to in recipients:
        ctx.send(to, notice, dedup_key=f"complaint:{complaint.id}:{to}", rule="complaint")
    ctx.audit(
        "complaint.open",
        complaint.number,
        project=project.code,
        period=period,
        sent=len(recipients),
    )
    who = "县发展改革部门" if to_admins else "项目联系人"
    return Reply(
        f"已收到您的反映（编号 {complaint.number}）：项目 {project.code} {period} 的工资没有收到。\n"
        f"台账上：{ledger}。\n已转给{who}核实处理，处理结果会发消息告诉您；"
        f"{ESCALATE_DAYS}天内没有处理将上报县发展改革部门。\n" + HOTLINE_SHORT
    )


def _choose(
    session: Session, worker: Worker, projects: list[Project], period: str | None
) -> tuple[Project, str]:
    """The one (project, period) meant, or a refusal that lists the choices."""
    ids = {p.id: p for p in projects}
    unpaid = [
        b
        for b in balances(session, worker_id=worker.id, period=period)
        if b.project_id in ids and b.outstanding_fen > 0
    ]
    if period is None:
        if len(unpaid) == 1:
            return ids[unpaid[0].project_id], unpaid[0].period
        if not unpaid:
            raise UserError(
                "台账上您没有未发的工资。如果确实有工资没收到，请写明月份（台账可能漏记），例如：\n"
                f"{COMPLAIN_EXAMPLE}\n" + HOTLINE_SHORT
            )
        lines = ["台账上您有多笔工资未发清，请写明是哪个月（和项目）："]
        lines += [
            f"· 项目：{ids[b.project_id].code} 期间：{b.period}，未发{format_fen(b.outstanding_fen)}"
            for b in unpaid
        ]
        first = unpaid[0]
        lines += [
            "例如：",
            f"未收到 项目：{ids[first.project_id].code} 期间：{first.period}",
            HOTLINE_SHORT,
        ]
        raise UserError("\n".join(lines))
    if len(projects) == 1:
        return projects[0], period
    with_debt = {b.project_id for b in unpaid}
    if len(with_debt) == 1:
        return ids[with_debt.pop()], period
    raise UserError(
        f"您参加了多个项目（{_codes(projects)}），请写明是哪个项目的 {period} 工资没收到，例如：\n"
        f"未收到 项目：{projects[0].code} 期间：{period}\n" + HOTLINE_SHORT
    )


@router.command(
    "处理",
    aliases=("处理反映", "回复反映", "办结"),
    help="联系人处理务工人员的欠薪反映，处理说明会转告本人",
    example=RESOLVE_EXAMPLE,
    roles=(Role.ADMIN, Role.LIAISON),
)
def resolve(msg: Incoming, ctx: HandlerContext) -> Reply:
    session = ctx.session
    try:
        fields, body = parse_fields(ctx.args, RESOLVE_ALIASES)
    except UserError as err:
        raise _refuse([err.message], RESOLVE_EXAMPLE) from None
    problems = [] if fields.get("反映号") else ["缺少“反映号”（如 F-000001）"]
    if not fields.get("说明"):
        problems.append("缺少“说明”（处理结果，会转告务工人员）")
    m = _NUMBER.match(normalize(fields.get("反映号", "")).upper().replace(" ", ""))
    if fields.get("反映号") and m is None:
        problems.append(f"反映号“{fields['反映号']}”看不懂，应写成 F-000001")
    if body or problems:
        raise _refuse(problems or ["请把每项写成“键：值”"], RESOLVE_EXAMPLE)
    assert m is not None
    number = f"F-{int(m.group(1)):06d}"
    complaint = session.get(WageComplaint, int(m.group(1)))
    allowed = complaint is not None and session.scalar(
        projects_in_scope(ctx.user)
        .where(Project.id == complaint.project_id)
        .with_only_columns(Project.id)
    )
    if complaint is None or not allowed:
        raise UserError(
            f"没有找到反映 {number}，或它不属于您负责的项目。发送“反映列表”查看待处理的反映。"
        )
    if complaint.status != ComplaintStatus.OPEN:
        at = complaint.resolved_at.astimezone(ctx.settings.tz) if complaint.resolved_at else None
        when = f"{at:%Y-%m-%d}" if at else ""
        raise UserError(
            f"反映 {number} 已于{when}由 {complaint.resolved_by} 处理过：{complaint.resolution}。"
            "如需补充，请直接联系务工人员。"
        )
    note = fields["说明"]
    project = session.get(Project, complaint.project_id)
    worker = session.get(Worker, complaint.worker_id)
    assert project is not None and worker is not None
    found = balances(
        session, project_ids=[project.id], worker_id=worker.id, period=complaint.period
    )
    outstanding = found[0].outstanding_fen if found else 0
    reason = fields.get("原因", "").strip()
    if outstanding > 0 and not reason:
        # closing while the ledger says unpaid needs a reason the county admins will see;
        # until then the complaint stays open and keeps escalating
        raise UserError(
            f"没有办结：台账上 {project.code} {complaint.period} 仍未发 {format_fen(outstanding)}。\n"
            f"已发放的，请先登记：发放 项目：{project.code} 期间：{complaint.period} 日期：… 方式：银行代发，"
            "再发送“处理”；\n确需在台账未发放时办结的（如工资已由其他渠道发放、反映有误），请写明原因，"
            f"原因会报县级管理员：\n处理 反映号：{number} 说明：…… 原因：……"
        )
    if len(reason) > MAX_REASON:
        raise _refuse([f"原因最多 {MAX_REASON} 字，收到 {len(reason)} 字"], RESOLVE_EXAMPLE)
    complaint.status = ComplaintStatus.RESOLVED
    complaint.resolved_at = ctx.now
    complaint.resolved_by = ctx.user.userid
    complaint.resolution = note + (
        f"（台账未发放 {format_fen(outstanding)} 即办结，原因：{reason}）"
        if outstanding > 0
        else ""
    )
    if outstanding > 0:
        for admin in region_admins(session, project):
            ctx.send(
                admin,
                f"【欠薪反映未发放即办结】{ctx.user.name or ctx.user.userid} 办结了反映 {number}"
                f"（项目 {project.code} {project.name}，{worker_label(worker)}，{complaint.period}），"
                f"台账上该月仍未发 {format_fen(outstanding)}。\n说明：{note}\n原因：{reason}\n"
                "如有疑问请联系项目联系人核实；工人仍可拨打 12333。",
                dedup_key=f"complaint-closed-unpaid:{complaint.id}",
                rule="complaint",
            )
    unreachable = unreachable_note(ctx, worker)  # a 微信客服 worker outside the 48-hour window
    if worker.wecom_userid and unreachable is None:
        ledger = ledger_text(
            found[0] if found else None,
            days_worked(session, worker.id).get((project.id, complaint.period), Decimal(0)),
            ctx.today,
        )
        again = f"如果仍没有收到，可以再次发送“未收到 期间：{complaint.period}”，"
        answer = (
            f"您反映的项目 {project.code} {complaint.period} 工资（{number}）已处理。\n"
            f"联系人说明：{note}\n台账现在：{ledger}。\n{again}{HOTLINE_SHORT}"
        )
        ctx.send(
            worker.wecom_userid,
            answer,
            dedup_key=f"complaint-resolved:{complaint.id}",
            rule="complaint",
            # a 微信客服 worker's window may close before it leaves: then the liaison hears
            payload={
                "content": answer,
                "on_drop": drop_notice(ctx, worker, f"反映 {number} 的处理说明"),
            },
        )
    ctx.audit(
        "complaint.resolve",
        number,
        project=project.code,
        period=complaint.period,
        **({"unpaid_fen": outstanding, "reason": reason} if outstanding > 0 else {}),
    )
    if not worker.wecom_userid:
        told = "此人没有绑定企业微信，请另行告知本人。"
    else:
        told = unreachable or "已把处理说明发给本人。"
    text = f"已办结反映 {number}（项目 {project.code} {worker_label(worker)} {complaint.period}），{told}"
    if outstanding > 0:
        text += f"\n台账上该月仍未发{format_fen(outstanding)}，办结原因已报县级管理员；发放后请记“发放”。"
    return Reply(text)


@router.command(
    "反映列表",
    aliases=("欠薪反映列表", "待处理反映", "未处理反映"),
    help="查看您负责的项目里还没处理的务工人员欠薪反映",
    example="反映列表",
    roles=(Role.ADMIN, Role.LIAISON),
)
def open_complaints(msg: Incoming, ctx: HandlerContext) -> Reply:
    scope = projects_in_scope(ctx.user).with_only_columns(Project.id).scalar_subquery()
    rows = ctx.session.execute(
        select(WageComplaint, Project.code, Worker)
        .join(Project, Project.id == WageComplaint.project_id)
        .join(Worker, Worker.id == WageComplaint.worker_id)
        .where(WageComplaint.status == ComplaintStatus.OPEN, WageComplaint.project_id.in_(scope))
        .order_by(WageComplaint.created_at, WageComplaint.id)
        .limit(50)
    ).all()
    if not rows:
        return Reply("您负责的项目目前没有待处理的欠薪反映。")
    lines = [f"待处理的欠薪反映（{len(rows)}条，最早的在前）："]
    for c, code, worker in rows:
        opened = c.created_at.astimezone(ctx.settings.tz).date()
        age = max((ctx.today - opened).days, 0)
        flag = f"，已{age}天" + ("，已超过7天" if age > ESCALATE_DAYS else "")
        lines.append(
            f"· {c.number} {code} {worker_label(worker)} {c.period}（{day_text(opened)}反映{flag}）"
        )
    lines += ["处理后回复：", RESOLVE_EXAMPLE]
    return Reply("\n".join(lines))
