"""The bank's 代发 result file (回单明细): who was paid, who failed and why.

Each row is matched by account number (keyed hash) and amount to the latest payment in
force for that worker; failed payments are reversed with the bank's reason, so the worker
is owed again and shows on the next pay sheet. All or nothing, like every import.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select

from bot.errors import UserError
from domain.access import project_ids_in_scope
from domain.entries import write_wage_reversals
from domain.parsing import parse_amount, parse_period
from handlers.ledger.common import money
from handlers.tabular.importer import ImportContext, ImportReport
from handlers.tabular.readers import cell_text, iter_raw_rows
from models import PayMethod, Project, WagePayment, Worker
from models.privacy import personal_data

_LABELS = {
    "账号": (
        "账号",
        "卡号",
        "收款账号",
        "收款人账号",
        "账户",
        "银行账号",
        "客户账号",
        "收款卡号",
        "银行卡号",
    ),
    "姓名": ("姓名", "户名", "收款人", "收款人姓名", "客户名称", "账户名称", "收款户名"),
    "金额": ("金额", "交易金额", "金额(元)", "实付金额", "代发金额", "发生额"),
    "状态": (
        "状态",
        "处理状态",
        "交易状态",
        "处理结果",
        "结果",
        "代发结果",
        "交易结果",
        "入账状态",
    ),
    "原因": ("失败原因", "原因", "备注", "错误信息", "返回信息", "说明", "失败信息", "附言"),
}
_LABEL_OF = {a: k for k, aliases in _LABELS.items() for a in aliases}
_OK = ("成功", "已入账", "入账成功", "正常", "已处理")
_FAILED = ("失败", "退回", "退票", "拒绝", "不符", "错误", "销户", "冻结", "不存在", "挂失")
REASON_PREFIX = "银行代发失败"


def _header(row: list[object]) -> dict[str, int]:
    out: dict[str, int] = {}
    for c, cell in enumerate(row):
        key = _LABEL_OF.get(unicodedata.normalize("NFKC", cell_text(cell)).replace(" ", ""))
        if key and key not in out:
            out[key] = c
    return out


def find_result_header(rows: list[list[object]]) -> tuple[int, dict[str, int]] | None:
    for i, row in enumerate(rows[:10]):
        cols = _header(row)
        if {"账号", "金额", "状态"} <= set(cols):
            return i, cols
    return None


def looks_like_result(name: str, data: bytes) -> bool:
    rows = []
    for row in iter_raw_rows(name, data):
        rows.append(row)
        if len(rows) >= 10:
            break
    return find_result_header(rows) is not None


def _status(text: str) -> bool | None:
    """True: paid; False: failed; None: not understood."""
    s = text.replace(" ", "")
    if any(w in s for w in _FAILED):
        return False
    if any(w in s for w in _OK):
        return True
    return None


def import_bank_result(
    ic: ImportContext, name: str, data: bytes, options: dict[str, str]
) -> ImportReport:
    raw = list(iter_raw_rows(name, data))
    found = find_result_header(raw)
    if found is None:
        raise UserError(
            f"{name} 看不出是银行代发回单：表头应有 账号（或卡号）、金额 和 状态（或处理结果）"
        )
    start, cols = found
    report = ImportReport("bank-result")
    if start:
        report.notes.append(f"跳过表头上方的 {start} 行")
    pd = personal_data(ic.settings.effective_data_key)
    period = parse_period(options["期间"], ic.today) if options.get("期间") else None
    scope = select(Project.id) if ic.actor is None else project_ids_in_scope(ic.actor)
    if options.get("项目"):
        scope = scope.where(Project.code == options["项目"].strip().upper())
    reversed_ids = select(WagePayment.reverses_id).where(WagePayment.reverses_id.is_not(None))
    plans: list[tuple[int, WagePayment, str]] = []
    paid_ok = 0
    seen: set[int] = set()
    already = 0
    for n, row in enumerate(raw[start + 1 :], start=start + 2):
        values = [cell_text(c) for c in row]
        values += [""] * (max(cols.values()) + 1 - len(values))
        account = re.sub(r"[\s-]", "", values[cols["账号"]])
        if not account and not values[cols["金额"]]:
            continue
        if not account.isdigit():
            if values[0].startswith(("合计", "总计", "笔数")):
                continue
            report.add(n, "账号不是数字")
            continue
        report.rows += 1
        status = _status(values[cols["状态"]])
        if status is None:
            report.add(n, f"状态“{values[cols['状态']]}”看不懂，应为 成功 或 失败")
            continue
        try:
            fen = parse_amount(values[cols["金额"]])
        except UserError as err:
            report.add(n, err.message)
            continue
        workers = list(
            ic.session.scalars(
                select(Worker.id).where(Worker.account_hash == pd.lookup_hash(account))
            )
        )
        if not workers:
            report.add(n, f"账号尾号 {account[-4:]} 不是任何已登记工人的工资账户")
            continue
        base = select(WagePayment).where(
            WagePayment.worker_id.in_(workers),
            WagePayment.project_id.in_(scope),
            WagePayment.amount_fen == fen,
            WagePayment.method.in_([PayMethod.BANK, PayMethod.CARD, PayMethod.SOCIAL_CARD]),
            WagePayment.reverses_id.is_(None),
        )
        if period:
            base = base.where(WagePayment.period == period)
        in_force = base.where(WagePayment.id.not_in(reversed_ids), WagePayment.id.not_in(seen))
        payment = ic.session.scalars(
            in_force.order_by(WagePayment.paid_on.desc(), WagePayment.id.desc())
        ).first()
        if payment is None:
            if (
                not status
                and ic.session.scalars(base.where(WagePayment.id.in_(reversed_ids))).first()
            ):
                already += 1  # this failure was imported before
                continue
            report.add(
                n,
                f"账号尾号 {account[-4:]} 没有 {money(fen)} 的发放记录（或不在您负责的项目中）：请先登记发放（发放 按工资表 …）",
            )
            continue
        seen.add(payment.id)
        if status:
            paid_ok += 1
        else:
            reason = values[cols["原因"]] if "原因" in cols else ""
            plans.append((n, payment, f"{REASON_PREFIX}：{reason or '银行未说明原因'}"))
    report.skipped = already
    if not report.ok:
        return report
    ids = write_wage_reversals(ic.session, [(p, r) for _, p, r in plans], ic.actor_id, ic.channel)
    report.written = len(ids)
    report.notes.append(
        f"代发成功 {paid_ok} 笔；失败 {len(plans)} 笔已冲正"
        + (f"，{already} 笔失败此前已冲正" if already else "")
    )
    if plans:
        names = {
            w.id: w
            for w in ic.session.scalars(
                select(Worker).where(Worker.id.in_([p.worker_id for _, p, _ in plans]))
            )
        }
        codes = dict(
            ic.session.execute(
                select(Project.id, Project.code).where(
                    Project.id.in_([p.project_id for _, p, _ in plans])
                )
            ).all()
        )
        report.notes.append("仍待发放（请核对账户后重新代发，再登记发放）：")
        for (_, p, reason), rid in zip(plans, ids, strict=True):
            w = names[p.worker_id]
            report.notes.append(
                f"{w.name}（{w.id_masked}）{codes[p.project_id]} {p.period} {money(p.amount_fen)}，"
                f"{reason}；P-{p.id:06d} 已由 P-{rid:06d} 冲正"
            )
    return report
