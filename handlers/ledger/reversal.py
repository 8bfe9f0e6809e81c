"""冲正: cancel a ledger entry by a reversal row that points at it; nothing is deleted."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from bot.context import HandlerContext, Incoming, Reply
from bot.errors import UserError
from bot.router import Router
from bot.text import normalize
from domain.access import require_project
from domain.parsing import parse_or_refuse, refusal
from handlers.ledger.common import money
from models import Project, PublicPost, Role, Training, WagePayment, Worker, WorkRecord
from models.locks import lock_workers
from models.wages import balances

router = Router("reversal")

EXAMPLE = "冲正 记录号：W-000123 原因：重复录入"
ALIASES = {"记录号": ("编号", "单号", "记录", "号码"), "原因": ("理由", "说明", "备注")}
_MODELS: dict[str, Any] = {m.PREFIX: m for m in (WorkRecord, WagePayment, Training, PublicPost)}
_NUMBER = re.compile(r"^([A-Z])-?0*(\d{1,12})$")
# The quantities a reversal negates, per ledger.
_NEGATE = {
    "W": ("days", "due_fen"),
    "P": ("amount_fen",),
    "T": ("hours",),
    "G": ("monthly_pay_fen",),
}
_COPY = {
    "W": ("work_date", "end_date", "period", "daily_wage_fen"),
    "P": ("period", "paid_on", "method", "voucher"),
    "T": ("train_date", "topic", "mode"),
    "G": ("post_type", "start_date", "end_date"),
}


def describe(entry: Any, worker: Worker) -> str:
    if isinstance(entry, WorkRecord):
        return f"{worker.name} {entry.work_date:%Y-%m-%d} {entry.days:g}天 {money(entry.due_fen)}"
    if isinstance(entry, WagePayment):
        return f"{worker.name} {entry.period} 发放 {money(entry.amount_fen)}（{entry.paid_on:%Y-%m-%d}）"
    if isinstance(entry, Training):
        return f"{worker.name} {entry.train_date:%Y-%m-%d} 培训“{entry.topic}” {entry.hours:g}学时"
    return f"{worker.name} {entry.post_type} 月薪 {money(entry.monthly_pay_fen)}"


@router.command(
    "冲正",
    aliases=("撤销", "更正", "作废"),
    help="撤销一条记错的台账记录（记一条冲正记录，原记录保留可查），然后重新记",
    example=EXAMPLE,
    roles=(Role.ADMIN, Role.LIAISON),
)
def reverse(msg: Incoming, ctx: HandlerContext) -> Reply:
    fields, body = parse_or_refuse(ctx.args, ALIASES, EXAMPLE)
    raw = normalize(fields.get("记录号") or (body[0] if body else "")).upper()
    reason = fields.get("原因", "").strip()
    problems = []
    m = _NUMBER.match(raw)
    if not m or m.group(1) not in _MODELS:
        problems.append(
            f"记录号“{raw}”不对：应为记账回复中的编号，如 W-000123（W记工、P发放、T培训、G岗位）"
        )
    if not reason:
        problems.append("缺少原因，如“原因：重复录入”")
    if problems:
        raise UserError(refusal(problems, EXAMPLE))
    assert m is not None
    prefix, entry_id = m.group(1), int(m.group(2))
    model = _MODELS[prefix]
    entry = ctx.session.get(model, entry_id)
    number = model.number_of(entry_id)
    # An entry of a project out of scope reads exactly like one that does not exist.
    unknown = UserError(refusal([f"没有您可以冲正的记录 {number}"], EXAMPLE))
    if entry is None:
        raise unknown
    project = ctx.session.get(Project, entry.project_id)
    assert project is not None
    try:
        require_project(ctx, project.code)
    except UserError:
        raise unknown from None
    lock_workers(ctx.session, [entry.worker_id])  # the balance check below reads then writes
    if entry.reverses_id is not None:
        raise UserError(f"{number} 本身是一条冲正记录，不能再冲正。如需恢复，请重新记账。")
    already = ctx.session.scalar(select(model.id).where(model.reverses_id == entry.id))
    if already is not None:
        raise UserError(f"{number} 已被 {model.number_of(already)} 冲正过，不能重复冲正。")
    values = {k: getattr(entry, k) for k in _COPY[prefix]}
    values |= {k: -getattr(entry, k) for k in _NEGATE[prefix]}
    row = model(
        project_id=entry.project_id,
        worker_id=entry.worker_id,
        reverses_id=entry.id,
        reason=reason[:200],
        created_by=ctx.user.userid,
        channel=ctx.channel,
        **values,
    )
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit(
        "ledger.reverse", project.code, entry=number, reversal=row.number, reason=reason[:200]
    )
    worker = ctx.session.get(Worker, entry.worker_id)
    assert worker is not None
    text = (
        f"已冲正 {number}（{describe(entry, worker)}），冲正记录号 {row.number}，原因：{reason}。\n"
        "原记录保留可查，台账合计已扣除。如需重新记账，请按正确内容再发一次。"
    )
    if isinstance(entry, WorkRecord):
        text += _overpaid_note(ctx, entry)
    return Reply(text)


def _overpaid_note(ctx: HandlerContext, entry: WorkRecord) -> str:
    """Reversing paid work may leave paid above owed: say so, and how to settle it."""
    found = balances(
        ctx.session, project_ids=[entry.project_id], worker_id=entry.worker_id, period=entry.period
    )
    if not found or found[0].paid_fen <= found[0].owed_fen:
        return ""
    b = found[0]
    ctx.audit("ledger.overpaid", str(entry.project_id), worker_id=entry.worker_id, period=b.period)
    return (
        f"\n注意：冲正后此人 {b.period} 应发 {money(b.owed_fen)}，已发 {money(b.paid_fen)}，"
        f"已发超过应发 {money(b.paid_fen - b.owed_fen)}。请补记实际出工，"
        "或冲正多登记的发放记录（P-…），使发放台账与务工台账一致。"
    )
