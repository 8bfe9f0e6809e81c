"""代发文件: the bank's 代发 file for a pay sheet, full account and ID numbers (audited).

The only file the bot makes with full numbers: the bank needs them. It goes only to the
project's liaisons and the admins of its region (`project_from`), and every one is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl import Workbook
from sqlalchemy import func, select

from bot.context import HandlerContext, Incoming, Reply
from bot.errors import UserError
from bot.router import Router
from handlers.ledger.common import money
from handlers.payroll.bank_layout import GENERIC, Layout, load_layouts
from handlers.payroll.commands import BANK_EXAMPLE, file_name, sheet_from
from handlers.payroll.outgoing import send_file
from handlers.payroll.sheet import PaySheet
from handlers.tabular.safe_cells import xlsx_row
from handlers.tabular.xlsx_out import workbook_bytes
from models import PayMethod, Role, WagePayment, Worker
from models.money import fen_to_yuan
from models.privacy import personal_data

router = Router("bank")


@dataclass
class BankRow:
    name: str
    account: str
    bank: str
    amount_fen: int
    id_number: str
    account_type: str
    summary: str


def bank_amounts(ctx: HandlerContext, sheet: PaySheet) -> tuple[dict[int, int], str]:
    """worker id → amount to pay, and what it is: the sheet's 本次应发, or, once that is all
    recorded as paid, the latest 银行代发 batch of the period (net of reversals)."""
    due = {r.worker_id: r.due_fen for r in sheet.rows if r.due_fen > 0}
    if due:
        return due, "本次应发"
    reversed_ids = select(WagePayment.reverses_id).where(WagePayment.reverses_id.is_not(None))
    base = select(WagePayment).where(
        WagePayment.project_id == sheet.project.id,
        WagePayment.period == sheet.period,
        WagePayment.method == PayMethod.BANK,
        WagePayment.reverses_id.is_(None),
        WagePayment.id.not_in(reversed_ids),
    )
    latest = ctx.session.scalar(base.with_only_columns(func.max(WagePayment.paid_on)))
    if latest is None:
        return {}, ""
    out: dict[int, int] = {}
    for p in ctx.session.scalars(base.where(WagePayment.paid_on == latest)):
        out[p.worker_id] = out.get(p.worker_id, 0) + p.amount_fen
    return out, f"{latest:%Y-%m-%d} 已登记的银行代发"


def bank_rows(
    ctx: HandlerContext, sheet: PaySheet, amounts: dict[int, int]
) -> tuple[list[BankRow], list[str]]:
    """Rows with full numbers, and the names of those who have no account yet."""
    pd = personal_data(ctx.settings.effective_data_key)
    workers = {
        w.id: w for w in ctx.session.scalars(select(Worker).where(Worker.id.in_(list(amounts))))
    }
    rows: list[BankRow] = []
    missing: list[str] = []
    summary = f"{sheet.project.code} {sheet.period} 劳务报酬"
    for r in sheet.rows:
        amount = amounts.get(r.worker_id)
        if not amount:
            continue
        w = workers[r.worker_id]
        if not w.account_cipher:
            missing.append(w.name)
            continue
        rows.append(
            BankRow(
                w.name,
                pd.decrypt(w.account_cipher),
                w.bank,
                amount,
                pd.decrypt(w.id_cipher),
                w.account_type or "",
                summary,
            )
        )
    return rows, missing


def layout_xlsx(layout: Layout, rows: list[BankRow]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(layout.sheet)
    ws.append([h for h, _ in layout.columns])
    for i, r in enumerate(rows, start=1):
        values = {
            "序号": i,
            "姓名": r.name,
            "账号": r.account,  # text, never a number: 19 digits would lose precision
            "开户行": r.bank,
            "金额": fen_to_yuan(r.amount_fen),
            "身份证号": r.id_number,
            "账户类型": r.account_type,
            "摘要": r.summary,
        }
        ws.append(xlsx_row(ws, [values[f] for _, f in layout.columns]))
    return workbook_bytes(wb)


@router.command(
    "代发文件",
    aliases=("代发表", "银行代发文件", "代发清单"),
    help="生成某月工资的银行代发文件（通用格式，县里配置了格式的另附一份），含完整账号和身份证号，只发给项目联系人和管理员，并记入审计",
    example=BANK_EXAMPLE,
    roles=(Role.ADMIN, Role.LIAISON),
)
def bank_file(msg: Incoming, ctx: HandlerContext) -> Reply:
    sheet, _ = sheet_from(ctx, BANK_EXAMPLE)
    amounts, what = bank_amounts(ctx, sheet)
    if not amounts:
        raise UserError(
            f"项目 {sheet.project.code} {sheet.period} 没有待发的工资，也没有银行代发记录，不需要代发文件。"
        )
    rows, missing = bank_rows(ctx, sheet, amounts)
    if not rows:
        raise UserError(
            f"{sheet.period} 要代发的 {len(missing)} 人都没有登记工资账户，无法生成代发文件。"
            "请先登记：登记工人 项目：… 姓名：… 身份证：… 银行卡：… 开户行：…"
        )
    layouts = [GENERIC]
    county = sheet.project.region.county if sheet.project.region else ""
    configured = load_layouts(ctx.settings.bank_layouts).get(county)
    if configured is not None:
        layouts.append(configured)
    for layout in layouts:
        name = file_name(f"代发文件_{layout.name}", sheet.project, sheet.period, "xlsx")
        send_file(ctx, layout_xlsx(layout, rows), name)
    total = sum(r.amount_fen for r in rows)
    ctx.audit(
        "bank_file",
        sheet.project.code,
        period=sheet.period,
        rows=len(rows),
        total_fen=total,
        layouts=[x.name for x in layouts],
    )
    lines = [
        f"已生成代发文件（{'、'.join(x.name for x in layouts)}）：{len(rows)}人，合计 {money(total)}（按{what}），文件随后发到本对话。",
        "文件含完整账号和身份证号，仅供报送银行，请勿转发到群里；本次生成已记入审计日志。",
    ]
    if missing:
        lines.append(f"{len(missing)}人没有登记工资账户，未列入：{'、'.join(missing[:20])}")
    if what == "本次应发":
        lines.append(
            f"银行代发后登记发放：发放 按工资表 项目：{sheet.project.code} 期间：{sheet.period} 日期：… 方式：银行代发；"
            "银行的回单（成功/失败明细）直接发给我导入，失败的会自动冲正。"
        )
    return Reply("\n".join(lines))
