"""导出 from WeCom: the ledgers of a project as file messages, with 姓名 and entry numbers.

The same entries as `yigong export` (those in force), for a liaison's projects or an admin's
region. ID numbers are masked; an admin may ask for the filing version (`备案`) with full
ID numbers, which is audited like every export. Accounts are always masked.
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook

from bot.context import HandlerContext, Incoming, Reply
from bot.errors import UserError
from bot.router import Router
from domain.parsing import parse_or_refuse, refusal
from handlers.ledger.common import PROJECT_KEY, project_from
from handlers.payroll.outgoing import send_file
from handlers.tabular.exporter import Exporter, _num
from handlers.tabular.safe_cells import xlsx_row
from handlers.tabular.workbook import _wage_sheets
from handlers.tabular.xlsx_out import workbook_bytes
from models import PublicPost, Role, Training, WagePayment, WorkRecord
from models.money import fen_to_yuan

router = Router("exports")

EXAMPLE = "导出 台账 项目：NT-2026-001"
KINDS = {
    "台账": "work",
    "务工": "work",
    "记工": "work",
    "务工台账": "work",
    "工资": "wages",
    "发放": "wages",
    "发放台账": "wages",
    "培训": "training",
    "培训台账": "training",
    "岗位": "posts",
    "公益性岗位": "posts",
}
LABELS = {
    "work": "务工台账",
    "wages": "劳务报酬发放台账",
    "training": "技能培训台账",
    "posts": "公益性岗位",
}
HEAD = ["记录号", "项目编号", "姓名", "身份证号"]
COLUMNS = {
    "work": ["日期", "天数", "日薪(元)", "应发(元)", "期间", "录入人", "录入方式"],
    "wages": ["期间", "金额(元)", "发放日期", "方式", "凭证号", "录入人", "录入方式"],
    "training": ["日期", "内容", "方式", "学时", "录入人", "录入方式"],
    "posts": ["岗位类型", "月薪(元)", "开始日期", "结束日期", "录入人", "录入方式"],
}
FILING_WORDS = ("备案", "备案版", "完整", "全号")


class ChatExporter(Exporter):
    """An Exporter whose ID numbers are full only for an admin who asked for the filing copy."""

    filing: bool = False

    @property
    def full_ids(self) -> bool:
        return self.filing and self.actor is not None and self.actor.is_admin


def _values(kind: str, e: Any) -> list[Any]:
    if kind == "work":
        return [
            e.work_date,
            _num(e.days),
            fen_to_yuan(e.daily_wage_fen),
            fen_to_yuan(e.due_fen),
            e.period,
        ]
    if kind == "wages":
        return [e.period, fen_to_yuan(e.amount_fen), e.paid_on, e.method, e.voucher]
    if kind == "training":
        return [e.train_date, e.topic, e.mode, _num(e.hours)]
    return [e.post_type, fen_to_yuan(e.monthly_pay_fen), e.start_date, e.end_date or ""]


MODELS: dict[str, Any] = {
    "work": WorkRecord,
    "wages": WagePayment,
    "training": Training,
    "posts": PublicPost,
}


@router.command(
    "导出",
    aliases=("下载",),
    help="把项目的台账导出为 Excel 文件发给您：导出 台账 / 工资 / 培训 / 岗位（身份证号遮挡；管理员可加“备案”导出完整身份证号，记入审计）",
    example=EXAMPLE,
    roles=(Role.ADMIN, Role.LIAISON),
)
def export(msg: Incoming, ctx: HandlerContext) -> Reply:
    words = ctx.args.split(maxsplit=1)
    what = words[0] if words else ""
    kind = KINDS.get(what)
    if kind is None:
        raise UserError(
            refusal(
                [f"要导出什么？请写 台账、工资、培训 或 岗位（收到“{what}”）"],
                EXAMPLE,
                writes=False,
            )
        )
    rest = words[1] if len(words) > 1 else ""
    filing = any(w in rest.split() for w in FILING_WORDS)
    for w in FILING_WORDS:
        rest = rest.replace(w, " ")
    fields, _ = parse_or_refuse(rest, PROJECT_KEY, EXAMPLE, writes=False)
    project = project_from(ctx, fields, EXAMPLE, writes=False)
    if filing and not ctx.user.is_admin:
        raise UserError("完整身份证号的备案版只有管理员可以导出；联系人导出的文件身份证号已遮挡。")
    exp = ChatExporter(ctx.session, ctx.settings, ctx.user, project.code)
    exp.filing = filing
    entries, people = exp._ledger(MODELS[kind])
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(LABELS[kind])
    ws.append(HEAD + COLUMNS[kind])
    rows = []
    for e, code in entries:
        name, number, _ = people[e.worker_id]
        ws.append(
            xlsx_row(ws, [e.number, code, name, number, *_values(kind, e), e.created_by, e.channel])
        )
        rows.append([code, number, *_values(kind, e)[:5]])
    if kind == "wages":
        _wage_sheets(wb, [[c, n, p, a, d, m, v] for c, n, p, a, d, m, v in rows], exp)
    version = "备案版" if exp.full_ids else ""
    name = f"{LABELS[kind]}{version}_{project.code}_{ctx.today:%Y%m%d}.xlsx"
    send_file(ctx, workbook_bytes(wb), name)
    ctx.audit(
        "export", kind, project=project.code, rows=len(entries), full_ids=exp.full_ids, file=name
    )
    note = "身份证号为完整号码，请妥善保管，勿转发。" if exp.full_ids else "身份证号已遮挡。"
    return Reply(f"已导出 {name}（{len(entries)} 条，已记入审计日志），文件随后发到本对话。{note}")
