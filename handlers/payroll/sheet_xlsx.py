"""The pay sheet as a print-ready xlsx: A4 landscape, header row repeated, one page wide."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from handlers.payroll.sheet import PaySheet
from handlers.tabular.xlsx_out import workbook_bytes
from models.money import fen_to_yuan

HEADERS = [
    "序号",
    "姓名",
    "身份证号",
    "出勤天数",
    "日薪(元)",
    "应发(元)",
    "已发(元)",
    "本次应发(元)",
    "账户类型",
    "账号",
    "开户行",
    "本人签字",
]
WIDTHS = [6, 10, 21, 9, 9, 11, 11, 12, 9, 23, 18, 14]
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_BOLD = Font(bold=True)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _num(d: Decimal) -> float | int:
    return int(d) if d == d.to_integral_value() else float(d)


def print_ready(ws: Worksheet, header_row: int, widths: list[int]) -> None:
    """A4 landscape, the header row on every page, all columns on one page width."""
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def title_block(ws: Worksheet, title: str, lines: list[str], width: int) -> None:
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = _CENTER
    ws.row_dimensions[1].height = 30
    for text in lines:
        ws.append([text])
        r = ws.max_row
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)


def table(ws: Worksheet, headers: list[str], rows: list[list[object]], total: list[object]) -> int:
    """Header, rows and a total row, boxed; returns the header's row number."""
    ws.append(headers)
    header_row: int = ws.max_row  # max_row scans every cell: read it once, then count
    for cell in ws[header_row]:
        cell.font = _BOLD
        cell.alignment = _CENTER
        cell.border = _BOX
    n = header_row
    for row in [*rows, total]:
        ws.append(row)
        n += 1
        for col in range(1, len(row) + 1):
            ws.cell(n, col).border = _BOX
    for col in range(1, len(total) + 1):
        ws.cell(n, col).font = _BOLD
    return header_row


def header_lines(sheet: PaySheet) -> list[str]:
    p = sheet.project
    return [
        f"项目名称：{p.name}    项目编号：{p.code}    发放期间：{sheet.period}",
        f"业主单位：{p.owner_unit or '—'}    施工单位：{p.contractor or '—'}"
        + (f"    劳务组织：{p.labour_org}" if p.labour_org else ""),
    ]


def sheet_xlsx(sheet: PaySheet, maker: str, today: date) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = f"{sheet.period}发放表"
    title_block(ws, "劳务报酬发放表", header_lines(sheet), len(HEADERS))
    rows: list[list[object]] = [
        [
            i,
            r.name,
            r.id_masked,
            _num(r.days),
            r.wage_text,
            fen_to_yuan(r.owed_fen),
            fen_to_yuan(r.paid_fen),
            fen_to_yuan(r.due_fen),
            r.account_type,
            r.account_masked,
            r.bank,
            "",
        ]
        for i, r in enumerate(sheet.rows, start=1)
    ]
    total: list[object] = [
        "合计",
        f"{len(sheet.rows)}人",
        "",
        _num(sheet.days),
        "",
        fen_to_yuan(sheet.owed_fen),
        fen_to_yuan(sheet.paid_fen),
        fen_to_yuan(sheet.due_fen),
        "",
        "",
        "",
        "",
    ]
    header_row = table(ws, HEADERS, rows, total)
    for row in ws.iter_rows(min_row=header_row + 1, min_col=6, max_col=8):
        for cell in row:
            cell.number_format = "#,##0.00"
    ws.append([])
    ws.append(
        [
            f"制表人：{maker}",
            "",
            "",
            f"制表日期：{today:%Y年%m月%d日}",
            "",
            "",
            "审核人（村委会/乡镇）：",
            "",
            "",
            "施工单位（盖章）：",
        ]
    )
    print_ready(ws, header_row, WIDTHS)
    return workbook_bytes(wb)
