"""公示: the public notice of a month's payroll, as PNG images and an xlsx, recorded.

Names as on the pay sheet, ID numbers and accounts masked, days and amounts, the complaint
channels (the liaisons' phones as the county imported them, and 12333) and the 公示 period.
The liaisons are reminded when the period ends (reminders/notice_end.py).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from bot.context import HandlerContext, Incoming, Reply
from bot.errors import UserError
from bot.router import Router
from domain.parsing import check_phone
from handlers.ledger.common import money
from handlers.payroll.commands import file_name, sheet_from
from handlers.payroll.outgoing import maker, send_file
from handlers.payroll.sheet import PaySheet
from handlers.payroll.sheet_xlsx import header_lines, print_ready, table, title_block
from handlers.tabular.xlsx_out import workbook_bytes
from models import Contact, PayrollNotice, ProjectLiaison, Role
from models.money import fen_to_yuan
from models.privacy import personal_data

router = Router("notice")

EXAMPLE = "公示 项目：NT-2026-001 期间：2026-11 天数：7"
DEFAULT_DAYS = 7
ROWS_PER_IMAGE = 40
MAX_IMAGES = 10
HEADERS = ["序号", "姓名", "身份证号", "出勤天数", "日薪(元)", "应发(元)", "账户"]
_CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
)


def complaint_channels(ctx: HandlerContext, sheet: PaySheet, extra: str) -> list[str]:
    """Who to call: the given phone, else the liaisons' phones the county imported; always 12333."""
    out: list[str] = []
    if extra:
        out.append(f"项目联系人电话：{extra}")
    else:
        pd = personal_data(ctx.settings.effective_data_key)
        stmt = (
            ProjectLiaison.__table__.join(
                Contact.__table__, Contact.id == ProjectLiaison.contact_id
            )
            .select()
            .with_only_columns(Contact.name, Contact.phone_cipher)
            .where(ProjectLiaison.project_id == sheet.project.id, Contact.phone_cipher.is_not(None))
            .order_by(Contact.userid)
        )
        for name, cipher in ctx.session.execute(stmt):
            out.append(f"项目联系人 {name}：{pd.decrypt(str(cipher))}")
    out.append("劳动保障监察投诉电话：12333")
    return out


_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)


