"""工资表 and 代发文件: the month's pay sheet and the bank's 代发 file, as file messages."""

from __future__ import annotations

from bot.context import HandlerContext, Incoming, Reply
from bot.errors import UserError
from bot.router import Router
from domain.parsing import parse_or_refuse, parse_period, period_of, refusal
from handlers.ledger.common import PROJECT_KEY, money, project_from
from handlers.payroll.outgoing import maker, send_file
from handlers.payroll.sheet import PaySheet, build_sheet
from models import Project, Role

router = Router("payroll")

PERIOD_KEY = {"期间": ("月份", "工资月份", "所属期间", "发放期间")}
SHEET_EXAMPLE = "工资表 项目：NT-2026-001 期间：2026-11"
BANK_EXAMPLE = "代发文件 项目：NT-2026-001 期间：2026-11"


def sheet_from(
    ctx: HandlerContext, example: str, extra: dict[str, tuple[str, ...]] | None = None
) -> tuple[PaySheet, dict[str, str]]:
    """The pay sheet a message names (项目, 期间), with the message's other fields."""
    fields, body = parse_or_refuse(
        ctx.args, {**PROJECT_KEY, **PERIOD_KEY, **(extra or {})}, example
    )
    project = project_from(ctx, fields, example, writes=False)
    if not fields.get("期间"):
        raise UserError(refusal(["缺少“期间”，如“期间：2026-11”"], example, writes=False))
    try:
        period = parse_period(fields["期间"], ctx.today)
    except UserError as err:
        raise UserError(refusal([err.message], example, writes=False)) from None
    if period > period_of(ctx.today):
        raise UserError(refusal([f"{period} 还没到"], example, writes=False))
    sheet = build_sheet(ctx.session, project, period)
    if not sheet.rows:
        raise UserError(
            f"项目 {project.code} 在 {period} 没有记工，也没有发放，没有可做的工资表。"
            f"先记工：记工 项目：{project.code} 期间：{period} 日薪：150（下面每行“姓名 天数”）"
        )
    return sheet, fields


def file_name(what: str, project: Project, period: str, suffix: str) -> str:
    return f"{what}_{project.code}_{period}.{suffix}"


@router.command(
    "工资表",
    aliases=("发放表", "劳务报酬发放表", "工资单"),
    help="按台账生成某月的劳务报酬发放表（Excel，可直接打印签字），以文件发给您",
    example=SHEET_EXAMPLE,
    roles=(Role.ADMIN, Role.LIAISON),
)
def pay_sheet(msg: Incoming, ctx: HandlerContext) -> Reply:
    from handlers.payroll.sheet_xlsx import sheet_xlsx

    sheet, _ = sheet_from(ctx, SHEET_EXAMPLE)
    name = file_name("劳务报酬发放表", sheet.project, sheet.period, "xlsx")
    send_file(ctx, sheet_xlsx(sheet, maker(ctx), ctx.today), name)
    ctx.audit("paysheet", sheet.project.code, period=sheet.period, workers=len(sheet.rows))
    lines = [
        f"已生成 {name}（{len(sheet.rows)}人，出勤 {sheet.days.normalize():f}天），文件随后发到本对话。",
        f"应发 {money(sheet.owed_fen)}，已发 {money(sheet.paid_fen)}，本次应发 {money(sheet.due_fen)}。",
    ]
    missing = sheet.without_account()
    if missing:
        lines.append(
            f"{len(missing)}人还没有登记工资账户：{'、'.join(r.name for r in missing[:20])}"
            + ("等" if len(missing) > 20 else "")
            + "。登记：登记工人 项目：… 姓名：… 身份证：… 银行卡：… 开户行：…"
        )
    if sheet.due_fen:
        lines.append(
            f"核对签字后一次登记发放：发放 按工资表 项目：{sheet.project.code} 期间：{sheet.period} "
            f"日期：今天 方式：银行代发；银行代发文件：代发文件 项目：{sheet.project.code} 期间：{sheet.period}"
        )
    return Reply("\n".join(lines))


GRID_EXAMPLE = (
    "考勤表 项目：NT-2026-001 期间：2026-11 日薪：150\n姓名\t1\t2\t3\t…\t30\n张三\t√\t√\t半\t…\t√"
)


@router.command(
    "考勤表",
    aliases=("粘贴考勤", "考勤粘贴"),
    help="把 Excel 考勤表（一行一人、每天一列）复制粘贴进来记工：第一行之后先粘表头行（姓名 1 2 3 …），再粘每人一行；整张表也可以直接发文件",
    example=GRID_EXAMPLE,
    roles=(Role.ADMIN, Role.LIAISON),
)
def pasted_grid(msg: Incoming, ctx: HandlerContext) -> Reply:
    from handlers.tabular.grid import import_grid_rows
    from handlers.tabular.importer import ImportContext

    head, _, rest = ctx.args.partition("\n")
    fields, extra = parse_or_refuse(
        head, {**PROJECT_KEY, **PERIOD_KEY, "日薪": ("工价", "日工资", "单价")}, GRID_EXAMPLE
    )
    project = project_from(ctx, fields, GRID_EXAMPLE)
    lines = [*extra, *rest.splitlines()] if extra else rest.splitlines()
    rows: list[list[object]] = [
        [c.strip() for c in (line.split("\t") if "\t" in line else line.split())]
        for line in lines
        if line.strip()
    ]
    if len(rows) < 2:
        raise UserError(
            refusal(["没有粘贴考勤：先一行表头（姓名 1 2 3 …），再每人一行"], GRID_EXAMPLE)
        )
    if not any("\t" in line for line in lines):  # split at blanks: an empty cell would shift days
        short = [f"第{i}行" for i, r in enumerate(rows[1:], start=3) if len(r) != len(rows[0])]
        if short:
            raise UserError(
                refusal(
                    [
                        f"{'、'.join(short[:10])}的格数与表头不同：用空格分隔时每天都要写（没出勤写0），"
                        "或直接从 Excel 复制粘贴（保留制表符）"
                    ],
                    GRID_EXAMPLE,
                )
            )
    options = {"项目": project.code, **{k: fields[k] for k in ("期间", "日薪") if fields.get(k)}}
    ic = ImportContext(ctx.session, ctx.settings, ctx.user, ctx.channel, ctx.today)
    try:
        report = import_grid_rows(ic, rows, "粘贴的考勤表", options, min_days=1)
    except UserError as err:
        raise UserError(refusal([err.message], GRID_EXAMPLE)) from None
    if not report.ok:
        raise UserError(report.text("粘贴的考勤表").replace("请改正后重新导入", "请改正后重新发送"))
    ctx.audit("work.grid", project.code, count=report.written)
    return Reply(
        report.text("粘贴的考勤表")
        + f"\n如有错误，发送“查询 项目：{project.code}”查看记录号，再“冲正 记录号：… 原因：…”。"
    )