def cjk_fonts(font_manager: Any) -> list[str]:
    """Installed fonts that draw Chinese; matplotlib does not index .ttc collections itself."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    if not installed.intersection(_CJK_FONTS):
        for path in _FONT_FILES:
            if Path(path).exists():
                font_manager.fontManager.addfont(path)
        installed = {f.name for f in font_manager.fontManager.ttflist}
    return [n for n in _CJK_FONTS if n in installed]


def notice_rows(sheet: PaySheet) -> list[list[str]]:
    return [
        [
            str(i),
            r.name,
            r.id_masked,
            f"{r.days:f}",
            r.wage_text,
            f"{r.owed_fen / 100:,.2f}",
            f"{r.account_type} {r.account_masked}".strip() or "未登记",
        ]
        for i, r in enumerate(sheet.rows, start=1)
    ]


def notice_xlsx(sheet: PaySheet, start: date, end: date, channels: list[str], who: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "公示"
    title_block(ws, f"{sheet.period} 劳务报酬发放公示", header_lines(sheet), len(HEADERS))
    rows: list[list[object]] = [
        [*r[:5], fen_to_yuan(sheet.rows[i].owed_fen), r[6]]
        for i, r in enumerate(notice_rows(sheet))
    ]
    total: list[object] = [
        "合计",
        f"{len(sheet.rows)}人",
        "",
        float(sheet.days),
        "",
        fen_to_yuan(sheet.owed_fen),
        "",
    ]
    header_row = table(ws, HEADERS, rows, total)
    ws.append([])
    ws.append(
        [
            f"公示期：{start:%Y年%m月%d日}至{end:%Y年%m月%d日}。对公示内容有异议的，请在公示期内反映。"
        ]
    )
    for c in channels:
        ws.append([c])
    ws.append(
        [
            f"公示单位：{sheet.project.contractor or sheet.project.owner_unit or sheet.project.name}    制表：{who}"
        ]
    )
    print_ready(ws, header_row, [6, 10, 21, 9, 9, 12, 30])
    return workbook_bytes(wb)


def notice_pngs(sheet: PaySheet, start: date, end: date, channels: list[str]) -> list[bytes]:
    """The notice as images of at most ROWS_PER_IMAGE rows each (a phone screen, a board)."""
    import io

    from matplotlib import font_manager, rc_context
    from matplotlib.figure import Figure

    fonts = cjk_fonts(font_manager) + ["DejaVu Sans"]
    rows = notice_rows(sheet)
    pages = [rows[i : i + ROWS_PER_IMAGE] for i in range(0, len(rows), ROWS_PER_IMAGE)][:MAX_IMAGES]
    xs = [0.03, 0.09, 0.2, 0.47, 0.58, 0.68, 0.8]
    out: list[bytes] = []
    for n, page in enumerate(pages, start=1):
        lines = len(page) + 8 + len(channels)
        height = 0.32 * lines + 0.6
        with rc_context({"font.sans-serif": fonts, "axes.unicode_minus": False}):
            fig = Figure(figsize=(9, height), dpi=100)
            step = 1 / lines
            y = 1 - step
            suffix = f"（第{n}/{len(pages)}页）" if len(pages) > 1 else ""
            fig.text(
                0.5,
                y,
                f"{sheet.project.name} {sheet.period} 劳务报酬发放公示{suffix}",
                ha="center",
                fontsize=15,
            )
            y -= step * 1.3
            fig.text(
                0.03,
                y,
                f"项目编号：{sheet.project.code}    施工单位：{sheet.project.contractor or '—'}",
                fontsize=9,
            )
            y -= step * 1.2
            for x, h in zip(xs, HEADERS, strict=True):
                fig.text(x, y, h if h != "账户" else "工资账户", fontsize=9)
            for row in page:
                y -= step
                for x, v in zip(xs, row, strict=True):
                    fig.text(x, y, v, fontsize=9)
            y -= step * 1.2
            fig.text(
                0.03,
                y,
                f"合计：{len(sheet.rows)}人，应发 {money(sheet.owed_fen)}",
                fontsize=10,
            )
            y -= step * 1.2
            fig.text(
                0.03,
                y,
                f"公示期：{start:%Y年%m月%d日}至{end:%Y年%m月%d日}，如有异议请在公示期内反映：",
                fontsize=10,
            )
            for c in channels:
                y -= step
                fig.text(0.05, y, c, fontsize=10)
            buf = io.BytesIO()
            fig.savefig(buf, format="png")
        out.append(buf.getvalue())
    return out


@router.command(
    "公示",
    aliases=("工资公示", "发放公示", "劳务报酬公示"),
    help="生成某月劳务报酬发放公示（图片和Excel，可张贴、发群），身份证号和账号已遮挡；公示期默认7天，期满提醒您",
    example=EXAMPLE,
    roles=(Role.ADMIN, Role.LIAISON),
)
def notice(msg: Incoming, ctx: HandlerContext) -> Reply:
    extra = {"天数": ("公示天数", "公示期"), "电话": ("联系电话", "投诉电话", "手机")}
    sheet, fields = sheet_from(ctx, EXAMPLE, extra)
    days = DEFAULT_DAYS
    if fields.get("天数"):
        text = fields["天数"].rstrip("天日个工作")
        if not text.isdigit() or not 1 <= int(text) <= 60:
            raise UserError(f"公示天数“{fields['天数']}”应为 1–60 的整数，如“天数：7”")
        days = int(text)
    phone = check_phone(fields["电话"]) if fields.get("电话") else ""
    start = ctx.today
    end = start + timedelta(days=days - 1)
    channels = complaint_channels(ctx, sheet, phone)
    pngs = notice_pngs(sheet, start, end, channels)
    for i, png in enumerate(pngs, start=1):
        suffix = f"_{i}" if len(pngs) > 1 else ""
        send_file(
            ctx,
            png,
            file_name(f"公示{suffix}", sheet.project, sheet.period, "png"),
            msgtype="image",
        )
    send_file(
        ctx,
        notice_xlsx(sheet, start, end, channels, maker(ctx)),
        file_name("公示", sheet.project, sheet.period, "xlsx"),
    )
    record = PayrollNotice(
        project_id=sheet.project.id,
        period=sheet.period,
        starts_on=start,
        ends_on=end,
        workers=len(sheet.rows),
        total_fen=sheet.owed_fen,
        channels={"lines": channels},
        created_by=ctx.user.userid,
    )
    ctx.session.add(record)
    ctx.session.flush()
    ctx.audit("notice", sheet.project.code, period=sheet.period, notice=record.id, days=days)
    lines = [
        f"已生成 {sheet.period} 劳务报酬公示（{len(sheet.rows)}人，应发 {money(sheet.owed_fen)}），"
        f"图片{len(pngs)}张和Excel随后发到本对话，可张贴到村务公开栏、转发到群。",
        f"公示期：{start:%Y-%m-%d} 至 {end:%Y-%m-%d}（{days}天），期满后提醒您。",
        # The phones are on the notice itself; replies keep phone numbers out of chat text.
        f"投诉渠道（已印在公示上）：{'项目联系人电话' + str(len(channels) - 1) + '个、' if len(channels) > 1 else ''}12333",
    ]
    if not phone and len(channels) == 1:
        lines.append("提醒：县里没有导入联系人电话（联系人表的“手机”列），可在命令中写“电话：…”。")
    if len(sheet.rows) > ROWS_PER_IMAGE * MAX_IMAGES:
        lines.append(f"人数较多，图片只含前 {ROWS_PER_IMAGE * MAX_IMAGES} 人，完整名单见 Excel。")
    return Reply("\n".join(lines))
